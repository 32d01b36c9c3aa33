"""Who may change a point's limits or take it out of use, and the limit-change and point-deactivation
workflows on the core workflow kit.

    (new) ──request──▶ requested ──approve──▶ approved ──expire (system)──▶ expired
                           │                     │
                           └──reject──▶ rejected └──supersede (system)──▶ superseded

Requests come from the enterprise's administrators and safety managers (and the county admin); approval
and rejection from another person holding the safety manager, legal representative or enterprise admin
role in that enterprise (rules/limits.py: never the requester). Expiry and supersession are taken by the
limit service (the schedule `monitoring.limits_watch`, a later change taking effect).

    (new) ──request──▶ requested ──approve──▶ approved (the point is out of use)
                           └──reject──▶ rejected

A deactivation (停用) is requested and decided by the same people as a limit change (rules/deactivation.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import Role
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.core.workflow import NEW, Step, TransitionEvent, Workflow
from safegrid.notifications.services import notify

from .models import (
    DeactivationStatus,
    LimitChange,
    LimitChangeStatus,
    LimitChangeTransition,
    PointDeactivation,
    PointDeactivationTransition,
)
from .notifications_points import (
    DEACTIVATION_DECIDED,
    DEACTIVATION_REQUESTED,
    LIMIT_DECIDED,
    LIMIT_EXPIRED,
    LIMIT_REQUESTED,
)
from .rules import deactivation as deactivation_rules
from .rules import limits as rules

# Who keeps an enterprise's points and requests limit changes (the county admin too).
EDITOR_ROLES = frozenset({Role.ENT_ADMIN, Role.SAFETY_MANAGER})
APPROVER_ROLES = frozenset(Role(r) for r in rules.APPROVER_ROLES)


def can_edit_points(user: Any, enterprise_id: int | None) -> bool:
    if enterprise_id is None:
        return False
    scope = scope_for(user)
    return scope.is_county_admin or scope.has_role(*EDITOR_ROLES, enterprise_id=enterprise_id)


def may_approve_in(user: Any, enterprise_id: int) -> bool:
    """Holds an approving role in the enterprise (for menus and the queue's buttons)."""
    return scope_for(user).has_role(*APPROVER_ROLES, enterprise_id=enterprise_id)


def _may_request(actor: Actor, change: LimitChange) -> bool:
    return isinstance(actor, SystemActor) or can_edit_points(actor, change.point.enterprise_id)


def _may_decide(actor: Actor, change: LimitChange) -> bool:
    if isinstance(actor, SystemActor):
        return True
    roles = scope_for(actor).enterprise_roles.get(change.point.enterprise_id, frozenset())
    problem = rules.approver_problem(
        requester_id=change.requested_by_id, approver_id=actor.pk, approver_roles=frozenset(roles)
    )
    if problem is not None:
        raise PermissionDenied(gettext(problem))
    return True


def approvers(change: LimitChange | PointDeactivation) -> list[User]:
    """The people who may approve the change (or deactivation): the enterprise's approving roles, the
    requester left out."""
    q = Q(
        role_assignments__enterprise_id=change.point.enterprise_id,
        role_assignments__role__in=sorted(APPROVER_ROLES),
        is_active=True,
    )
    users = User.objects.filter(q).distinct().order_by("pk")
    if change.requested_by_id is not None:
        users = users.exclude(pk=change.requested_by_id)
    return list(users)


def change_url(change: LimitChange) -> str:
    return reverse("monitoring:limit_change", args=[change.pk])


def _tell_approvers(event: TransitionEvent[Any]) -> None:
    change = event.obj
    point = change.point
    text = gettext("%(who)s申请变更监测点位「%(code)s %(name)s」的限值（%(version)s），请审批") % {
        "who": change.requested_by_name,
        "code": point.code,
        "name": point.name,
        "version": change.version,
    }
    notify(approvers(change), LIMIT_REQUESTED, change, text, url=change_url(change))


def _tell_requester(event: TransitionEvent[Any]) -> None:
    change = event.obj
    if change.requested_by is None:
        return
    text = gettext("监测点位「%(code)s」的限值变更（%(version)s）%(outcome)s") % {
        "code": change.point.code,
        "version": change.version,
        "outcome": change.get_status_display(),
    }
    if event.comment:
        text += gettext("：%(comment)s") % {"comment": event.comment}
    notify([change.requested_by], LIMIT_DECIDED, change, text, url=change_url(change))


def _tell_expired(event: TransitionEvent[Any]) -> None:
    change = event.obj
    people = [u for u in (change.requested_by, change.approved_by) if u is not None]
    text = gettext("监测点位「%(code)s」的临时限值（%(version)s）已到期，已恢复为 %(restored)s") % {
        "code": change.point.code,
        "version": change.version,
        "restored": (change.restore or {}).get("version") or gettext("变更前的限值"),
    }
    notify(people, LIMIT_EXPIRED, change, text, url=change_url(change))


class LimitAction(StrEnum):
    REQUEST = "request"
    APPROVE = "approve"
    REJECT = "reject"
    EXPIRE = "expire"
    SUPERSEDE = "supersede"


S, A = LimitChangeStatus, LimitAction

LIMIT_CHANGE: Final = Workflow(
    model=LimitChange,
    states=LimitChangeStatus,
    transitions={
        (NEW, A.REQUEST): S.REQUESTED,
        (S.REQUESTED, A.APPROVE): S.APPROVED,
        (S.REQUESTED, A.REJECT): S.REJECTED,
        (S.APPROVED, A.EXPIRE): S.EXPIRED,
        (S.APPROVED, A.SUPERSEDE): S.SUPERSEDED,
    },
    steps={
        A.REQUEST: Step(
            _("申请变更限值"),
            allowed=_may_request,
            denied=_("只有本企业的管理员、安全管理员或县级管理员可以申请变更限值"),
            after=(_tell_approvers,),
        ),
        A.APPROVE: Step(_("批准"), allowed=_may_decide, after=(_tell_requester,)),
        A.REJECT: Step(_("驳回"), allowed=_may_decide, comment_required=True, after=(_tell_requester,)),
        A.EXPIRE: Step(_("到期恢复"), system=True, after=(_tell_expired,)),
        A.SUPERSEDE: Step(_("被新变更替代"), system=True),
    },
    log=LimitChangeTransition,
    log_fk="change",
)


# ---- point deactivation ----------------------------------------------------------------------------------


def _may_request_deactivation(actor: Actor, request: PointDeactivation) -> bool:
    return isinstance(actor, SystemActor) or can_edit_points(actor, request.point.enterprise_id)


def _may_decide_deactivation(actor: Actor, request: PointDeactivation) -> bool:
    if isinstance(actor, SystemActor):
        return True
    roles = scope_for(actor).enterprise_roles.get(request.point.enterprise_id, frozenset())
    problem = deactivation_rules.approver_problem(
        requester_id=request.requested_by_id, approver_id=actor.pk, approver_roles=frozenset(roles)
    )
    if problem is not None:
        raise PermissionDenied(gettext(problem))
    return True


def deactivation_url(request: PointDeactivation) -> str:
    return reverse("monitoring:deactivation", args=[request.pk])


def _tell_deactivation_approvers(event: TransitionEvent[Any]) -> None:
    request = event.obj
    point = request.point
    text = gettext("%(who)s申请停用监测点位「%(code)s %(name)s」：%(reason)s，请审批") % {
        "who": request.requested_by_name,
        "code": point.code,
        "name": point.name,
        "reason": request.reason,
    }
    notify(approvers(request), DEACTIVATION_REQUESTED, request, text, url=deactivation_url(request))


def _tell_deactivation_requester(event: TransitionEvent[Any]) -> None:
    request = event.obj
    if request.requested_by is None:
        return
    text = gettext("监测点位「%(code)s」的停用申请%(outcome)s") % {
        "code": request.point.code,
        "outcome": request.get_status_display(),
    }
    if event.comment:
        text += gettext("：%(comment)s") % {"comment": event.comment}
    notify([request.requested_by], DEACTIVATION_DECIDED, request, text, url=deactivation_url(request))


class DeactivationAction(StrEnum):
    REQUEST = "request"
    APPROVE = "approve"
    REJECT = "reject"


D, DA = DeactivationStatus, DeactivationAction

POINT_DEACTIVATION: Final = Workflow(
    model=PointDeactivation,
    states=DeactivationStatus,
    transitions={
        (NEW, DA.REQUEST): D.REQUESTED,
        (D.REQUESTED, DA.APPROVE): D.APPROVED,
        (D.REQUESTED, DA.REJECT): D.REJECTED,
    },
    steps={
        DA.REQUEST: Step(
            _("申请停用"),
            allowed=_may_request_deactivation,
            denied=_("只有本企业的管理员、安全管理员或县级管理员可以申请停用点位"),
            after=(_tell_deactivation_approvers,),
        ),
        DA.APPROVE: Step(
            _("批准停用"), allowed=_may_decide_deactivation, after=(_tell_deactivation_requester,)
        ),
        DA.REJECT: Step(
            _("驳回"),
            allowed=_may_decide_deactivation,
            comment_required=True,
            after=(_tell_deactivation_requester,),
        ),
    },
    log=PointDeactivationTransition,
    log_fk="deactivation",
)
