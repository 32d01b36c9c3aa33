"""Pages of a major hazard source's lifecycle: the unit's lifecycle page (filing and its history, triggers,
re-assessment due date, drills, tests, deregistration), the forms of each record, the regulator's review
page and the due/overdue list. Reads through `selectors.lifecycle` (out of scope 404), writes through
`services.lifecycle` (the permission is checked there; the pages only hide what a user may not do)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from safegrid.core.forms import add_service_errors
from safegrid.core.models import User

from .. import config
from ..forms.lifecycle import (
    CommentForm,
    DeregistrationForm,
    DrillForm,
    FacilityTestForm,
    FilingForm,
    TriggerForm,
)
from ..lifecycle_workflows import DEREGISTRATION, FILING, FilingAction, can_review, is_manager, is_reviewer
from ..models import HazardUnit
from ..rules import lifecycle as rules
from ..selectors import lifecycle as selectors
from ..services import lifecycle as services

MISSED_DAYS = 90  # the window of the responsible persons' missed checks shown on the due list


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


def _timeline(workflow: Any, rows: Any) -> list[dict[str, Any]]:
    return [
        {
            "label": workflow.action_label(t.action),
            "at": t.at,
            "actor_label": t.actor_label,
            "comment": t.comment,
        }
        for t in rows
    ]


def panel_context(user: Any, unit: HazardUnit) -> dict[str, Any]:
    """What `majorhazards/lifecycle/_unit_panel.html` needs: include it with these names in the context."""
    today = timezone.localdate()
    life = selectors.unit_lifecycle(user, unit, today)
    return {
        "unit": unit,
        "life": life,
        "today": today,
        "may_write": is_manager(user, unit.enterprise_id) and not life.deregistered,
        "may_review": can_review(user, unit.enterprise_id),
        "filing_days": config.lifecycle().filing_days,
    }


def _lifecycle_context(request: HttpRequest, unit: HazardUnit, comment_form: Any = None) -> dict[str, Any]:
    user = _actor(request)
    from .responsibility import panel_context as responsibility_panel

    context = panel_context(user, unit) | responsibility_panel(user, unit)
    life = context["life"]
    shown = life.open or life.current
    context |= {
        "title": gettext("备案与评估"),
        "shown": shown,
        "timeline": _timeline(FILING, shown.transitions.all()) if shown else [],
        "filing_actions": FILING.available(user, shown) if shown else [],
        "deregistration_actions": DEREGISTRATION.available(user, life.deregistration)
        if life.deregistration
        else [],
        "deregistration_timeline": _timeline(DEREGISTRATION, life.deregistration.transitions.all())
        if life.deregistration
        else [],
        "comment_form": comment_form or CommentForm(),
        "trigger_labels": rules.TRIGGER_LABELS,
        "sources": rules.SOURCES,
    }
    return context


@require_safe
@login_required
def unit_lifecycle(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    return render(request, "majorhazards/lifecycle/unit.html", _lifecycle_context(request, unit))


def _form_page(
    request: HttpRequest,
    *,
    form_class: Callable[..., Any],
    title: str,
    back: str,
    run: Callable[[dict[str, Any]], Any],
    success: str,
    initial: dict[str, Any] | None = None,
    intro: str = "",
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    kwargs = form_kwargs or {}
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            try:
                run(dict(form.cleaned_data))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, success)
                return HttpResponseRedirect(back)
        status = 422
    else:
        form = form_class(initial=initial or {}, **kwargs)
    context = {"form": form, "title": title, "cancel_url": back, "intro": intro}
    return render(request, "core/form.html", context, status=status)


def _writable_unit(request: HttpRequest, pk: int) -> HazardUnit:
    unit = selectors.unit_get(request.user, pk)  # out of scope: 404 first
    if not is_manager(request.user, unit.enterprise_id):
        raise PermissionDenied(gettext("只有本企业的管理员或安全管理员可以办理"))
    return unit


def _upload(data: dict[str, Any]) -> services.FileIn | None:
    upload = data.pop("report_file", None)
    return services.FileIn(upload.read(), upload.name) if upload else None


def _back(unit_id: int) -> str:
    return reverse("majorhazards:unit_lifecycle", args=[unit_id])


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def filing_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _writable_unit(request, pk)
    return _form_page(
        request,
        form_class=FilingForm,
        title=gettext("填写备案：%(unit)s") % {"unit": unit.name},
        back=_back(unit.pk),
        run=lambda d: services.filing_draft(actor=_actor(request), unit=unit, data=d, document=_upload(d)),
        success=gettext("已保存备案草稿，请核对后提交"),
        intro=gettext("评估报告出具后 %(n)s 日内向县级应急管理部门备案（%(source)s）")
        % {"n": config.lifecycle().filing_days, "source": rules.SOURCES["filing_days"]},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def filing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    filing = selectors.filing_get(request.user, pk)
    unit = _writable_unit(request, filing.unit_id)
    return _form_page(
        request,
        form_class=FilingForm,
        title=gettext("修改备案：%(unit)s") % {"unit": unit.name},
        back=_back(unit.pk),
        run=lambda d: services.filing_update(
            actor=_actor(request), filing=filing, data=d, document=_upload(d)
        ),
        success=gettext("已保存"),
        initial={f: getattr(filing, f) for f in services.FILING_FIELDS},
        intro=filing.review_comment and gettext("退回意见：%(c)s") % {"c": filing.review_comment},
    )


def _moved(request: HttpRequest, unit_id: int, label: str) -> HttpResponse:
    """After a filing or deregistration move: say so, back to the review queue or the unit's page."""
    messages.success(request, gettext("已%(action)s") % {"action": label})
    if request.POST.get("next") == "review":
        return HttpResponseRedirect(reverse("majorhazards:lifecycle_review"))
    return HttpResponseRedirect(_back(unit_id))


def _refused(request: HttpRequest, unit_id: int, form: CommentForm) -> HttpResponse:
    """The unit's lifecycle page again with the refused comment form (422)."""
    unit = selectors.unit_get(request.user, unit_id)
    return render(
        request, "majorhazards/lifecycle/unit.html", _lifecycle_context(request, unit, form), status=422
    )


@require_POST
@login_required
def filing_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    filing = selectors.filing_get(request.user, pk)  # out of scope: 404 first
    user = _actor(request)
    form = CommentForm(request.POST)
    if action not in (FilingAction.SUBMIT, FilingAction.RESUBMIT, FilingAction.ACCEPT, FilingAction.RETURN):
        raise Http404(gettext("没有这个操作"))
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if action in (FilingAction.SUBMIT, FilingAction.RESUBMIT):
                services.filing_submit(actor=user, filing=filing)
            elif action == FilingAction.ACCEPT:
                services.filing_accept(actor=user, filing=filing, comment=comment)
            else:
                services.filing_return(actor=user, filing=filing, comment=comment)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _moved(request, filing.unit_id, FILING.action_label(action))
    return _refused(request, filing.unit_id, form)


@require_safe
@login_required
def filing_report(request: HttpRequest, pk: int) -> FileResponse:
    """The assessment report of a filing (scoped: out of scope 404)."""
    filing = selectors.filing_get(request.user, pk)
    if not filing.report_file:
        raise Http404(gettext("没有评估报告文件"))
    try:
        handle = filing.report_file.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("评估报告文件缺失")) from None
    return FileResponse(handle, as_attachment=True, filename=filing.report_file.name.rsplit("/", 1)[-1])


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def trigger_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _writable_unit(request, pk)
    return _form_page(
        request,
        form_class=TriggerForm,
        title=gettext("登记须重新评估的情形：%(unit)s") % {"unit": unit.name},
        back=_back(unit.pk),
        run=lambda d: services.trigger_record(actor=_actor(request), unit=unit, data=d),
        success=gettext("已登记；该单元须立即重新辨识和评估"),
        initial={"occurred_on": timezone.localdate()},
        intro=gettext("登记后重新评估即时到期。事故须造成死亡 1 人以上或受伤 10 人以上。"),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def drill_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _writable_unit(request, pk)

    def run(d: dict[str, Any]) -> Any:
        whole = d.pop("whole_enterprise", False)
        return services.drill_record(
            actor=_actor(request), enterprise=unit.enterprise, unit=None if whole else unit, data=d
        )

    cfg = config.lifecycle()
    return _form_page(
        request,
        form_class=DrillForm,
        title=gettext("登记应急演练：%(unit)s") % {"unit": unit.name},
        back=_back(unit.pk),
        run=run,
        success=gettext("已登记应急演练"),
        initial={"held_on": timezone.localdate()},
        intro=gettext("专项应急预案每 %(a)s 个月、现场处置方案每 %(b)s 个月至少演练一次")
        % {"a": cfg.specialist_drill_months, "b": cfg.onsite_drill_months},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def test_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _writable_unit(request, pk)
    return _form_page(
        request,
        form_class=FacilityTestForm,
        title=gettext("登记安全设施检测：%(unit)s") % {"unit": unit.name},
        back=_back(unit.pk),
        run=lambda d: services.facility_test_record(actor=_actor(request), unit=unit, data=d),
        success=gettext("已登记安全设施检测"),
        initial={"tested_on": timezone.localdate(), "cycle_months": 12},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def deregistration_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _writable_unit(request, pk)
    return _form_page(
        request,
        form_class=DeregistrationForm,
        title=gettext("申请核销：%(unit)s") % {"unit": unit.name},
        back=_back(unit.pk),
        run=lambda d: services.deregistration_apply(actor=_actor(request), unit=unit, reason=d["reason"]),
        success=gettext("已提交核销申请，待县级应急管理部门审核"),
    )


@require_POST
@login_required
def deregistration_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    row = selectors.deregistration_get(request.user, pk)  # out of scope: 404 first
    if action not in ("accept", "return"):
        raise Http404(gettext("没有这个操作"))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.deregistration_review(
                actor=_actor(request),
                deregistration=row,
                accept=action == "accept",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _moved(request, row.unit_id, DEREGISTRATION.action_label(action))
    return _refused(request, row.unit_id, form)


@require_safe
@login_required
def review(request: HttpRequest) -> HttpResponse:
    """The regulator's queue: filings and deregistrations waiting for review."""
    if not is_reviewer(request.user):
        raise PermissionDenied(gettext("只有县级应急管理部门或危险化学品行业主管部门可以审核"))
    context = {
        "title": gettext("重大危险源备案审核"),
        "filings": selectors.filings_to_review(request.user),
        "deregistrations": selectors.deregistrations_to_review(request.user),
        "comment_form": CommentForm(),
        "filing_days": config.lifecycle().filing_days,
    }
    return render(request, "majorhazards/lifecycle/review.html", context)


@require_safe
@login_required
def due(request: HttpRequest) -> HttpResponse:
    """Re-assessments due or overdue, filings missing or late, drills and tests overdue, for every major
    hazard source the user reaches (the enterprise's own, or its regulators')."""
    today = timezone.localdate()
    rows = selectors.due_rows(request.user, today)
    kinds = {
        "reassessment": gettext("重新评估"),
        "unfiled": gettext("未备案"),
        "filing_late": gettext("逾期未备案"),
        "drill": gettext("应急演练"),
        "test": gettext("安全设施检测"),
    }
    chosen = request.GET.get("kind", "")
    if chosen in kinds:
        rows = [r for r in rows if r.kind == chosen]
    else:
        chosen = ""
    missed = selectors.missed_checks_by_unit(request.user, since=today - dt.timedelta(days=MISSED_DAYS))
    missed_units = {u.pk: u for u in selectors.units(request.user).filter(pk__in=list(missed))}
    missed_rows = sorted(
        (
            (missed_units[pk], [by_role.get(role, 0) for role in (1, 2, 3)], sum(by_role.values()))
            for pk, by_role in missed.items()
            if pk in missed_units
        ),
        key=lambda row: (-row[2], row[0].pk),
    )
    context = {
        "title": gettext("重大危险源到期事项"),
        "missed_rows": missed_rows,
        "missed_days": MISSED_DAYS,
        "rows": rows,
        "today": today,
        "kinds": kinds,
        "chosen": chosen,
        "overdue": sum(1 for r in rows if r.overdue),
    }
    return render(request, "majorhazards/lifecycle/due.html", context)
