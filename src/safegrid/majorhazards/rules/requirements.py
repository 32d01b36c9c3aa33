"""What a major hazard source needs from its grade, kind and substances (pure, no ORM).

REFERENCE §5 "Required by grade" (危险化学品重大危险源监督管理暂行规定 第十三条):
- grade 1–2: an emergency shutdown system (紧急停车系统);
- grade 1–2 holding a toxic gas, a liquefied gas or a highly toxic liquid: an independent safety
  instrumented system (独立的安全仪表系统, SIS);
- grade 1–2 tank farms: the emergency cut-off valves in service (紧急切断装置投用);
- storage of highly toxic substances (剧毒化学品储存单元), any grade: video surveillance.
A unit that is not a major hazard source needs none of them. A gap is a requirement whose facility is not
recorded as in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TANK_FARM = "tank_farm"
WAREHOUSE = "warehouse"
STORAGE_KINDS = frozenset({TANK_FARM, WAREHOUSE})

ESD = "emergency_shutdown"
SIS = "independent_sis"
CUTOFF = "emergency_cutoff"
VIDEO = "video"
FACILITIES: tuple[str, ...] = (ESD, SIS, CUTOFF, VIDEO)

LABELS: dict[str, str] = {
    ESD: "紧急停车系统",
    SIS: "独立的安全仪表系统（SIS）",
    CUTOFF: "紧急切断装置投入使用",
    VIDEO: "视频监控",
}
BASIS = "《危险化学品重大危险源监督管理暂行规定》第十三条"


@dataclass(frozen=True)
class SubstanceFlags:
    toxic_gas: bool = False
    liquefied_gas: bool = False
    highly_toxic: bool = False


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str
    reason: str
    basis: str = BASIS


@dataclass(frozen=True)
class CheckItem:
    requirement: Requirement
    in_place: bool
    note: str

    @property
    def is_gap(self) -> bool:
        return not self.in_place


def required(
    *, is_major: bool, grade: int | None, kind: str, substances: Iterable[SubstanceFlags]
) -> list[Requirement]:
    """The facilities this unit needs, each with why (in `FACILITIES` order)."""
    if not is_major:
        return []
    flags = list(substances)
    high = grade in (1, 2)
    out: list[Requirement] = []
    if high:
        out.append(Requirement(ESD, LABELS[ESD], "一级、二级重大危险源"))
        if any(f.toxic_gas or f.liquefied_gas or f.highly_toxic for f in flags):
            out.append(
                Requirement(SIS, LABELS[SIS], "一级、二级重大危险源，涉及毒性气体、液化气体或剧毒液体")
            )
        if kind == TANK_FARM:
            out.append(Requirement(CUTOFF, LABELS[CUTOFF], "一级、二级重大危险源罐区"))
    if kind in STORAGE_KINDS and any(f.highly_toxic for f in flags):
        out.append(Requirement(VIDEO, LABELS[VIDEO], "剧毒化学品储存单元"))
    return out


def checklist(requirements: Iterable[Requirement], state: Mapping[str, tuple[bool, str]]) -> list[CheckItem]:
    """Each requirement with whether its facility is in place and the note (`state`: key → (in place, note))."""
    return [CheckItem(r, *state.get(r.key, (False, ""))) for r in requirements]


def gaps(items: Iterable[CheckItem]) -> list[CheckItem]:
    return [item for item in items if item.is_gap]
