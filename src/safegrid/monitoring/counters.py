"""Open-alarm counters per enterprise (`AlarmCount`), kept in the transaction of every alarm move.

The ALARM workflow's `after` hook takes the alarm's old contribution away and adds the new one (one
UPDATE … SET open = open + Δ), so the enterprise reads its row, and a town or the county sums the rows whose
`division_code` starts with its code (one indexed range scan, whatever the number of alarms). `recount()`
rebuilds them from the alarms (for bulk builders and as a check).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum

from safegrid.core.workflow import TransitionEvent
from safegrid.enterprises.models import Enterprise

from .choices import ACTIVE_STATUSES, OPEN_STATUSES, UNACK_STATUSES, AlarmRule, AlarmSeverity
from .models import Alarm, AlarmCount

FIELDS = ("open", "unacknowledged", "active", "severe", "offline")
SEVERE = (AlarmSeverity.HH, AlarmSeverity.LL)


def contribution(status: str | None, severity: str | None, rule: str | None) -> dict[str, int]:
    """What one alarm in this state adds to its enterprise's counters."""
    if not status or status not in OPEN_STATUSES:
        return dict.fromkeys(FIELDS, 0)
    return {
        "open": 1,
        "unacknowledged": int(status in UNACK_STATUSES),
        "active": int(status in ACTIVE_STATUSES),
        "severe": int(severity in SEVERE),
        "offline": int(rule == AlarmRule.OFFLINE and status in ACTIVE_STATUSES),  # points offline now
    }


def _ensure(enterprise_id: int) -> None:
    if not AlarmCount.objects.filter(pk=enterprise_id).exists():
        division = Enterprise.objects.filter(pk=enterprise_id).values_list("division_id", flat=True).first()
        AlarmCount.objects.bulk_create(
            [AlarmCount(enterprise_id=enterprise_id, division_code=division or "")], ignore_conflicts=True
        )


def apply(enterprise_id: int, delta: Mapping[str, int]) -> None:
    changed = {name: F(name) + value for name, value in delta.items() if value}
    if not changed:
        return
    _ensure(enterprise_id)
    AlarmCount.objects.filter(pk=enterprise_id).update(**changed)


def on_move(event: TransitionEvent[Any]) -> None:
    """Workflow hook: the alarm's counters move with it, in the same transaction."""
    before: Mapping[str, Any] = event.before
    alarm: Alarm = event.obj
    old = contribution(before.get("status"), before.get("severity"), before.get("rule"))
    new = contribution(alarm.status, alarm.severity, alarm.rule)
    apply(alarm.enterprise_id, {name: new[name] - old[name] for name in FIELDS})


def totals(prefix: str | None = None) -> dict[str, int]:
    """Sum of the counters of the enterprises under a division prefix ("" or None: all)."""
    rows = AlarmCount.objects.all()
    if prefix:
        rows = rows.filter(division_code__startswith=prefix)
    found = rows.aggregate(**{name: Sum(name) for name in FIELDS})
    return {name: int(found[name] or 0) for name in FIELDS}


def recount(enterprise_ids: Iterable[int] | None = None) -> int:
    """Rebuild the counters from the alarms (all enterprises, or these); returns the rows written."""
    alarms = Alarm.objects.filter(status__in=OPEN_STATUSES)
    wanted = None if enterprise_ids is None else set(enterprise_ids)
    if wanted is not None:
        alarms = alarms.filter(enterprise_id__in=wanted)
    figures = alarms.values("enterprise_id").annotate(
        n_open=Count("id"),
        n_unacknowledged=Count("id", filter=Q(status__in=UNACK_STATUSES)),
        n_active=Count("id", filter=Q(status__in=ACTIVE_STATUSES)),
        n_severe=Count("id", filter=Q(severity__in=SEVERE)),
        n_offline=Count("id", filter=Q(rule=AlarmRule.OFFLINE, status__in=ACTIVE_STATUSES)),
    )
    by_enterprise = {row["enterprise_id"]: row for row in figures}
    with transaction.atomic():
        existing = AlarmCount.objects.all() if wanted is None else AlarmCount.objects.filter(pk__in=wanted)
        existing.update(**dict.fromkeys(FIELDS, 0))
        for enterprise_id, row in by_enterprise.items():
            _ensure(enterprise_id)
            AlarmCount.objects.filter(pk=enterprise_id).update(**{name: row[f"n_{name}"] for name in FIELDS})
    return len(by_enterprise)
