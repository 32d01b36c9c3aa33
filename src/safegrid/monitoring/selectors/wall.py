"""Scoped reads of the monitoring wall: open-alarm counts per town and enterprise (from the counters), the
active alarms, and each point of an enterprise with its latest value, limits and state colour."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from safegrid.core.scoping import get_scoped_or_404, restrict
from safegrid.enterprises.models import Enterprise
from safegrid.hazards.models import ShutdownRecord
from safegrid.regions.selectors import division_list

from ..choices import ACTIVE_STATUSES, BypassStatus
from ..counters import FIELDS
from ..models import (
    Alarm,
    AlarmCount,
    DeactivationStatus,
    LatestValue,
    MonitoringPoint,
    PointBypass,
    PointDeactivation,
)
from ..rules.points import EVENT_KINDS
from ..rules.wall import BypassSpan, PauseReason, ShutdownSpan, WallState, pause_reasons, point_state

TOWN_CODE_LENGTH = 9  # GB/T 2260: 6-digit county, 9-digit town, 12-digit village
ALARM_LIMIT = 50


@dataclass
class EnterpriseRow:
    id: int
    name: str
    division_code: str
    points: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))


@dataclass
class TownRow:
    code: str
    name: str
    enterprises: int = 0
    points: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))


@dataclass(frozen=True)
class PointRow:
    point: MonitoringPoint
    value: float | None
    ts: dt.datetime | None
    state: WallState
    alarms: tuple[Alarm, ...]
    pauses: tuple[PauseReason, ...] = ()


@dataclass(frozen=True)
class UnitGroup:
    unit_id: int | None
    name: str
    points: list[PointRow]


@dataclass(frozen=True)
class RetiredPoint:
    point: MonitoringPoint
    deactivation: PointDeactivation | None  # the approval that took it out of use (None: none on record)


def wall_enterprises(user: Any) -> list[EnterpriseRow]:
    """The enterprises in scope that have monitoring points or open alarms, worst first: one grouped
    count of the points and one read of the counters, no alarm rows."""
    rows: dict[int, EnterpriseRow] = {}
    grouped = (
        restrict(MonitoringPoint.objects.filter(active=True), user)
        .values("enterprise_id", "enterprise__name", "enterprise__division_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for g in grouped:
        rows[g["enterprise_id"]] = EnterpriseRow(
            g["enterprise_id"], g["enterprise__name"], g["enterprise__division_id"] or "", points=g["n"]
        )
    counters = restrict(AlarmCount.objects.all(), user).values(
        "enterprise_id", "enterprise__name", "enterprise__division_id", *FIELDS
    )
    for c in counters:
        row = rows.get(c["enterprise_id"])
        if row is None:
            if not c["open"]:
                continue
            row = rows[c["enterprise_id"]] = EnterpriseRow(
                c["enterprise_id"], c["enterprise__name"], c["enterprise__division_id"] or ""
            )
        row.counts = {name: int(c[name] or 0) for name in FIELDS}
    return sorted(
        rows.values(),
        key=lambda r: (-r.counts["severe"], -r.counts["unacknowledged"], -r.counts["open"], r.name),
    )


def wall_towns(user: Any, enterprises: list[EnterpriseRow]) -> list[TownRow]:
    """The enterprises' figures summed per town (names from the divisions the user may read)."""
    towns: dict[str, TownRow] = {}
    for e in enterprises:
        code = e.division_code[:TOWN_CODE_LENGTH]
        town = towns.setdefault(code, TownRow(code, ""))
        town.enterprises += 1
        town.points += e.points
        for name in FIELDS:
            town.counts[name] += e.counts[name]
    names = dict(division_list(user).filter(code__in=list(towns)).values_list("code", "name"))
    for town in towns.values():
        town.name = names.get(town.code, town.code)
    return sorted(towns.values(), key=lambda t: (-t.counts["open"], t.code))


def wall_totals(enterprises: list[EnterpriseRow]) -> dict[str, int]:
    totals = dict.fromkeys(FIELDS, 0)
    for e in enterprises:
        for name in FIELDS:
            totals[name] += e.counts[name]
    totals["points"] = sum(e.points for e in enterprises)
    totals["enterprises"] = len(enterprises)
    return totals


def active_alarms(user: Any, *, enterprise_id: int | None = None, limit: int = ALARM_LIMIT) -> list[Alarm]:
    """The alarms now active (报警中) in scope, newest first."""
    rows: QuerySet[Alarm] = restrict(
        Alarm.objects.filter(status__in=[str(s) for s in ACTIVE_STATUSES]).select_related(
            "point", "enterprise", "point__unit"
        ),
        user,
    )
    if enterprise_id is not None:
        rows = rows.filter(enterprise_id=enterprise_id)
    return list(rows.order_by("-last_at", "-id")[:limit])


def wall_enterprise(user: Any, pk: Any) -> Enterprise:
    return get_scoped_or_404(Enterprise.objects.select_related("division"), user, pk=pk)


def enterprise_points(
    user: Any, enterprise: Enterprise, *, now: dt.datetime | None = None
) -> list[UnitGroup]:
    """The enterprise's points in use, grouped by major hazard unit (points of no unit last), each with
    its latest value, state and why its alarms are paused: five queries whatever the number of points."""
    now = now or timezone.now()
    points = list(
        restrict(MonitoringPoint.objects.filter(enterprise=enterprise, active=True), user)
        .select_related("unit", "event_source")
        .order_by("unit__name", "code")
    )
    ids = [p.pk for p in points]
    latest = {lv.point_id: lv for lv in LatestValue.objects.filter(point_id__in=ids)}
    alarms: dict[int, list[Alarm]] = defaultdict(list)
    for alarm in restrict(
        Alarm.objects.filter(point_id__in=ids, status__in=[str(s) for s in ACTIVE_STATUSES]), user
    ).order_by("-last_at"):
        alarms[alarm.point_id].append(alarm)
    bypasses, shutdowns = pause_spans(user, points, now)
    bypassed = {b.point_id for b in bypasses}
    groups: dict[int | None, UnitGroup] = {}
    for p in points:
        lv = latest.get(p.pk)
        state = point_state(
            limits=p.limits,
            value=lv.value if lv else None,
            received_at=lv.received_at if lv else None,
            offline_timeout_s=p.offline_timeout_s,
            now=now,
            active_severities=[a.severity for a in alarms[p.pk]],
            bypassed=p.pk in bypassed,
            event_source=p.kind in EVENT_KINDS,
        )
        group = groups.setdefault(p.unit_id, UnitGroup(p.unit_id, p.unit.name if p.unit else "", []))
        group.points.append(
            PointRow(
                p,
                lv.value if lv else None,
                lv.ts if lv else None,
                state,
                tuple(alarms[p.pk]),
                pauses_of(p, bypasses, shutdowns),
            )
        )
    return sorted(groups.values(), key=lambda g: (g.unit_id is None, g.name))


def retired_points(user: Any, enterprise: Enterprise, limit: int = 200) -> list[RetiredPoint]:
    """The enterprise's points out of use (停用), each with the approved request that took it out of use:
    a wall must not let a point vanish silently (two queries)."""
    points = list(
        restrict(MonitoringPoint.objects.filter(enterprise=enterprise, active=False), user)
        .select_related("unit")
        .order_by("code")[:limit]
    )
    approvals: dict[int, PointDeactivation] = {}
    for request in restrict(
        PointDeactivation.objects.filter(
            point_id__in=[p.pk for p in points], status=DeactivationStatus.APPROVED
        ),
        user,
    ).order_by("point_id", "-decided_at", "-id"):
        approvals.setdefault(request.point_id, request)
    return [RetiredPoint(p, approvals.get(p.pk)) for p in points]


def pause_spans(
    user: Any, points: list[MonitoringPoint], now: dt.datetime
) -> tuple[list[BypassSpan], list[ShutdownSpan]]:
    """The approved bypasses in force of the points, and the shutdowns (停用检修) in force of their
    enterprises or of the risk points they sit in (the alarm engine's pauses, `alarm_engine.pauses`): two
    queries for all the points."""
    if not points:
        return [], []
    bypasses = [
        BypassSpan(point_id, rule or "", ends_at)
        for point_id, rule, ends_at in restrict(
            PointBypass.objects.filter(
                point_id__in=[p.pk for p in points],
                status=BypassStatus.APPROVED,
                starts_at__lte=now,
                ends_at__gt=now,
            ),
            user,
        ).values_list("point_id", "rule", "ends_at")
    ]
    where = Q(enterprise_id__in=sorted({p.enterprise_id for p in points}), risk_point__isnull=True)
    risk_points = sorted({p.risk_point_id for p in points if p.risk_point_id is not None})
    if risk_points:
        where |= Q(risk_point_id__in=risk_points)
    rows = (
        restrict(ShutdownRecord.objects.filter(where, start__lte=now).exclude(end__lte=now), user)
        .values_list("enterprise_id", "risk_point_id", "start", "end", "planned_end", "risk_point__name")
        .order_by("start", "id")
    )
    shutdowns = [
        ShutdownSpan(enterprise_id, risk_point_id, start, end or planned_end, name or "")
        for enterprise_id, risk_point_id, start, end, planned_end, name in rows
    ]
    return bypasses, shutdowns


def pauses_of(
    point: MonitoringPoint, bypasses: list[BypassSpan], shutdowns: list[ShutdownSpan]
) -> tuple[PauseReason, ...]:
    return pause_reasons(
        point_id=point.pk,
        enterprise_id=point.enterprise_id,
        risk_point_id=point.risk_point_id,
        active=point.active,
        shutdowns=shutdowns,
        bypasses=bypasses,
    )


def state_counts(groups: list[UnitGroup]) -> dict[str, int]:
    counts = dict.fromkeys([s.value for s in WallState], 0)
    for g in groups:
        for row in g.points:
            counts[row.state.value] += 1
    return counts


def trend_point(user: Any, pk: Any) -> MonitoringPoint:
    return get_scoped_or_404(MonitoringPoint.objects.select_related("enterprise", "unit"), user, pk=pk)
