"""Pages of a major hazard's own steps (sections of the hazard's detail page): the treatment plan, the
report to the regulator and its acknowledgement, the suspension order and its close-out; the workers'
notice board (公示栏) of an enterprise's open major hazards and its printable PDF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from safegrid.core.forms import add_service_errors
from safegrid.core.models import User

from . import permissions, selectors, selectors_major, services_major
from .choices import HazardLevel, ReviewResult
from .config import deadlines
from .documents.notice_pdf import major_notice_pdf
from .forms_major import (
    AcknowledgeForm,
    ApplicationForm,
    EvaluationForm,
    MajorReportForm,
    PlanForm,
    ReviewForm,
    SuspensionOrderForm,
)
from .models import HiddenHazard
from .rules import major
from .services_major import WORKING_STATUSES, FileIn
from .workflows_major import MAJOR_REPORT, SUSPENSION, ReportAction, SuspensionAction


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


@dataclass(frozen=True)
class MajorStep:
    """One step of the major-hazard sections: its label, form and the service call it makes."""

    label: Any
    form: Callable[..., Any]
    run: Callable[[User, HiddenHazard, dict[str, Any]], Any]


def _order(user: User, hazard: HiddenHazard) -> Any:
    found = selectors_major.suspension_of(user, hazard)
    if found is None:
        raise ValidationError({"hazard": [gettext("该隐患没有停产停业整改记录")]})
    return found


def _report(user: User, hazard: HiddenHazard) -> Any:
    found = selectors_major.report_of(user, hazard)
    if found is None:
        raise ValidationError({"hazard": [gettext("该隐患尚未报告监管部门")]})
    return found


def _file(upload: Any) -> FileIn | None:
    return FileIn(upload.read(), upload.name) if upload else None


STEPS: dict[str, MajorStep] = {
    "plan": MajorStep(
        _("保存治理方案"),
        PlanForm,
        lambda u, h, d: services_major.plan_save(actor=u, hazard=h, parts=d),
    ),
    "report": MajorStep(
        _("报告监管部门"),
        MajorReportForm,
        lambda u, h, d: services_major.major_report_submit(actor=u, hazard=h, **d),
    ),
    "acknowledge": MajorStep(
        _("签收"),
        AcknowledgeForm,
        lambda u, h, d: services_major.major_report_acknowledge(actor=u, report=_report(u, h), **d),
    ),
    "suspend": MajorStep(
        _("责令停产停业整改"),
        SuspensionOrderForm,
        lambda u, h, d: services_major.suspension_order(actor=u, hazard=h, **d),
    ),
    "evaluate": MajorStep(
        _("提交评估报告"),
        EvaluationForm,
        lambda u, h, d: services_major.suspension_evaluate(
            actor=u,
            order=_order(u, h),
            evaluator=d["evaluator"],
            summary=d["summary"],
            document=_file(d["document"]),
        ),
    ),
    "apply": MajorStep(
        _("书面申请恢复生产"),
        ApplicationForm,
        lambda u, h, d: services_major.suspension_apply(actor=u, order=_order(u, h), **d),
    ),
    "review": MajorStep(
        _("现场审查"),
        ReviewForm,
        lambda u, h, d: services_major.suspension_review(
            actor=u,
            order=_order(u, h),
            passed=d["result"] == ReviewResult.PASS,
            reviewed_on=d["reviewed_on"],
            comment=d["comment"],
        ),
    ),
}


def available_steps(user: User, hazard: HiddenHazard, report: Any, order: Any) -> list[str]:
    """The major-hazard steps this user may take on `hazard` now (the sections' forms)."""
    if hazard.level != HazardLevel.MAJOR:
        return []
    working = hazard.status in WORKING_STATUSES
    eid = hazard.enterprise_id
    steps = []
    if working and permissions.is_manager(user, eid):
        steps.append("plan")
        if report is None:
            steps.append("report")
    if report is not None and any(
        a == ReportAction.ACKNOWLEDGE for a, _l in MAJOR_REPORT.available(user, report)
    ):
        steps.append("acknowledge")
    if order is None:
        if working and permissions.can_supervise(user, eid):
            steps.append("suspend")
    else:
        moves = {action for action, _label in SUSPENSION.available(user, order)}
        if SuspensionAction.EVALUATE in moves:
            steps.append("evaluate")
        if SuspensionAction.APPLY in moves:
            steps.append("apply")
        if SuspensionAction.PASS_REVIEW in moves:
            steps.append("review")
    return steps


# The close-out sequence as the page shows it: the state each step leads to, in order.
SUSPENSION_STEPS = (
    ("ordered", _("责令停产停业整改")),
    ("evaluated", _("评估报告")),
    ("applied", _("书面申请恢复生产")),
    ("passed", _("现场审查合格")),
    ("resumed", _("核销并恢复生产")),
)


def _done(status: str) -> tuple[str, ...]:
    codes = [code for code, _label in SUSPENSION_STEPS]
    return tuple(codes[: codes.index(status) + (status == "resumed")]) if status in codes else ()


def _initial(step: str, hazard: HiddenHazard) -> dict[str, Any]:
    today = timezone.localdate()
    if step == "plan":
        return services_major.plan_parts(services_major.current_plan(hazard))
    if step == "report":
        return {"state_and_cause": "\n".join(x for x in (hazard.description, hazard.cause) if x)}
    if step == "suspend":
        return {"ordered_on": today, "ends_on": major.suspension_latest_end(today, deadlines())}
    if step in ("apply", "review"):
        return {"applied_on": today, "reviewed_on": today}
    return {}


def _labelled(rows: list[Any]) -> list[Any]:
    for row in rows:
        workflow = MAJOR_REPORT if hasattr(row, "report_id") else SUSPENSION
        row.label = workflow.action_label(row.action)
    return rows


def major_context(
    request: HttpRequest, hazard: HiddenHazard, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the detail page's major-hazard sections need (empty for a general hazard)."""
    if hazard.level != HazardLevel.MAJOR:
        return {}
    user = _actor(request)
    report = selectors_major.report_of(user, hazard)
    order = selectors_major.suspension_of(user, hazard)
    versions = selectors_major.plan_versions(user, hazard)
    forms = {}
    for step in available_steps(user, hazard, report, order):
        form = (bound or {}).get(step) or STEPS[step].form(initial=_initial(step, hazard))
        forms[step] = (STEPS[step].label, form)
    today = timezone.localdate()
    config = deadlines()
    return {
        "plan": versions[0] if versions else None,
        "plan_versions": versions,
        "plan_rows": [(label, getattr(versions[0], name)) for name, label in major.PLAN_PARTS]
        if versions
        else [],
        "major_report": report,
        "report_interim": major.interim_text(report.interim_measures, report.interim_other) if report else "",
        "suspension": order,
        "review_late": major.review_overdue(
            order.applied_on if order else None, today, order is None or order.status != "applied", config
        ),
        "major_forms": forms,
        "major_timeline": _labelled(selectors_major.major_timeline(user, hazard)),
        "suspension_limit": config.suspension_max_months,
        "suspension_steps": SUSPENSION_STEPS,
        "suspension_done": _done(order.status) if order else (),
        "review_days": config.review_days,
        "report_due": major.report_due(hazard.confirmed_at, config) if report is None else None,
    }


@require_POST
@login_required
def major_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    hazard = selectors.hazard_get(request.user, pk)  # out of scope: 404 before anything else
    spec = STEPS.get(step)
    if spec is None:
        raise Http404(gettext("没有这个操作"))
    form = spec.form(request.POST, request.FILES)
    if form.is_valid():
        try:
            spec.run(_actor(request), hazard, dict(form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("已%(action)s") % {"action": spec.label})
            return HttpResponseRedirect(reverse("hazards:detail", args=[hazard.pk]) + "#major")
    from .views import render_detail

    return render_detail(
        request, selectors.hazard_get(request.user, pk), major_bound={step: form}, status=422
    )


@require_safe
@login_required
def evaluation_file(request: HttpRequest, pk: int) -> FileResponse:
    """The evaluation report of a suspension order (scoped: out of scope 404)."""
    order = selectors_major.suspension_get(request.user, pk)
    if not order.evaluation_file:
        raise Http404(gettext("没有评估报告文件"))
    try:
        handle = order.evaluation_file.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("评估报告文件缺失")) from None
    name = order.evaluation_file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


@require_safe
@login_required
def notice_board(request: HttpRequest, enterprise: int) -> HttpResponse:
    found, rows = selectors_major.notice_board(request.user, enterprise)
    context = {
        "enterprise": found,
        "rows": rows,
        "today": timezone.localdate(),
        "title": gettext("重大事故隐患公示栏"),
    }
    return render(request, "hazards/notice_board.html", context)


@require_safe
@login_required
def notice_board_pdf(request: HttpRequest, enterprise: int) -> HttpResponse:
    found, rows = selectors_major.notice_board(request.user, enterprise)
    data = major_notice_pdf(found.name, rows, timezone.localdate())
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="major-hazards-{found.pk}.pdf"'
    return response
