"""The two small workflows of a major hazard, declared on the core workflow kit.

Report to the regulator (16号令 art. 14):

    (new) ──submit──▶ submitted ──acknowledge──▶ acknowledged

Suspension order and close-out (16号令 art. 23):

    (new) ──order──▶ ordered ──evaluate──▶ evaluated ──apply──▶ applied ──pass_review──▶ passed ──resume──▶ resumed
                        ▲                                         │
                        └──────────────── fail_review ────────────┘

Who: the enterprise's managers submit the report, the evaluation and (with its principal) the application to
resume; a county or sector-department officer whose scope reaches the enterprise signs for the report,
orders the suspension and reviews on site. `resume` is a system step taken when the regulator accepts and
closes the hazard (`services.hazard_accept`), so close-out and resumption are one act.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import Role
from safegrid.core.models import User
from safegrid.core.workflow import NEW, Step, TransitionEvent, Workflow
from safegrid.notifications.services import notify
from safegrid.regions.models import Department

from . import permissions
from .choices import MajorReportStatus, SuspensionStatus
from .models import (
    HiddenHazard,
    MajorHazardReport,
    MajorReportTransition,
    SuspensionOrder,
    SuspensionTransition,
)


class ReportAction(StrEnum):
    SUBMIT = "submit_report"
    ACKNOWLEDGE = "acknowledge_report"


class SuspensionAction(StrEnum):
    ORDER = "order_suspension"
    EVALUATE = "submit_evaluation"
    APPLY = "apply_resumption"
    PASS_REVIEW = "pass_review"
    FAIL_REVIEW = "fail_review"
    RESUME = "resume"  # system: the regulator's close-out of the hazard


def _system(actor: Actor) -> bool:
    return isinstance(actor, SystemActor)


def _enterprise_id(obj: MajorHazardReport | SuspensionOrder) -> int:
    return obj.hazard.enterprise_id


def _may_submit(actor: Actor, obj: Any) -> bool:
    return _system(actor) or permissions.is_manager(actor, _enterprise_id(obj))


def _may_apply(actor: Actor, obj: Any) -> bool:
    """The written application to resume: the enterprise's managers or its principal."""
    eid = _enterprise_id(obj)
    return _system(actor) or permissions.is_manager(actor, eid) or permissions.is_principal(actor, eid)


def _may_regulate(actor: Actor, obj: Any) -> bool:
    """County and sector-department officers whose scope reaches the enterprise."""
    return _system(actor) or permissions.can_supervise(actor, _enterprise_id(obj))


# ---- who hears about it --------------------------------------------------------------------------


def receiving_departments(enterprise: Any) -> list[Department]:
    """The departments that regulate the enterprise's sectors (管行业必须管安全); the county safety office
    when no department leads any of its sectors."""
    found = list(
        Department.objects.filter(sectors__in=enterprise.sectors.all(), is_safety_office=False)
        .distinct()
        .order_by("pk")
    )
    return found or list(Department.objects.filter(is_safety_office=True).order_by("pk"))


def _users(q: Q) -> list[User]:
    return list(User.objects.filter(q, is_active=True).distinct().order_by("pk"))


def department_officers(departments: list[Department]) -> list[User]:
    """The officers of `departments`; the county officers when none has an account."""
    officers = _users(
        Q(
            role_assignments__role=Role.DEPT_OFFICER,
            role_assignments__department__in=[d.pk for d in departments],
        )
    )
    return officers or _users(Q(role_assignments__role=Role.COUNTY_OFFICER))


def enterprise_managers(enterprise_id: int) -> list[User]:
    roles = sorted({*permissions.MANAGER_ROLES, *permissions.PRINCIPAL_ROLES})
    return _users(Q(role_assignments__enterprise_id=enterprise_id, role_assignments__role__in=roles))


def _url(hazard: HiddenHazard) -> str:
    return reverse("hazards:detail", args=[hazard.pk])


def notify_report_submitted(event: TransitionEvent[Any]) -> None:
    report: MajorHazardReport = event.obj
    hazard = report.hazard
    text = f"{hazard.enterprise.name}报告重大事故隐患「{hazard.title}」，请签收"
    officers = department_officers(receiving_departments(hazard.enterprise))  # the report's departments
    notify(officers, "hazards.major_report", hazard, text, url=_url(hazard))


def notify_report_acknowledged(event: TransitionEvent[Any]) -> None:
    hazard = event.obj.hazard
    text = f"重大事故隐患「{hazard.title}」的报告已由监管部门签收"
    notify(enterprise_managers(hazard.enterprise_id), "hazards.major_report", hazard, text, url=_url(hazard))


def _tell_enterprise(text: str) -> Any:
    def hook(event: TransitionEvent[Any]) -> None:
        order: SuspensionOrder = event.obj
        hazard = order.hazard
        message = text.format(title=hazard.title, number=order.document_number, comment=event.comment)
        notify(
            enterprise_managers(hazard.enterprise_id), "hazards.suspension", hazard, message, url=_url(hazard)
        )

    return hook


def _tell_regulators(text: str) -> Any:
    def hook(event: TransitionEvent[Any]) -> None:
        order: SuspensionOrder = event.obj
        hazard = order.hazard
        message = text.format(
            enterprise=hazard.enterprise.name, title=hazard.title, due=order.review_due or ""
        )
        recipients = department_officers(receiving_departments(hazard.enterprise))
        if order.ordered_by is not None:
            recipients.append(order.ordered_by)
        notify(recipients, "hazards.suspension", hazard, message, url=_url(hazard))

    return hook


RS, RA = MajorReportStatus, ReportAction

MAJOR_REPORT: Final = Workflow(
    model=MajorHazardReport,
    states=MajorReportStatus,
    transitions={(NEW, RA.SUBMIT): RS.SUBMITTED, (RS.SUBMITTED, RA.ACKNOWLEDGE): RS.ACKNOWLEDGED},
    steps={
        RA.SUBMIT: Step(
            _("报告监管部门"),
            allowed=_may_submit,
            denied=_("只有本企业的管理员或安全管理员可以报告重大事故隐患"),
            after=(notify_report_submitted,),
        ),
        RA.ACKNOWLEDGE: Step(
            _("签收重大隐患报告"),
            allowed=_may_regulate,
            denied=_("只有监管该企业的县级或行业主管部门可以签收"),
            after=(notify_report_acknowledged,),
        ),
    },
    log=MajorReportTransition,
    log_fk="report",
)

SS, SA = SuspensionStatus, SuspensionAction

SUSPENSION: Final = Workflow(
    model=SuspensionOrder,
    states=SuspensionStatus,
    transitions={
        (NEW, SA.ORDER): SS.ORDERED,
        (SS.ORDERED, SA.EVALUATE): SS.EVALUATED,
        (SS.EVALUATED, SA.APPLY): SS.APPLIED,
        (SS.APPLIED, SA.PASS_REVIEW): SS.PASSED,
        (SS.APPLIED, SA.FAIL_REVIEW): SS.ORDERED,
        (SS.PASSED, SA.RESUME): SS.RESUMED,
    },
    steps={
        SA.ORDER: Step(
            _("责令停产停业整改"),
            allowed=_may_regulate,
            denied=_("只有监管该企业的县级或行业主管部门可以责令停产停业整改"),
            after=(_tell_enterprise("重大事故隐患「{title}」被责令停产停业整改（{number}）"),),
        ),
        SA.EVALUATE: Step(
            _("提交评估报告"),
            allowed=_may_submit,
            denied=_("只有本企业的管理员或安全管理员可以提交评估报告"),
            after=(_tell_regulators("{enterprise}提交了重大事故隐患「{title}」的停产停业整改评估报告"),),
        ),
        SA.APPLY: Step(
            _("书面申请恢复生产"),
            allowed=_may_apply,
            denied=_("只有本企业的主要负责人、管理员或安全管理员可以申请恢复生产"),
            after=(
                _tell_regulators(
                    "{enterprise}申请恢复生产（重大事故隐患「{title}」），请于 {due} 前现场审查"
                ),
            ),
        ),
        SA.PASS_REVIEW: Step(
            _("现场审查合格"),
            allowed=_may_regulate,
            denied=_("只有监管该企业的县级或行业主管部门可以现场审查"),
            after=(_tell_enterprise("重大事故隐患「{title}」现场审查合格，待监管部门验收销号后恢复生产"),),
        ),
        SA.FAIL_REVIEW: Step(
            _("现场审查不合格"),
            allowed=_may_regulate,
            comment_required=True,
            denied=_("只有监管该企业的县级或行业主管部门可以现场审查"),
            after=(_tell_enterprise("重大事故隐患「{title}」现场审查不合格，继续停产停业整改：{comment}"),),
        ),
        SA.RESUME: Step(
            _("核销并恢复生产"),
            system=True,
            after=(_tell_enterprise("重大事故隐患「{title}」已验收销号，准予恢复生产（{number}）"),),
        ),
    },
    log=SuspensionTransition,
    log_fk="order",
)
