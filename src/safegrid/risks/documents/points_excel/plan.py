"""What checking a register workbook produces: per risk point code, the file's rows as data to write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safegrid.enterprises.models import OrgUnit, Person

from ...models import RiskPoint
from ...rules import assessment as rules
from ...selectors.points import PointItems
from ...services.register_apply import RegisterChanges
from .org_paths import OrgTree


@dataclass
class FactorPlan:
    row: int
    data: dict[str, Any]
    assessments: list[tuple[str, str, dict[str, Any]]]  # (kind, method, inputs)


@dataclass
class MeasurePlan:
    row: int
    data: dict[str, Any]
    factor_index: int | None  # index into the point's FactorPlan list


@dataclass
class TierPlan:
    row: int
    tier: str
    person: Person
    org_unit: OrgUnit | None


@dataclass
class PointPlan:
    code: str
    row: int | None  # the 风险点 row; None when only other sheets name an existing point
    data: dict[str, Any] | None
    existing: RiskPoint | None
    factors: list[FactorPlan] = field(default_factory=list)
    measures: list[MeasurePlan] = field(default_factory=list)
    tiers: list[TierPlan] = field(default_factory=list)
    factor_rows_failed: int = 0  # rows of 危险源 for this point that have errors (reported there)

    @property
    def rows(self) -> int:
        return (self.row is not None) + len(self.factors) + len(self.measures) + len(self.tiers)


@dataclass
class Lookups:
    """What the rows are checked against, fetched once before the first row."""

    tree: OrgTree
    existing: dict[str, RiskPoint]
    people: dict[str, list[Person]]
    config: rules.RiskConfig
    items: dict[int, PointItems] = field(default_factory=dict)  # the existing points' items, by point id
    listed: set[str] = field(default_factory=set)  # codes named in 风险点 (even on a failed row)
    plans: dict[str, PointPlan] = field(default_factory=dict)
    changes: RegisterChanges | None = None  # what writing the plans would change (after the checks)
