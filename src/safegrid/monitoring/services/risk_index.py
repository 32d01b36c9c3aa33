"""Recomputing every enterprise's dynamic risk index (`rules.risk_index`) in bulk.

A handful of grouped queries for the whole county, never one per enterprise: the enterprises with their
division, the static level kept on the register counter (`risks.RegisterRevision.risk_level`), the open
hidden hazards grouped by enterprise (general / major / past the deadline), the open-alarm counters
(`AlarmCount`, kept by the alarm workflow); then one bulk upsert. Derived data like the reading rollups:
the inputs are audited where they are written, the index is not audited again (the row carries its
inputs, its points, its method version and when it was computed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from safegrid.core.audit import Actor
from safegrid.enterprises.models import Enterprise
from safegrid.hazards.choices import OPEN_STATUSES, HazardLevel
from safegrid.hazards.models import HiddenHazard
from safegrid.risks.models import RegisterRevision

from ..config_index import risk_index_config
from ..models import AlarmCount, EnterpriseRiskIndex
from ..rules import risk_index as rules

_TERM_FIELDS = {
    rules.STATIC: "static_points",
    rules.HAZARDS: "hazard_points",
    rules.ALARMS: "alarm_points",
    rules.OVERDUE: "overdue_points",
    rules.ENFORCEMENT: "enforcement_points",
}
_UPDATE_FIELDS = [
    "division_code",
    "value",
    "colour",
    "version",
    "static_level",
    "open_general",
    "open_major",
    "active_alarms",
    "unacknowledged_alarms",
    "overdue",
    "enforcement_cases",
    *_TERM_FIELDS.values(),
    "computed_at",
]


@dataclass
class RecomputeResult:
    enterprises: int = 0
    red: int = 0
    orange: int = 0
    yellow: int = 0
    blue: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "summary": f"{self.enterprises} 家企业：红 {self.red}，橙 {self.orange}，黄 {self.yellow}，蓝 {self.blue}",
        }


def enforcement_counts(today: dt.date) -> dict[int, int]:
    """Enforcement cases (执法) of each enterprise in the last 12 months: the hook of the enforcement term.
    There is no enforcement app yet, so every enterprise has none and the term is 0."""
    return {}


def _hazard_counts(today: dt.date) -> dict[int, dict[str, int]]:
    rows = (
        HiddenHazard.objects.filter(status__in=sorted(OPEN_STATUSES))
        .order_by()
        .values("enterprise_id")
        .annotate(
            general=Count("pk", filter=Q(level=HazardLevel.GENERAL)),
            major=Count("pk", filter=Q(level=HazardLevel.MAJOR)),
            overdue=Count("pk", filter=Q(deadline__lt=today)),
        )
    )
    return {row["enterprise_id"]: row for row in rows}


def risk_index_recompute(*, actor: Actor, now: dt.datetime | None = None) -> RecomputeResult:
    """Recompute and store the index of every enterprise (a few queries and one bulk upsert)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    config = risk_index_config()
    enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", "division__code"))
    levels = dict(RegisterRevision.objects.values_list("enterprise_id", "risk_level"))
    hazards = _hazard_counts(today)
    alarms = {
        row[0]: row[1:] for row in AlarmCount.objects.values_list("enterprise_id", "active", "unacknowledged")
    }
    enforcement = enforcement_counts(today)
    result = RecomputeResult()
    rows = []
    for pk, division_code in enterprises:
        found = hazards.get(pk, {})
        active, unacknowledged = alarms.get(pk, (0, 0))
        inputs = rules.Inputs(
            static_level=levels.get(pk),
            open_general=found.get("general", 0),
            open_major=found.get("major", 0),
            active_alarms=max(active, 0),
            unacknowledged_alarms=max(unacknowledged, 0),
            overdue=found.get("overdue", 0),
            enforcement_cases=enforcement.get(pk, 0),
        )
        index = rules.compute(inputs, config)
        points = {_TERM_FIELDS[term.key]: term.points for term in index.terms}
        rows.append(
            EnterpriseRiskIndex(
                enterprise_id=pk,
                division_code=division_code or "",
                value=index.value,
                colour=index.colour,
                version=index.version,
                static_level=inputs.static_level,
                open_general=inputs.open_general,
                open_major=inputs.open_major,
                active_alarms=inputs.active_alarms,
                unacknowledged_alarms=inputs.unacknowledged_alarms,
                overdue=inputs.overdue,
                enforcement_cases=inputs.enforcement_cases,
                computed_at=now,
                **points,
            )
        )
        result.enterprises += 1
        setattr(result, index.colour, getattr(result, index.colour) + 1)
    with transaction.atomic():
        EnterpriseRiskIndex.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["enterprise"],
            update_fields=_UPDATE_FIELDS,
        )
    return result
