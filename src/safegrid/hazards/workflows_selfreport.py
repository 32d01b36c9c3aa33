"""The self-report (自查自报) workflow, declared once on the core workflow kit.

    (new) ─generate─▶ draft ─submit (signed)─▶ submitted ─receive─▶ received
                       ▲ │refresh                  └─return─▶ returned ─revise─▶ draft
                       └─┘

The enterprise's managers (or its principal) generate the draft from the statistics and write the
statement; the legal representative/principal — or the holder of their written signing delegation —
signs it with their own login (password re-entered) and so submits it to the regulators; a regulator
whose scope reaches the enterprise receives it (查收) or returns it with a comment, and the enterprise
revises and signs again. Lateness is decided by the first submission. `selfreports.py` moves reports
only through `core.workflow.create`/`transition` with `SELF_REPORT`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safegrid.core.audit import Actor, SystemActor
from safegrid.core.models import User
from safegrid.core.workflow import NEW, Step, TransitionEvent, Workflow
from safegrid.notifications.services import notify

from . import deadline_watch, permissions
from .models_selfreport import HazardSelfReport, SelfReportStatus, SelfReportTransition

S = SelfReportStatus


class SelfReportAction(StrEnum):
    GENERATE = "generate"
    REFRESH = "refresh"
    SUBMIT = "submit"
    RECEIVE = "receive"
    RETURN = "return"
    REVISE = "revise"


A = SelfReportAction


def _system(actor: Actor) -> bool:
    return isinstance(actor, SystemActor)


def _may_prepare(actor: Actor, report: HazardSelfReport) -> bool:
    return _system(actor) or permissions.can_prepare_self_report(actor, report.enterprise_id)


def _may_sign(actor: Actor, report: HazardSelfReport) -> bool:
    return _system(actor) or permissions.can_sign_self_report(actor, report.enterprise_id)


def _may_receive(actor: Actor, report: HazardSelfReport) -> bool:
    return _system(actor) or permissions.can_receive_self_report(actor, report.enterprise_id)


# ---- who hears about it --------------------------------------------------------------------------


def preparers(enterprise_id: int) -> list[User]:
    return deadline_watch.enterprise_users(enterprise_id, permissions.SELF_REPORT_PREPARER_ROLES)


def regulators(report: HazardSelfReport) -> list[User]:
    """The enterprise's town officers and the officers of the departments regulating its sectors (the
    county office when none does)."""
    enterprise = report.enterprise
    return [*deadline_watch.town_officers(enterprise), *deadline_watch.county_regulators(enterprise)]


def report_url(report: HazardSelfReport) -> str:
    return reverse("hazards:self_report", args=[report.pk])


def _name(report: HazardSelfReport) -> str:
    return gettext("%(enterprise)s%(period)s隐患排查治理自查自报") % {
        "enterprise": report.enterprise.name,
        "period": report.period.label,
    }


def notify_submitted(event: TransitionEvent[Any]) -> None:
    report: HazardSelfReport = event.obj
    if report.days_late:
        text = gettext("%(name)s已由%(signer)s签署报送（逾期 %(n)s 天），请查收") % {
            "name": _name(report),
            "signer": report.signer_name,
            "n": report.days_late,
        }
    else:
        text = gettext("%(name)s已由%(signer)s签署报送，请查收") % {
            "name": _name(report),
            "signer": report.signer_name,
        }
    notify(regulators(report), "hazards.self_report_submitted", report, text, url=report_url(report))


def notify_reviewed(event: TransitionEvent[Any]) -> None:
    report: HazardSelfReport = event.obj
    if event.action == A.RETURN:
        text = gettext("%(name)s被监管部门退回：%(comment)s") % {
            "name": _name(report),
            "comment": event.comment,
        }
    else:
        text = gettext("%(name)s已被监管部门查收") % {"name": _name(report)}
    people = preparers(report.enterprise_id)
    if report.signed_by is not None:
        people.append(report.signed_by)
    notify(people, "hazards.self_report_reviewed", report, text, url=report_url(report))


SELF_REPORT: Final = Workflow(
    model=HazardSelfReport,
    states=SelfReportStatus,
    transitions={
        (NEW, A.GENERATE): S.DRAFT,
        (S.DRAFT, A.REFRESH): S.DRAFT,
        (S.DRAFT, A.SUBMIT): S.SUBMITTED,
        (S.SUBMITTED, A.RECEIVE): S.RECEIVED,
        (S.SUBMITTED, A.RETURN): S.RETURNED,
        (S.RETURNED, A.REVISE): S.DRAFT,
    },
    steps={
        A.GENERATE: Step(
            _("生成报告"),
            allowed=_may_prepare,
            denied=_("只有本企业的管理员、安全管理员或主要负责人可以编制自查自报"),
        ),
        A.REFRESH: Step(
            _("重新生成数据"),
            allowed=_may_prepare,
            denied=_("只有本企业的管理员、安全管理员或主要负责人可以编制自查自报"),
        ),
        A.SUBMIT: Step(
            _("签署报送"),
            allowed=_may_sign,
            denied=_("自查自报须由主要负责人（法定代表人）本人或其书面委托的签署人用自己的账号签署报送"),
            after=(notify_submitted,),
        ),
        A.RECEIVE: Step(
            _("查收"),
            allowed=_may_receive,
            denied=_("只有监管范围包括该企业的县级部门、行业主管部门或镇街可以查收"),
            after=(notify_reviewed,),
        ),
        A.RETURN: Step(
            _("退回"),
            allowed=_may_receive,
            comment_required=True,
            denied=_("只有监管范围包括该企业的县级部门、行业主管部门或镇街可以退回"),
            after=(notify_reviewed,),
        ),
        A.REVISE: Step(
            _("修改后重新报送"),
            allowed=_may_prepare,
            denied=_("只有本企业的管理员、安全管理员或主要负责人可以编制自查自报"),
        ),
    },
    log=SelfReportTransition,
    log_fk="report",
    audit_exclude=("figures",),
)
