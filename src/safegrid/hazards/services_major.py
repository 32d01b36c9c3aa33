"""Every write of a major hazard's own records: the six-part treatment plan (a new version per change), the
report to the regulator and its acknowledgement, and the suspension order with its close-out.

Reports and suspension orders move only through `core.workflow.create`/`transition` with the workflows of
`workflows_major` (lock, table, permission, log, audit, notifications in one transaction). Input is checked
whole first and refused with field-named Chinese messages; nothing is half-saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core import audit
from safegrid.core.audit import Actor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User
from safegrid.core.services import authorize
from safegrid.core.workflow import create, transition

from . import permissions
from .choices import HazardLevel, HazardStatus, ReviewResult, SuspensionStatus
from .config import deadlines
from .models import HiddenHazard, MajorHazardReport, SuspensionOrder, TreatmentPlan
from .rules import major
from .rules.deadlines import review_due
from .workflows_major import MAJOR_REPORT, SUSPENSION, ReportAction, SuspensionAction, receiving_departments

# A major hazard's own records are written while it is being dealt with: after confirmation, before close-out.
WORKING_STATUSES = frozenset(
    {
        HazardStatus.CONFIRMED,
        HazardStatus.RECTIFYING,
        HazardStatus.EXTENSION_REQUESTED,
        HazardStatus.AWAITING_ACCEPTANCE,
    }
)


@dataclass(frozen=True)
class FileIn:
    """An uploaded file as received: its bytes and name."""

    content: bytes
    name: str


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _major_and_working(hazard: HiddenHazard, errors: dict[str, list[str]]) -> None:
    if hazard.level != HazardLevel.MAJOR:
        errors["hazard"] = [_("只有重大事故隐患需要办理此项")]
    elif hazard.status not in WORKING_STATUSES:
        errors["hazard"] = [
            _("隐患当前状态为「%(status)s」，须在确认后、销号前办理")
            % {"status": hazard.get_status_display()}
        ]


# ---- the treatment plan -----------------------------------------------------------------------------


def current_plan(hazard: HiddenHazard) -> TreatmentPlan | None:
    return hazard.treatment_plans.order_by("-version").first()


def plan_parts(plan: TreatmentPlan | None) -> dict[str, str]:
    return {name: getattr(plan, name) for name in major.PLAN_FIELDS} if plan is not None else {}


def plan_save(*, actor: Actor, hazard: HiddenHazard, parts: Mapping[str, str]) -> TreatmentPlan:
    """Save the major hazard's six-part treatment plan as a new version (the old ones are kept).

    All six parts are required; unchanged text saves nothing and returns the current version.
    """
    authorize(
        actor,
        lambda u: permissions.is_manager(u, hazard.enterprise_id),
        _("只有本企业的管理员或安全管理员可以编制治理方案"),
    )
    unknown = sorted(set(parts) - set(major.PLAN_FIELDS))
    if unknown:
        raise ValueError(f"unexpected plan parts: {unknown}")
    errors: dict[str, list[str]] = {}
    _major_and_working(hazard, errors)
    labels = dict(major.PLAN_PARTS)
    for name in major.missing_plan_parts(parts):
        errors[name] = [_("治理方案须写明%(what)s") % {"what": labels[name]}]
    if errors:
        raise ValidationError(errors)
    cleaned = {name: parts[name].strip() for name in major.PLAN_FIELDS}
    with transaction.atomic():
        HiddenHazard.objects.select_for_update().filter(pk=hazard.pk).first()  # one version number at a time
        latest = current_plan(hazard)
        if latest is not None and plan_parts(latest) == cleaned:
            return latest
        version = (hazard.treatment_plans.aggregate(top=Max("version"))["top"] or 0) + 1
        plan = TreatmentPlan(
            hazard=hazard, version=version, written_by=_user(actor), written_at=timezone.now(), **cleaned
        )
        plan.full_clean()
        plan.save(force_insert=True)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=plan,
            before=plan_parts(latest) or None,
            after=audit.snapshot(plan),
            comment=_("编制重大隐患治理方案（第 %(n)s 版）") % {"n": version},
        )
    return plan


# ---- the report to the regulator ----------------------------------------------------------------------


def major_report_submit(
    *,
    actor: Actor,
    hazard: HiddenHazard,
    state_and_cause: str,
    severity_and_difficulty: str,
    interim_measures: Sequence[str],
    interim_other: str = "",
) -> MajorHazardReport:
    """Report a confirmed major hazard to the regulators of the enterprise's sectors: the state and its
    cause, the severity and how hard it is to fix, the current treatment plan, and the interim measures."""
    errors: dict[str, list[str]] = {}
    _major_and_working(hazard, errors)
    if MajorHazardReport.objects.filter(hazard=hazard).exists():
        errors["hazard"] = [_("该重大事故隐患已报告监管部门")]
    if not (state_and_cause or "").strip():
        errors["state_and_cause"] = [_("请填写隐患的现状及其产生原因")]
    if not (severity_and_difficulty or "").strip():
        errors["severity_and_difficulty"] = [_("请填写隐患的危害程度和整改难易程度分析")]
    plan = current_plan(hazard)
    if major.missing_plan_parts(plan_parts(plan)):
        errors["treatment_plan"] = [_("请先编制完整的治理方案（六项内容），报告须附治理方案")]
    codes = list(dict.fromkeys(interim_measures or ()))
    problem = major.interim_problem(codes, interim_other)
    if problem:
        errors["interim_measures"] = [problem]
    if errors:
        raise ValidationError(errors)
    assert plan is not None
    departments = receiving_departments(hazard.enterprise)
    report = MajorHazardReport(
        hazard=hazard,
        state_and_cause=state_and_cause.strip(),
        severity_and_difficulty=severity_and_difficulty.strip(),
        plan=plan,
        interim_measures=codes,
        interim_other=(interim_other or "").strip(),
        submitted_by=_user(actor),
        submitted_at=timezone.now(),
    )
    evidence = {"plan_version": plan.version, "departments": [d.pk for d in departments]}
    with transaction.atomic():
        create(report, ReportAction.SUBMIT, actor=actor, workflow=MAJOR_REPORT, evidence=evidence)
        report.departments.set(departments)
    return report


def major_report_acknowledge(
    *, actor: Actor, report: MajorHazardReport, comment: str = ""
) -> MajorHazardReport:
    """The receiving regulator signs for the report."""
    return transition(
        report,
        ReportAction.ACKNOWLEDGE,
        actor=actor,
        workflow=MAJOR_REPORT,
        comment=comment,
        changes={
            "acknowledged_by": _user(actor),
            "acknowledged_at": timezone.now(),
            "acknowledge_comment": (comment or "").strip(),
        },
    )


def major_ready_problems(hazard: HiddenHazard) -> dict[str, list[str]]:
    """What a major hazard still lacks before rectification may start: the complete six-part plan and the
    report to the regulator (empty when nothing is missing, and for general hazards)."""
    if hazard.level != HazardLevel.MAJOR:
        return {}
    errors: dict[str, list[str]] = {}
    missing = major.missing_plan_parts(plan_parts(current_plan(hazard)))
    if missing:
        labels = dict(major.PLAN_PARTS)
        errors["treatment_plan"] = [
            _("重大事故隐患须先制定治理方案，尚缺：%(parts)s")
            % {"parts": "、".join(str(labels[name]) for name in missing)}
        ]
    if not MajorHazardReport.objects.filter(hazard=hazard).exists():
        errors["major_report"] = [
            _("重大事故隐患须先报告监管部门（现状及原因、危害程度和整改难易程度、治理方案）")
        ]
    return errors


# ---- the suspension order and its close-out --------------------------------------------------------------


def suspension_order(
    *,
    actor: Actor,
    hazard: HiddenHazard,
    document_number: str,
    ordered_on: dt.date | None,
    ends_on: dt.date | None,
    scope_text: str = "",
    today: dt.date | None = None,
) -> SuspensionOrder:
    """Record a suspension order (责令停产停业整改) on an open major hazard: document number, order date and
    the end of the suspension (at most the configured months after the order)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    _major_and_working(hazard, errors)
    if SuspensionOrder.objects.filter(hazard=hazard).exists():
        errors["hazard"] = [_("该隐患已有停产停业整改记录")]
    if not (document_number or "").strip():
        errors["document_number"] = [_("请填写执法文书编号")]
    elif SuspensionOrder.objects.filter(document_number=document_number.strip()).exists():
        errors["document_number"] = [_("该执法文书编号已登记")]
    if ordered_on is None:
        errors["ordered_on"] = [_("请填写责令日期")]
    elif ordered_on > today:
        errors["ordered_on"] = [_("责令日期不能晚于今天")]
    if ends_on is None:
        errors["ends_on"] = [_("请填写停产停业整改期限")]
    elif ordered_on is not None:
        problem = major.suspension_end_problem(ordered_on, ends_on, deadlines())
        if problem:
            errors["ends_on"] = [problem]
    if errors:
        raise ValidationError(errors)
    assert ordered_on is not None and ends_on is not None
    order = SuspensionOrder(
        hazard=hazard,
        document_number=document_number.strip(),
        ordered_on=ordered_on,
        ends_on=ends_on,
        scope_text=(scope_text or "").strip(),
        ordered_by=_user(actor),
        ordered_at=timezone.now(),
    )
    return create(order, SuspensionAction.ORDER, actor=actor, workflow=SUSPENSION)


def suspension_evaluate(
    *, actor: Actor, order: SuspensionOrder, evaluator: str, summary: str, document: FileIn | None = None
) -> SuspensionOrder:
    """The enterprise's evaluation report (its experts or a qualified agency): who evaluated, the
    conclusion, and the report itself (PDF or scan)."""
    errors: dict[str, list[str]] = {}
    if not (evaluator or "").strip():
        errors["evaluator"] = [_("请填写评估单位或专家")]
    if not (summary or "").strip():
        errors["summary"] = [_("请填写评估结论")]
    if document is not None:
        problem = major.evaluation_file_problem(document.name, document.content[:16], len(document.content))
        if problem:
            errors["document"] = [problem]
    if errors:
        raise ValidationError(errors)

    def attach(locked: SuspensionOrder) -> None:
        if document is not None:
            extension = document.name.rsplit(".", 1)[-1].lower()
            locked.evaluation_file.save(
                f"evaluation-{locked.pk}.{extension}", ContentFile(document.content), save=False
            )

    return transition(
        order,
        SuspensionAction.EVALUATE,
        actor=actor,
        workflow=SUSPENSION,
        comment=summary,
        changes={
            "evaluator": evaluator.strip(),
            "evaluation_summary": summary.strip(),
            "evaluated_at": timezone.now(),
        },
        prepare=attach,
    )


def suspension_apply(
    *,
    actor: Actor,
    order: SuspensionOrder,
    application_text: str,
    applied_on: dt.date | None = None,
    today: dt.date | None = None,
) -> SuspensionOrder:
    """The written application to resume; the regulator's on-site review falls due the configured number
    of days later (10 by default)."""
    today = today or timezone.localdate()
    applied_on = applied_on or today
    errors: dict[str, list[str]] = {}
    if not (application_text or "").strip():
        errors["application_text"] = [_("请填写恢复生产申请的内容")]
    if applied_on > today:
        errors["applied_on"] = [_("申请日期不能晚于今天")]
    elif applied_on < order.ordered_on:
        errors["applied_on"] = [_("申请日期不能早于责令日期")]
    if errors:
        raise ValidationError(errors)
    return transition(
        order,
        SuspensionAction.APPLY,
        actor=actor,
        workflow=SUSPENSION,
        comment=application_text,
        changes={
            "application_text": application_text.strip(),
            "applied_on": applied_on,
            "review_due": review_due(applied_on, deadlines()),
        },
    )


def suspension_review(
    *,
    actor: Actor,
    order: SuspensionOrder,
    passed: bool,
    reviewed_on: dt.date | None,
    comment: str = "",
    today: dt.date | None = None,
) -> SuspensionOrder:
    """The regulator's on-site review of the application. Passed: the hazard may be accepted and closed,
    which resumes production. Failed (a reason is required): back to suspension; the round's evaluation
    and application are kept in the log, and a new evaluation and application follow."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if reviewed_on is None:
        errors["reviewed_on"] = [_("请填写现场审查日期")]
    elif reviewed_on > today:
        errors["reviewed_on"] = [_("现场审查日期不能晚于今天")]
    elif order.applied_on is not None and reviewed_on < order.applied_on:
        errors["reviewed_on"] = [_("现场审查日期不能早于申请日期")]
    if not passed and not (comment or "").strip():
        errors["comment"] = [_("现场审查不合格须写明理由")]
    if errors:
        raise ValidationError(errors)
    result = ReviewResult.PASS if passed else ReviewResult.FAIL
    changes: dict[str, Any] = {
        "reviewed_on": reviewed_on,
        "review_result": result,
        "review_comment": (comment or "").strip(),
        "reviewed_by": _user(actor),
    }
    evidence = {
        "evaluator": order.evaluator,
        "evaluation_summary": order.evaluation_summary,
        "evaluation_file": order.evaluation_file.name or "",
        "application_text": order.application_text,
        "applied_on": order.applied_on.isoformat() if order.applied_on else None,
        "review_due": order.review_due.isoformat() if order.review_due else None,
        "reviewed_on": reviewed_on.isoformat() if reviewed_on else None,
        "result": str(result),
    }
    if not passed:  # the next round starts from a fresh evaluation
        changes.update(
            {
                "evaluator": "",
                "evaluation_summary": "",
                "evaluation_file": "",
                "evaluated_at": None,
                "application_text": "",
                "applied_on": None,
                "review_due": None,
            }
        )
    action = SuspensionAction.PASS_REVIEW if passed else SuspensionAction.FAIL_REVIEW
    return transition(
        order, action, actor=actor, workflow=SUSPENSION, comment=comment, evidence=evidence, changes=changes
    )


def suspension_state(hazard: HiddenHazard) -> major.SuspensionState | None:
    order = SuspensionOrder.objects.filter(hazard=hazard).first()
    if order is None:
        return None
    return major.SuspensionState(
        order.status, order.status in (SuspensionStatus.PASSED, SuspensionStatus.RESUMED)
    )


def resume_on_close(*, actor: Actor, hazard: HiddenHazard) -> SuspensionOrder | None:
    """Called by the hazard's close-out (inside its transaction): a passed suspension resumes."""
    order = SuspensionOrder.objects.filter(hazard=hazard, status=SuspensionStatus.PASSED).first()
    if order is None:
        return None
    return transition(
        order,
        SuspensionAction.RESUME,
        actor=actor,
        workflow=SUSPENSION,
        changes={"resumed_at": timezone.now()},
    )
