"""Scoped reads of alarms, their timeline and comments, bypasses, and the open-alarm counts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum

from safegrid.core.scoping import get_scoped_or_404, restrict

from ..choices import OPEN_STATUSES, BypassStatus
from ..counters import FIELDS
from ..models import Alarm, AlarmComment, AlarmCount, AlarmTransition, MonitoringPoint, PointBypass

# The list's "state" filter: open (未消警), active, unacknowledged, cleared (not yet closed), closed
STATE_FILTERS: dict[str, tuple[str, ...]] = {
    "open": tuple(str(s) for s in OPEN_STATUSES),
    "active": ("active_unack", "active_ack"),
    "unacknowledged": ("active_unack", "cleared_unack"),
    "cleared": ("cleared_unack", "cleared_ack"),
    "closed": ("closed",),
}


def alarm_list(user: Any) -> QuerySet[Alarm]:
    return restrict(Alarm.objects.select_related("point", "enterprise", "assignee"), user)


def alarm_get(user: Any, pk: Any) -> Alarm:
    return get_scoped_or_404(
        Alarm.objects.select_related(
            "point", "point__unit", "enterprise", "assignee", "acknowledged_by", "hazard"
        ),
        user,
        pk=pk,
    )


def alarm_timeline(user: Any, alarm: Alarm) -> QuerySet[AlarmTransition]:
    return restrict(AlarmTransition.objects.filter(alarm=alarm), user).order_by("at", "id")


def alarm_comments(user: Any, alarm: Alarm) -> QuerySet[AlarmComment]:
    return restrict(AlarmComment.objects.filter(alarm=alarm), user).order_by("at", "id")


def alarm_counts(user: Any, *, division_prefix: str = "", enterprise_id: int | None = None) -> dict[str, int]:
    """Open alarms in the user's scope from the per-enterprise counters (one aggregate, no alarm rows)."""
    rows = restrict(AlarmCount.objects.all(), user)
    if division_prefix:
        rows = rows.filter(division_code__startswith=division_prefix)
    if enterprise_id is not None:
        rows = rows.filter(pk=enterprise_id)
    found = rows.aggregate(**{name: Sum(name) for name in FIELDS})
    return {name: int(found[name] or 0) for name in FIELDS}


def unit_open_alarms(user: Any, unit_id: int) -> QuerySet[Alarm]:
    return (
        alarm_list(user)
        .filter(point__unit_id=unit_id, status__in=STATE_FILTERS["open"])
        .order_by("-first_at")
    )


def enterprise_open_alarms(user: Any, enterprise_id: int) -> QuerySet[Alarm]:
    return (
        alarm_list(user)
        .filter(enterprise_id=enterprise_id, status__in=STATE_FILTERS["open"])
        .order_by("-first_at")
    )


def bypass_list(user: Any) -> QuerySet[PointBypass]:
    return restrict(
        PointBypass.objects.select_related("point", "enterprise", "requested_by", "approved_by"), user
    )


def bypass_get(user: Any, pk: Any) -> PointBypass:
    return get_scoped_or_404(bypass_list(user), user, pk=pk)


def bypass_pending(user: Any) -> QuerySet[PointBypass]:
    return bypass_list(user).filter(status=BypassStatus.REQUESTED)


def points_for_bypass(user: Any) -> QuerySet[MonitoringPoint]:
    return restrict(MonitoringPoint.objects.filter(active=True).select_related("enterprise"), user)


def point_get(user: Any, pk: Any) -> MonitoringPoint:
    return get_scoped_or_404(MonitoringPoint.objects.select_related("enterprise"), user, pk=pk)
