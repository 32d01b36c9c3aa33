"""Taking a point out of use (停用) by approval, and bringing it back.

A point out of use raises no alarms and leaves the wall: that masks it, so deactivation is a request with a
reason that another person of the enterprise with an approving role decides (workflows_points.
POINT_DEACTIVATION; self-approval refused). On approval the point's `active` (a workflow field: the generic
edit refuses it) is written here, audited, and its active alarms clear with the request's reason (as an
approved bypass does), so they can be acknowledged and closed. Reactivation is direct (audited).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from safegrid.core.audit import Actor, SystemActor
from safegrid.core.models import User
from safegrid.core.text import clean_text
from safegrid.core.workflow import create, transition

from ..alarm_engine import clear_alarm
from ..choices import ACTIVE_STATUSES
from ..models import Alarm, DeactivationStatus, MonitoringPoint, PointDeactivation
from ..rules import deactivation as rules
from ..workflows_points import POINT_DEACTIVATION, DeactivationAction
from .points import write_active


def _actor_name(actor: Actor) -> str:
    if isinstance(actor, SystemActor):
        return actor.label
    return actor.display_name or actor.username


def deactivation_request(*, actor: Actor, point: MonitoringPoint, reason: str) -> PointDeactivation:
    """Ask to take `point` out of use; it stays in use until another person approves."""
    reason = clean_text(reason or "", multiline=True)
    pending = PointDeactivation.objects.filter(point=point, status=DeactivationStatus.REQUESTED).exists()
    problems = rules.request_problems(active=point.active, reason=reason, pending=pending)
    if problems:
        errors: dict[str, list[str]] = {}
        for name, message in problems:
            errors.setdefault(name, []).append(gettext(message))
        raise ValidationError(errors)
    request = PointDeactivation(
        point=point,
        reason=reason,
        requested_by=actor if isinstance(actor, User) else None,
        requested_by_name=_actor_name(actor),
        requested_at=timezone.now(),
    )
    return create(
        request, DeactivationAction.REQUEST, actor=actor, workflow=POINT_DEACTIVATION, comment=reason
    )


def _decision(actor: Actor) -> dict[str, object]:
    return {
        "approved_by": actor if isinstance(actor, User) else None,
        "approved_by_name": _actor_name(actor),
        "decided_at": timezone.now(),
    }


def _clear_alarms(point: MonitoringPoint, reason: str) -> int:
    """The point's active alarms clear at once (recorded with the reason), so they can be closed."""
    cleared = 0
    comment = gettext("点位已停用：%(reason)s") % {"reason": reason}
    for alarm in Alarm.objects.filter(point=point, status__in=ACTIVE_STATUSES).select_related(
        "point", "enterprise"
    ):
        if clear_alarm(alarm, at=timezone.now(), value=alarm.last_value, comment=comment) is not None:
            cleared += 1
    return cleared


def deactivation_approve(*, actor: Actor, request: PointDeactivation, comment: str = "") -> PointDeactivation:
    """Approve (another person with an approving role): the point goes out of use, its alarms clear."""
    with transaction.atomic():
        approved = transition(
            request,
            DeactivationAction.APPROVE,
            actor=actor,
            workflow=POINT_DEACTIVATION,
            comment=comment,
            changes=_decision(actor),
        )
        point = MonitoringPoint.objects.select_for_update().get(pk=approved.point_id)
        if point.active:
            write_active(actor=actor, point=point, active=False)
        _clear_alarms(point, approved.reason)
    return approved


def deactivation_reject(*, actor: Actor, request: PointDeactivation, comment: str) -> PointDeactivation:
    return transition(
        request,
        DeactivationAction.REJECT,
        actor=actor,
        workflow=POINT_DEACTIVATION,
        comment=comment,
        changes=_decision(actor),
    )
