"""Whether a responsibility tier (管控责任) fits its risk point: the unit and the person must be on the point's line.

An enterprise is a tree company → workshop/department → team → post (`OrgUnit.path` is the materialised
path, each unit's own id appended to its parent's). A risk point hangs at one unit; its tiers are held by
units of the tier's kind *on the same line* (the point's unit itself, an ancestor or a descendant): the
workshop tier of a point in 合成车间 is 合成车间, not 聚合车间; its post tier is a post inside 合成车间.
The responsible person works in the tier's unit (or below it: a team leader sits on a post of the team);
the company tier is anyone of the enterprise. A tier given without a unit takes the unit of its kind on
the person's own line. Pure: plain values in, a unit and field-named messages out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

TIER_KIND: Final[Mapping[str, str]] = {
    "company": "company",
    "workshop": "workshop",
    "team": "team",
    "post": "post",
}
KIND_NAME: Final[Mapping[str, str]] = {
    "company": "公司",
    "workshop": "车间/部门",
    "team": "班组",
    "post": "岗位",
}
TIER_NAME: Final[Mapping[str, str]] = {
    "company": "公司级",
    "workshop": "车间级",
    "team": "班组级",
    "post": "岗位级",
}


@dataclass(frozen=True)
class Unit:
    pk: int
    kind: str  # OrgUnitKind value
    name: str
    path: str  # "00000001/00000005/": ancestors' ids, then its own

    def contains(self, other: Unit) -> bool:
        """`other` is this unit or lies below it."""
        return other.path.startswith(self.path)

    def on_line_with(self, other: Unit) -> bool:
        return self.contains(other) or other.contains(self)


@dataclass(frozen=True)
class TierCheck:
    unit: Unit | None  # the unit that holds the tier (as given, or found on the person's line)
    problems: Mapping[str, str] = field(default_factory=dict)  # field ("org_unit", "person") -> message

    @property
    def ok(self) -> bool:
        return not self.problems


def _line_unit_of_kind(line: Sequence[Unit], kind: str) -> Unit | None:
    """The unit of `kind` among a unit and its ancestors (`line`, any order)."""
    return next((u for u in sorted(line, key=lambda u: len(u.path)) if u.kind == kind), None)


def check_tier(
    tier: str,
    *,
    point_unit: Unit | None,
    unit: Unit | None,
    person_name: str,
    person_line: Sequence[Unit],
) -> TierCheck:
    """Check one tier of a risk point.

    `point_unit`: where the point hangs (None: not placed in the organisation, only kinds are checked);
    `unit`: the tier's unit as chosen (None: take it from the person); `person_line`: the person's own
    unit and its ancestors (empty when the person has no unit on record).
    """
    kind = TIER_KIND.get(tier)
    if kind is None:
        return TierCheck(None, {"tier": f"管控层级须为：{'、'.join(TIER_NAME.values())}"})
    tier_name = TIER_NAME[tier]
    problems: dict[str, str] = {}
    person_unit = max(person_line, key=lambda u: len(u.path)) if person_line else None
    if unit is None:
        unit = _line_unit_of_kind(person_line, kind)
        if unit is None and kind != "company":
            where = f"所在的「{person_unit.name}」" if person_unit else "未登记所在单位，"
            problems["org_unit"] = (
                f"请选择{tier_name}责任单位（{KIND_NAME[kind]}）：责任人「{person_name}」{where}"
                f"不在任何{KIND_NAME[kind]}之下"
            )
            return TierCheck(None, problems)
    if unit is not None and unit.kind != kind:
        problems["org_unit"] = (
            f"「{unit.name}」是{KIND_NAME[unit.kind]}，{tier_name}管控的责任单位须为{KIND_NAME[kind]}"
        )
        return TierCheck(unit, problems)
    if unit is not None and point_unit is not None and not unit.on_line_with(point_unit):
        problems["org_unit"] = (
            f"「{unit.name}」与风险点所属的「{point_unit.name}」不在同一条管理线上："
            f"{tier_name}管控须由「{point_unit.name}」所在或所属的{KIND_NAME[kind]}负责"
        )
    if unit is not None and kind != "company":
        if person_unit is None:
            problems["person"] = (
                f"责任人「{person_name}」未登记所在单位，无法确认其属于「{unit.name}」：请先在人员信息中登记"
            )
        elif not unit.contains(person_unit):
            problems["person"] = (
                f"责任人「{person_name}」属于「{person_unit.name}」，不属于{tier_name}责任单位「{unit.name}」"
            )
    return TierCheck(unit, problems)
