"""Scoped reads of monitoring points and their limit changes.

A point is read by its enterprise's staff and its regulators (the enterprise's scope: the county, the
sector departments of its sectors, its town); anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from safegrid.core.scoping import get_scoped_or_404, restrict, scope_for
from safegrid.hazards.models import ShutdownRecord

from ..models import (
    DeactivationStatus,
    LatestValue,
    LimitChange,
    LimitChangeStatus,
    LimitChangeTransition,
    MonitoringPoint,
    PointDeactivation,
    PointDeactivationTransition,
)
from ..rules import limits as limit_rules


def point_list(user: Any) -> QuerySet[MonitoringPoint]:
    return restrict(MonitoringPoint.objects.select_related("enterprise", "unit", "risk_point"), user)


def point_get(user: Any, pk: Any) -> MonitoringPoint:
    return get_scoped_or_404(
        MonitoringPoint.objects.select_related("enterprise", "enterprise__division", "unit", "risk_point"),
        user,
        pk=pk,
    )


def latest_of(point: MonitoringPoint) -> LatestValue | None:
    """The point's latest value (the point was read through a selector)."""
    return LatestValue.objects.filter(point=point).first()


def changes_of(point: MonitoringPoint, limit: int = 100) -> list[LimitChange]:
    """The point's limit changes, newest first (the point was read through a selector)."""
    return list(
        point.limit_changes.select_related("requested_by", "approved_by").order_by("-requested_at", "-pk")[
            :limit
        ]
    )


def limit_change_list(user: Any) -> QuerySet[LimitChange]:
    return restrict(
        LimitChange.objects.select_related("point", "point__enterprise", "requested_by", "approved_by"), user
    )


def limit_change_get(user: Any, pk: Any) -> LimitChange:
    return get_scoped_or_404(
        LimitChange.objects.select_related("point", "point__enterprise", "requested_by", "approved_by"),
        user,
        pk=pk,
    )


def pending_for(user: Any) -> QuerySet[LimitChange]:
    return limit_change_list(user).filter(status=LimitChangeStatus.REQUESTED)


def _to_decide(pending: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """Pending requests this user may decide: of enterprises where they hold an approver role, not their own."""
    mine = scope_for(user).enterprises_with(limit_rules.APPROVER_ROLES)
    return pending.filter(point__enterprise_id__in=sorted(mine)).exclude(requested_by=user)


def limit_changes_to_decide(user: Any) -> QuerySet[LimitChange]:
    return _to_decide(pending_for(user), user)


def transitions_of(change: LimitChange) -> list[LimitChangeTransition]:
    return list(change.transitions.order_by("at", "pk"))


def deactivation_list(user: Any) -> QuerySet[PointDeactivation]:
    return restrict(
        PointDeactivation.objects.select_related("point", "point__enterprise", "requested_by", "approved_by"),
        user,
    )


def deactivation_get(user: Any, pk: Any) -> PointDeactivation:
    return get_scoped_or_404(
        PointDeactivation.objects.select_related("point", "point__enterprise", "requested_by", "approved_by"),
        user,
        pk=pk,
    )


def deactivations_of(point: MonitoringPoint, limit: int = 50) -> list[PointDeactivation]:
    """The point's deactivation requests, newest first (the point was read through a selector)."""
    return list(point.deactivations.order_by("-requested_at", "-pk")[:limit])


def pending_deactivations_for(user: Any) -> QuerySet[PointDeactivation]:
    return deactivation_list(user).filter(status=DeactivationStatus.REQUESTED)


def deactivations_to_decide(user: Any) -> QuerySet[PointDeactivation]:
    return _to_decide(pending_deactivations_for(user), user)


def deactivation_transitions(request: PointDeactivation) -> list[PointDeactivationTransition]:
    return list(request.transitions.order_by("at", "pk"))


def shutdown_of(point: MonitoringPoint, at: dt.datetime | None = None) -> ShutdownRecord | None:
    """The shutdown (停用检修) in force that pauses the point's alarms: of its whole enterprise or of the
    risk point it sits in (the alarm engine's rule, `alarm_engine.shutdown_points`)."""
    at = at or timezone.now()
    where = Q(risk_point__isnull=True)
    if point.risk_point_id is not None:
        where |= Q(risk_point_id=point.risk_point_id)
    return (
        ShutdownRecord.objects.filter(where, enterprise_id=point.enterprise_id, start__lte=at)
        .exclude(end__lte=at)
        .select_related("risk_point")
        .order_by("risk_point_id", "start")
        .first()
    )
