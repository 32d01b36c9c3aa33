"""The enterprise's org units by the paths the sheets use ("合成车间/甲班"; the company by its name)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from safegrid.enterprises import selectors as ent_selectors
from safegrid.enterprises.models import Enterprise, OrgUnit

PATH_SPLIT = re.compile(r"\s*[/／]\s*")


def _split_path(text: str) -> tuple[str, ...]:
    return tuple(name for name in PATH_SPLIT.split(text.strip()) if name)


@dataclass
class OrgTree:
    """Org units by their path below the company ("合成车间/甲班"); the company by its own name."""

    units: dict[tuple[str, ...], OrgUnit]
    path_of: dict[int, str]
    company: OrgUnit | None

    @classmethod
    def load(cls, user: Any, enterprise: Enterprise) -> OrgTree:
        units: dict[tuple[str, ...], OrgUnit] = {}
        names: dict[int, tuple[str, ...]] = {}
        path_of: dict[int, str] = {}
        company: OrgUnit | None = None
        # Ordered by the materialised path, so a parent always comes before its children.
        for unit in ent_selectors.org_unit_list(user).filter(enterprise=enterprise).order_by("path"):
            if unit.parent_id is None:
                company, names[unit.pk] = unit, ()
                path_of[unit.pk] = unit.name
                continue
            names[unit.pk] = (*names.get(unit.parent_id, ()), unit.name)
            units[names[unit.pk]] = unit
            path_of[unit.pk] = "/".join(names[unit.pk])
        return cls(units, path_of, company)

    def find(self, text: str) -> OrgUnit | None:
        names = _split_path(text)
        if not names:
            return None
        if names in self.units:
            return self.units[names]
        if self.company is not None and names[0] == self.company.name:
            return self.company if len(names) == 1 else self.units.get(names[1:])
        return None

    def path(self, unit: OrgUnit | None) -> str:
        return self.path_of.get(unit.pk, "") if unit is not None else ""

    def within(self, unit: OrgUnit | None, ancestor: OrgUnit) -> bool:
        return unit is not None and (unit.pk == ancestor.pk or unit.path.startswith(ancestor.path))
