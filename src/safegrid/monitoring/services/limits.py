"""Limit changes: request, approve (another person), reject, take effect, expire and restore.

The only writer of a point's limit fields (its `workflow_fields`): `_apply` and `_restore` write them inside
`writing_protected`, each write an audited update of the point. A change approved with a start in the past
or now takes effect at once; one starting later takes effect when the schedule `monitoring.limits_watch`
(every 5 minutes, jobs.py) next runs, which also expires temporary changes and brings back the limits in
force before them (audited, the requester and approver notified).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from safegrid.core.audit import Actor, SystemActor
from safegrid.core.models import User
from safegrid.core.services import object_update, writing_protected
from safegrid.core.workflow import create, transition

from ..models import LimitChange, LimitChangeStatus, MonitoringPoint
from ..models.points import LIMIT_FIELDS
from ..rules import limits as rules
from ..rules.limits import ChangeKind, LimitSet
from ..workflows_points import LIMIT_CHANGE, LimitAction


def current_set(point: MonitoringPoint) -> LimitSet:
    return LimitSet(
        ll=point.ll,
        l=point.l,
        h=point.h,
        hh=point.hh,
        rate_limit=point.rate_limit,
        deadband=point.deadband,
        version=point.limits_version,
        source=point.limits_source,
    )


def _actor_name(actor: Actor) -> str:
    if isinstance(actor, SystemActor):
        return actor.label
    return actor.display_name or actor.username


def limit_change_request(
    *,
    actor: Actor,
    point: MonitoringPoint,
    kind: str,
    values: LimitSet,
    reason: str,
    effective_from: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    import_job: int | None = None,
) -> LimitChange:
    """Ask for new limits on `point`; nothing changes on the point until another person approves."""
    now = timezone.now()
    try:
        change_kind = ChangeKind(kind)
    except ValueError:
        raise ValidationError({"kind": gettext("请选择变更类型")}) from None
    start = effective_from or now
    problems = rules.request_problems(
        kind=change_kind,
        current=current_set(point),
        new=values,
        reason=reason,
        effective_from=start,
        expires_at=expires_at,
        now=now,
    )
    if problems:
        errors: dict[str, list[str]] = {}
        for name, message in problems:
            errors.setdefault(name, []).append(gettext(message))
        raise ValidationError(errors)
    change = LimitChange(
        point=point,
        kind=change_kind,
        ll=values.ll,
        l=values.l,
        h=values.h,
        hh=values.hh,
        rate_limit=values.rate_limit,
        deadband=values.deadband,
        version=values.version.strip(),
        source=values.source.strip(),
        reason=reason.strip(),
        requested_by=actor if isinstance(actor, User) else None,
        requested_by_name=_actor_name(actor),
        requested_at=now,
        effective_from=start,
        expires_at=expires_at,
        import_job=import_job,
    )
    return create(change, LimitAction.REQUEST, actor=actor, workflow=LIMIT_CHANGE, comment=reason.strip())


def limit_change_approve(*, actor: Actor, change: LimitChange, comment: str = "") -> LimitChange:
    """Approve (by another person with an approving role in the enterprise); in force at once when due."""
    now = timezone.now()

    def still_open(locked: LimitChange) -> None:
        if locked.expires_at is not None and locked.expires_at <= now:
            raise ValidationError({"expires_at": gettext("该临时变更的到期时间已过，不能再批准")})

    with transaction.atomic():
        approved = transition(
            change,
            LimitAction.APPROVE,
            actor=actor,
            workflow=LIMIT_CHANGE,
            comment=comment,
            changes={
                "approved_by": actor if isinstance(actor, User) else None,
                "approved_by_name": _actor_name(actor),
                "decided_at": now,
            },
            prepare=still_open,
        )
        if rules.due_to_apply(approved=True, applied=False, effective_from=approved.effective_from, now=now):
            approved = _apply(actor, approved, now)
    return approved


def limit_change_reject(*, actor: Actor, change: LimitChange, comment: str) -> LimitChange:
    return transition(
        change,
        LimitAction.REJECT,
        actor=actor,
        workflow=LIMIT_CHANGE,
        comment=comment,
        changes={
            "approved_by": actor if isinstance(actor, User) else None,
            "approved_by_name": _actor_name(actor),
            "decided_at": timezone.now(),
        },
    )


def _write_point(actor: Actor, point: MonitoringPoint, values: LimitSet) -> MonitoringPoint:
    data = {
        "ll": values.ll,
        "l": values.l,
        "h": values.h,
        "hh": values.hh,
        "rate_limit": values.rate_limit,
        "deadband": values.deadband,
        "limits_version": values.version,
        "limits_source": values.source,
    }
    with writing_protected(*LIMIT_FIELDS):
        return object_update(actor=actor, obj=point, data=data)


def _in_force(point: MonitoringPoint, *, exclude: int) -> list[LimitChange]:
    return list(
        LimitChange.objects.filter(point=point, status=LimitChangeStatus.APPROVED, applied_at__isnull=False)
        .exclude(pk=exclude)
        .order_by("applied_at", "pk")
    )


def _apply(actor: Actor, change: LimitChange, now: dt.datetime) -> LimitChange:
    """The approved change takes effect: the point's limits change, earlier changes it replaces are
    superseded, and what its expiry will restore is kept on it."""
    point = MonitoringPoint.objects.select_for_update().get(pk=change.point_id)
    current = current_set(point)
    in_force = _in_force(point, exclude=change.pk)
    application = rules.apply_change(
        kind=ChangeKind(change.kind),
        current=current,
        new=change.new_set,
        in_force=[rules.InForce(c.pk, ChangeKind(c.kind), c.restore_set) for c in in_force],
    )
    for earlier in in_force:
        if earlier.pk in application.superseded:
            transition(
                earlier,
                LimitAction.SUPERSEDE,
                actor=actor,
                workflow=LIMIT_CHANGE,
                comment=gettext("被限值变更 #%(id)s 替代") % {"id": change.pk},
                changes={"ended_at": now},
            )
    _write_point(actor, point, application.limits)
    data = {
        "old_ll": current.ll,
        "old_l": current.l,
        "old_h": current.h,
        "old_hh": current.hh,
        "old_rate_limit": current.rate_limit,
        "old_deadband": current.deadband,
        "old_version": current.version,
        "old_source": current.source,
        "applied_at": now,
        "restore": None if application.restore is None else asdict(application.restore),
    }
    with writing_protected(*data):
        return object_update(actor=actor, obj=change, data=data)


def _expire(actor: Actor, change: LimitChange, now: dt.datetime) -> LimitChange:
    """A temporary change ends: the limits it replaced come back (audited), then the change is expired."""
    point = MonitoringPoint.objects.select_for_update().get(pk=change.point_id)
    restore = change.restore_set
    if restore is not None:
        _write_point(actor, point, restore)
    return transition(
        change,
        LimitAction.EXPIRE,
        actor=actor,
        workflow=LIMIT_CHANGE,
        comment=gettext("临时限值到期，已恢复为 %(version)s")
        % {"version": restore.version if restore else "—"},
        changes={"ended_at": now},
    )


def limits_watch(*, actor: Actor, now: dt.datetime | None = None) -> dict[str, Any]:
    """Put approved changes whose start has come into force and expire temporary ones whose end has passed
    (the schedule's job body; each change in its own transaction, so one refusal does not hold the rest)."""
    now = now or timezone.now()
    counts = {"applied": 0, "expired": 0}
    due = LimitChange.objects.filter(
        status=LimitChangeStatus.APPROVED, applied_at__isnull=True, effective_from__lte=now
    ).order_by("effective_from", "pk")
    for change in due:
        with transaction.atomic():
            locked = LimitChange.objects.select_for_update().get(pk=change.pk)
            if rules.due_to_apply(
                approved=locked.status == LimitChangeStatus.APPROVED,
                applied=locked.applied_at is not None,
                effective_from=locked.effective_from,
                now=now,
            ):
                _apply(actor, locked, now)
                counts["applied"] += 1
    ending = LimitChange.objects.filter(
        status=LimitChangeStatus.APPROVED, applied_at__isnull=False, expires_at__lte=now
    ).order_by("expires_at", "pk")
    for change in ending:
        with transaction.atomic():
            locked = LimitChange.objects.select_for_update().get(pk=change.pk)
            if rules.due_to_expire(
                kind=ChangeKind(locked.kind),
                approved=locked.status == LimitChangeStatus.APPROVED,
                applied=locked.applied_at is not None,
                expires_at=locked.expires_at,
                now=now,
            ):
                _expire(actor, locked, now)
                counts["expired"] += 1
    return counts
