"""Every write of the quarterly/annual self-report (自查自报): generate, refresh, statement, sign and submit,
receive, return, revise.

Each state change goes through `workflows_selfreport.SELF_REPORT` on the core kit (lock, table,
permission, log, audit, notifications in one transaction); input is checked whole first and refused with
field-named Chinese messages; nothing is half-saved. The figures come from the statistics rollups
(`selfreport_figures.build`); the signer signs exactly the figures and statement they were shown (the
form carries their fingerprint).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core import signing
from safegrid.core.audit import Actor
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.core.services import authorize, object_update
from safegrid.core.text import TextRefused, clean_text
from safegrid.core.workflow import create, transition
from safegrid.enterprises.choices import EnterpriseStatus
from safegrid.enterprises.models import Enterprise
from safegrid.risks.rules.filing import signed_as_text
from safegrid.risks.selectors.delegation import active_delegation

from . import config, permissions, selfreport_figures
from .models_selfreport import HazardSelfReport, SelfReportStatus
from .rules import selfreport as rules
from .workflows_selfreport import SELF_REPORT, SelfReportAction

A = SelfReportAction
STATEMENT_MAX = 5000
# Enterprises that report: every one still in business (a suspended one too, it still has hazards).
REPORTING_STATUSES = (EnterpriseStatus.OPERATING, EnterpriseStatus.SUSPENDED)
PREPARE_DENIED = "只有本企业的管理员、安全管理员或主要负责人可以编制自查自报"


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def registered_on(enterprise: Enterprise) -> dt.date:
    return timezone.localtime(enterprise.created_at).date()


def must_report(enterprise: Enterprise, period: rules.Period) -> bool:
    closed = enterprise.status not in REPORTING_STATUSES
    return rules.must_report(period, registered_on(enterprise), closed, config.self_report_start())


def fingerprint(report: HazardSelfReport) -> str:
    """What the signer saw: the figures, when they were generated, and the statement."""
    content = {
        "figures": report.figures,
        "figures_at": report.figures_at.isoformat() if report.figures_at else "",
        "statement": report.statement,
    }
    data = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:24]


def _figures(enterprise: Enterprise, period: rules.Period, today: dt.date) -> dict[str, object]:
    return {
        "figures": selfreport_figures.build(enterprise, period, today),
        "figures_at": timezone.now(),
        "method_version": rules.METHOD_VERSION,
    }


def selfreport_generate(
    *, actor: Actor, enterprise: Enterprise, period: rules.Period, today: dt.date | None = None
) -> HazardSelfReport:
    """The draft report of `enterprise` for `period`, its figures generated from the rollups."""
    authorize(actor, lambda u: permissions.can_prepare_self_report(u, enterprise.pk), PREPARE_DENIED)
    day = _today(today)
    if not rules.has_ended(period, day):
        raise ValidationError(
            {"period": _("%(period)s尚未结束，结束后才能生成报告") % {"period": period.label}}
        )
    if not must_report(enterprise, period):
        raise ValidationError(
            {
                "period": _("该企业无需报送%(period)s的自查自报（期末尚未登记入系统或已关闭）")
                % {"period": period.label}
            }
        )
    existing = HazardSelfReport.objects.filter(
        enterprise=enterprise, period_kind=period.kind, year=period.year, quarter=period.quarter
    )
    if existing.exists():
        raise ValidationError({"period": _("%(period)s的自查自报已经生成") % {"period": period.label}})
    report = HazardSelfReport(
        enterprise=enterprise,
        period_kind=period.kind,
        year=period.year,
        quarter=period.quarter,
        period_start=period.start,
        period_end=period.end,
        due_date=rules.due_date(period, config.deadlines()),
        prepared_by=actor if isinstance(actor, User) else None,
        **_figures(enterprise, period, day),
    )
    try:
        with transaction.atomic():
            return create(report, A.GENERATE, actor=actor, workflow=SELF_REPORT)
    except IntegrityError:  # generated at the same moment by someone else
        raise ValidationError({"period": _("%(period)s的自查自报已经生成") % {"period": period.label}})


def selfreport_refresh(
    *, actor: Actor, report: HazardSelfReport, today: dt.date | None = None
) -> HazardSelfReport:
    """Generate a draft's figures again (hazards closed or checks recorded since)."""
    authorize(actor, lambda u: permissions.can_prepare_self_report(u, report.enterprise_id), PREPARE_DENIED)
    changes = _figures(report.enterprise, report.period, _today(today))
    return transition(report, A.REFRESH, actor=actor, workflow=SELF_REPORT, changes=changes)


def _clean_statement(statement: str) -> str:
    try:
        text = clean_text(statement or "", multiline=True)
    except TextRefused as exc:
        raise ValidationError({"statement": str(exc)}) from exc
    if len(text) > STATEMENT_MAX:
        raise ValidationError({"statement": _("自查情况说明不能超过 %(n)s 字") % {"n": STATEMENT_MAX}})
    return text


def selfreport_statement_save(*, actor: Actor, report: HazardSelfReport, statement: str) -> HazardSelfReport:
    """The statement of a draft (the enterprise's own account of its inspection and rectification)."""
    authorize(actor, lambda u: permissions.can_prepare_self_report(u, report.enterprise_id), PREPARE_DENIED)
    text = _clean_statement(statement)
    with transaction.atomic():
        locked = HazardSelfReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != SelfReportStatus.DRAFT:
            raise ValidationError({"statement": _("只有草稿状态的报告可以修改说明")})
        return object_update(actor=actor, obj=locked, data={"statement": text})


def selfreport_submit(
    *,
    actor: User,
    report: HazardSelfReport,
    password: str,
    fingerprint_seen: str,
    today: dt.date | None = None,
) -> HazardSelfReport:
    """The principal (or the holder of their written delegation) signs with their own login, re-entering
    their password, and so submits the report to the regulators. Refused when the figures or statement
    changed since the signer's page was opened, or without a statement."""
    authorize(
        actor,
        lambda u: permissions.can_sign_self_report(u, report.enterprise_id),
        str(SELF_REPORT.step(A.SUBMIT).denied_message),
    )
    day = _today(today)
    if not (report.statement or "").strip():
        raise ValidationError({"statement": _("请先填写自查情况说明，再签署报送")})
    if not rules.has_ended(report.period, day):
        raise ValidationError({"period": _("报告期尚未结束，不能报送")})
    signing.check_password(actor, report, password, purpose=_("自查自报签署"))
    delegation = None
    if not scope_for(actor).has_role(
        *permissions.SELF_REPORT_SIGNER_ROLES, enterprise_id=report.enterprise_id
    ):
        delegation = active_delegation(actor, report.enterprise_id)
    signer = (actor.display_name or actor.username)[:32]
    signed_as = signer if delegation is None else signed_as_text(signer, delegation.delegator_name)
    now = timezone.now()

    def prepare(locked: HazardSelfReport) -> None:
        if fingerprint(locked) != (fingerprint_seen or ""):
            raise ValidationError({"fingerprint": _("报告内容在您打开页面后有变化，请核对最新内容后再签署")})
        if not locked.statement.strip():
            raise ValidationError({"statement": _("请先填写自查情况说明，再签署报送")})
        if locked.first_submitted_at is None:
            locked.first_submitted_at = now
            locked.days_late = rules.days_late(locked.period, day, config.deadlines())

    return transition(
        report,
        A.SUBMIT,
        actor=actor,
        workflow=SELF_REPORT,
        comment=_("签署人：%(signer)s") % {"signer": signed_as},
        evidence={"fingerprint": fingerprint_seen},
        changes={
            "signer_name": signed_as,
            "signed_by": actor,
            "signed_at": now,
            "signed_delegation": delegation,
        },
        prepare=prepare,
    )


def selfreport_receive(*, actor: Actor, report: HazardSelfReport, comment: str = "") -> HazardSelfReport:
    """A regulator of the enterprise receives (查收) a submitted report."""
    return _review(actor=actor, report=report, action=A.RECEIVE, comment=comment)


def selfreport_return(*, actor: Actor, report: HazardSelfReport, comment: str) -> HazardSelfReport:
    """A regulator returns a submitted report with what must change (the comment is required)."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("退回时须填写意见，说明需要修改的内容")})
    return _review(actor=actor, report=report, action=A.RETURN, comment=comment)


def _review(*, actor: Actor, report: HazardSelfReport, action: str, comment: str) -> HazardSelfReport:
    authorize(
        actor,
        lambda u: permissions.can_receive_self_report(u, report.enterprise_id),
        str(SELF_REPORT.step(action).denied_message),
    )
    text = _clean_comment(comment)
    return transition(
        report,
        action,
        actor=actor,
        workflow=SELF_REPORT,
        comment=text,
        changes={
            "reviewed_by": actor if isinstance(actor, User) else None,
            "reviewed_at": timezone.now(),
            "review_comment": text,
        },
    )


def _clean_comment(comment: str) -> str:
    try:
        text = clean_text(comment or "", multiline=True)
    except TextRefused as exc:
        raise ValidationError({"comment": str(exc)}) from exc
    if len(text) > STATEMENT_MAX:
        raise ValidationError({"comment": _("意见不能超过 %(n)s 字") % {"n": STATEMENT_MAX}})
    return text


def selfreport_revise(
    *, actor: Actor, report: HazardSelfReport, today: dt.date | None = None
) -> HazardSelfReport:
    """A returned report becomes a draft again, its figures generated afresh (the signature is cleared;
    the first submission, and so the lateness, stays)."""
    authorize(actor, lambda u: permissions.can_prepare_self_report(u, report.enterprise_id), PREPARE_DENIED)
    changes = {
        **_figures(report.enterprise, report.period, _today(today)),
        "signer_name": "",
        "signed_by": None,
        "signed_at": None,
        "signed_delegation": None,
    }
    return transition(report, A.REVISE, actor=actor, workflow=SELF_REPORT, changes=changes)
