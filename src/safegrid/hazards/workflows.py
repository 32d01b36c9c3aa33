"""The hidden-hazard closed loop, declared once on the core workflow kit.

    (new) ──report──▶ reported ──confirm──▶ confirmed ──assign (five in place)──▶ rectifying
      │                  └──reject──▶ rejected            ▲   │  ▲        │request_extension
      │                                                   │   │  └approve/refuse── extension
      │                                      send_back ───┘   └submit──▶ awaiting ──accept──▶ closed
      └──fix_on_spot (即查即改, before + after photos)────────────────────────────────────────▶ closed
                                                    closed ──reopen──▶ confirmed (history kept)

Who: enterprise managers (admin, safety manager) confirm, fill the five in place, rectify and ask for
more time; the acceptor is never the person who rectified; a major hazard is accepted (销号) only by a
regulator whose scope reaches the enterprise, and only a regulator approves its extension. Services in
`hazards/services.py` move hazards only through `create`/`transition` with `HAZARD`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safegrid.core.audit import Actor, SystemActor
from safegrid.core.models import User
from safegrid.core.workflow import NEW, Step, TransitionEvent, Workflow
from safegrid.notifications.services import notify

from . import permissions, rollups
from .choices import HazardLevel, HazardStatus, Origin
from .models import HazardTransition, HiddenHazard


class HazardAction(StrEnum):
    REPORT = "report"
    FIX_ON_SPOT = "fix_on_spot"
    CONFIRM = "confirm"
    REJECT = "reject"
    ASSIGN = "assign"
    SUBMIT = "submit"
    ACCEPT = "accept"
    SEND_BACK = "send_back"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    REOPEN = "reopen"
    ESCALATE = "escalate"  # system: the daily deadline scan, one step up the chain (state unchanged)


# ---- who may take each step ----------------------------------------------------------------------


def _system(actor: Actor) -> bool:
    return isinstance(actor, SystemActor)


def _may_report(actor: Actor, hazard: HiddenHazard) -> bool:
    return _system(actor) or permissions.can_report(actor, hazard.enterprise_id)


def _may_fix_on_spot(actor: Actor, hazard: HiddenHazard) -> bool:
    """Enterprise managers and regulators on site record a hazard fixed at once; never a major one."""
    if hazard.level == HazardLevel.MAJOR:
        raise PermissionDenied(_("重大隐患不能即查即改，须限期整改"))
    return (
        _system(actor)
        or permissions.is_manager(actor, hazard.enterprise_id)
        or (permissions.is_regulator_of(actor, hazard.enterprise_id))
    )


def _may_manage(actor: Actor, hazard: HiddenHazard) -> bool:
    return _system(actor) or permissions.is_manager(actor, hazard.enterprise_id)


def _may_reject(actor: Actor, hazard: HiddenHazard) -> bool:
    """The enterprise may not throw out a regulator's finding; regulators may reject any in their scope."""
    if _system(actor) or permissions.is_regulator_of(actor, hazard.enterprise_id):
        return True
    if not permissions.is_manager(actor, hazard.enterprise_id):
        return False
    if hazard.origin == Origin.REGULATOR:
        raise PermissionDenied(_("监管部门检查发现的隐患只能由监管部门驳回"))
    return True


def _not_rectifier(actor: Actor, hazard: HiddenHazard) -> None:
    if isinstance(actor, User) and hazard.rectified_by_id == actor.pk:
        raise PermissionDenied(_("验收人不能是整改人"))


def _may_accept(actor: Actor, hazard: HiddenHazard) -> bool:
    """General: an enterprise manager or a regulator; major: a regulator only. Never the rectifier."""
    if _system(actor):
        return True
    regulator = permissions.is_regulator_of(actor, hazard.enterprise_id)
    if hazard.level == HazardLevel.MAJOR and not regulator:
        if permissions.is_manager(actor, hazard.enterprise_id):
            raise PermissionDenied(_("重大隐患须由监管部门验收销号"))
        return False
    if not (regulator or permissions.is_manager(actor, hazard.enterprise_id)):
        return False
    _not_rectifier(actor, hazard)
    return True


def _may_decide_extension(actor: Actor, hazard: HiddenHazard) -> bool:
    """General: the principal side of the enterprise or a regulator; major: a regulator. Not the requester."""
    if _system(actor):
        return True
    regulator = permissions.is_regulator_of(actor, hazard.enterprise_id)
    if hazard.level == HazardLevel.MAJOR and not regulator:
        if permissions.is_manager(actor, hazard.enterprise_id):
            raise PermissionDenied(_("重大隐患的延期须由监管部门审批"))
        return False
    if not (regulator or permissions.is_principal(actor, hazard.enterprise_id)):
        return False
    if isinstance(actor, User) and hazard.extension_requested_by_id == actor.pk:
        raise PermissionDenied(_("不能审批自己提出的延期申请"))
    return True


def _may_reopen(actor: Actor, hazard: HiddenHazard) -> bool:
    """Regulators reopen any closed hazard in scope; enterprise managers only general ones."""
    if _system(actor) or permissions.is_regulator_of(actor, hazard.enterprise_id):
        return True
    return hazard.level == HazardLevel.GENERAL and permissions.is_manager(actor, hazard.enterprise_id)


# ---- who hears about it --------------------------------------------------------------------------


def enterprise_managers(enterprise_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__enterprise_id=enterprise_id,
            role_assignments__role__in=sorted(permissions.MANAGER_ROLES),
        ).distinct()
    )


def _url(hazard: HiddenHazard) -> str:
    return reverse("hazards:detail", args=[hazard.pk])


def _responsible_user(hazard: HiddenHazard) -> list[User]:
    person = hazard.responsible_person
    user = getattr(person, "user", None) if person is not None else None
    return [user] if user is not None else []


def notify_reported(event: TransitionEvent[Any]) -> None:
    hazard: HiddenHazard = event.obj
    text = f"{hazard.enterprise.name}登记了新隐患「{hazard.title}」，请确认"
    notify(enterprise_managers(hazard.enterprise_id), "hazards.reported", hazard, text, url=_url(hazard))


def notify_assigned(event: TransitionEvent[Any]) -> None:
    hazard: HiddenHazard = event.obj
    text = f"隐患「{hazard.title}」已落实整改，期限 {hazard.deadline:%Y-%m-%d}"
    recipients = [*_responsible_user(hazard), *enterprise_managers(hazard.enterprise_id)]
    notify(recipients, "hazards.assigned", hazard, text, url=_url(hazard))


def notify_submitted(event: TransitionEvent[Any]) -> None:
    """Who can accept: the regulators of a major hazard are told by the escalation list; here the
    enterprise's managers other than the rectifier (general) and the reporter."""
    hazard: HiddenHazard = event.obj
    text = f"隐患「{hazard.title}」已整改完成，等待验收"
    recipients = [u for u in enterprise_managers(hazard.enterprise_id) if u.pk != hazard.rectified_by_id]
    if hazard.reported_by is not None and hazard.reported_by_id != hazard.rectified_by_id:
        recipients.append(hazard.reported_by)
    notify(recipients, "hazards.awaiting_acceptance", hazard, text, url=_url(hazard))


def notify_sent_back(event: TransitionEvent[Any]) -> None:
    hazard: HiddenHazard = event.obj
    text = f"隐患「{hazard.title}」验收未通过，已退回整改：{event.comment}"
    recipients = [u for u in [hazard.rectified_by] if u is not None] + _responsible_user(hazard)
    notify(
        recipients or enterprise_managers(hazard.enterprise_id),
        "hazards.sent_back",
        hazard,
        text,
        url=_url(hazard),
    )


def notify_accepted(event: TransitionEvent[Any]) -> None:
    hazard: HiddenHazard = event.obj
    text = f"隐患「{hazard.title}」已验收销号"
    recipients = [u for u in (hazard.reported_by, hazard.rectified_by) if u is not None]
    notify(recipients, "hazards.accepted", hazard, text, url=_url(hazard))


def notify_extension_decided(event: TransitionEvent[Any]) -> None:
    hazard: HiddenHazard = event.obj
    verdict = "已批准" if event.action == HazardAction.APPROVE_EXTENSION else "未批准"
    text = f"隐患「{hazard.title}」的延期申请{verdict}，整改期限 {hazard.deadline:%Y-%m-%d}"
    notify(enterprise_managers(hazard.enterprise_id), "hazards.extension", hazard, text, url=_url(hazard))


S, A = HazardStatus, HazardAction

HAZARD: Final = Workflow(
    model=HiddenHazard,
    states=HazardStatus,
    transitions={
        (NEW, A.REPORT): S.REPORTED,
        (NEW, A.FIX_ON_SPOT): S.CLOSED,
        (S.REPORTED, A.CONFIRM): S.CONFIRMED,
        (S.REPORTED, A.REJECT): S.REJECTED,
        (S.CONFIRMED, A.ASSIGN): S.RECTIFYING,
        (S.RECTIFYING, A.SUBMIT): S.AWAITING_ACCEPTANCE,
        (S.RECTIFYING, A.REQUEST_EXTENSION): S.EXTENSION_REQUESTED,
        (S.EXTENSION_REQUESTED, A.APPROVE_EXTENSION): S.RECTIFYING,
        (S.EXTENSION_REQUESTED, A.REFUSE_EXTENSION): S.RECTIFYING,
        (S.AWAITING_ACCEPTANCE, A.ACCEPT): S.CLOSED,
        (S.AWAITING_ACCEPTANCE, A.SEND_BACK): S.RECTIFYING,
        (S.CLOSED, A.REOPEN): S.CONFIRMED,
        (S.RECTIFYING, A.ESCALATE): S.RECTIFYING,
        (S.EXTENSION_REQUESTED, A.ESCALATE): S.EXTENSION_REQUESTED,
        (S.AWAITING_ACCEPTANCE, A.ESCALATE): S.AWAITING_ACCEPTANCE,
    },
    steps={
        A.REPORT: Step(
            _("登记隐患"), allowed=_may_report, denied=_("您不能为该企业登记隐患"), after=(notify_reported,)
        ),
        A.FIX_ON_SPOT: Step(
            _("即查即改"), allowed=_may_fix_on_spot, denied=_("您不能为该企业登记即查即改隐患")
        ),
        A.CONFIRM: Step(
            _("确认隐患"), allowed=_may_manage, denied=_("只有本企业的管理员或安全管理员可以确认隐患")
        ),
        A.REJECT: Step(_("驳回"), allowed=_may_reject, comment_required=True, denied=_("您不能驳回该隐患")),
        A.ASSIGN: Step(
            _("落实整改（五落实）"),
            allowed=_may_manage,
            denied=_("只有本企业的管理员或安全管理员可以落实整改"),
            after=(notify_assigned,),
        ),
        A.SUBMIT: Step(
            _("提交验收"),
            allowed=_may_manage,
            denied=_("只有本企业的管理员或安全管理员可以提交整改结果"),
            after=(notify_submitted,),
        ),
        A.ACCEPT: Step(
            _("验收销号"), allowed=_may_accept, denied=_("您不能验收该隐患"), after=(notify_accepted,)
        ),
        A.SEND_BACK: Step(
            _("退回整改"),
            allowed=_may_accept,
            comment_required=True,
            denied=_("您不能验收该隐患"),
            after=(notify_sent_back,),
        ),
        A.REQUEST_EXTENSION: Step(
            _("申请延期"), allowed=_may_manage, denied=_("只有本企业的管理员或安全管理员可以申请延期")
        ),
        A.APPROVE_EXTENSION: Step(
            _("批准延期"),
            allowed=_may_decide_extension,
            denied=_("您不能审批该延期申请"),
            after=(notify_extension_decided,),
        ),
        A.REFUSE_EXTENSION: Step(
            _("不批准延期"),
            allowed=_may_decide_extension,
            comment_required=True,
            denied=_("您不能审批该延期申请"),
            after=(notify_extension_decided,),
        ),
        A.REOPEN: Step(
            _("重新打开"), allowed=_may_reopen, comment_required=True, denied=_("您不能重新打开该隐患")
        ),
        A.ESCALATE: Step(_("逾期升级"), system=True),
    },
    log=HazardTransition,
    log_fk="hazard",
    after=(rollups.hazard_moved,),  # the statistics rollups, in the move's transaction
)
