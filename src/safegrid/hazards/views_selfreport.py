"""Self-report (自查自报) pages: the list in scope (with the enterprise's current periods above it), the
missing list (逾期未报), a report's page (figures, statement, signing, receiving), its PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from safegrid.core.forms import add_service_errors
from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.scoping import scope_for
from safegrid.enterprises import selectors as ent_selectors
from safegrid.regions.selectors import division_choices

from . import config, permissions
from . import selfreport_selectors as selectors
from . import selfreports as services
from .documents.selfreport_pdf import render_self_report_pdf
from .forms_selfreport import ReviewForm, SignForm, StatementForm
from .models_selfreport import HazardSelfReport, SelfReportKind, SelfReportStatus
from .rules import selfreport as rules
from .workflows_selfreport import SELF_REPORT, SelfReportAction

A = SelfReportAction
YES_NO = [("yes", _("是")), ("no", _("否"))]
STATUS_CSS: dict[str, str] = {
    SelfReportStatus.DRAFT: "bg-secondary-lt",
    SelfReportStatus.SUBMITTED: "bg-blue-lt",
    SelfReportStatus.RECEIVED: "bg-green-lt",
    SelfReportStatus.RETURNED: "bg-orange-lt",
}


def _status_html(r: HazardSelfReport) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_CSS.get(r.status, ""), r.get_status_display()
    )


def _late_text(r: HazardSelfReport) -> str:
    return gettext("逾期 %(n)s 天") % {"n": r.days_late} if r.days_late else ""


def _late_html(r: HazardSelfReport) -> SafeString:
    if r.first_submitted_at is None:
        return format_html('<span class="text-secondary">{}</span>', gettext("未报送"))
    if r.days_late:
        return format_html('<span class="badge bg-red-lt">{}</span>', _late_text(r))
    return format_html('<span class="badge bg-green-lt">{}</span>', gettext("按时"))


def _period_filter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    period = rules.parse_period(value)
    return qs.filter(selectors.period_q(period)) if period else qs.none()


def _late_filter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return (
        qs.filter(days_late__gt=0)
        if value == "yes"
        else qs.filter(first_submitted_at__isnull=False, days_late=0)
    )


def _periods(user: Any) -> list[tuple[str, str]]:
    return selectors.period_choices()


class SelfReportListView(ScopedListView):
    """Reports in the user's scope; an enterprise's preparers and signers see its current periods above."""

    selector = selectors.report_list
    title = _("隐患自查自报")
    export_basename = "hazard-self-reports"
    detail_url_name = "hazards:self_report"
    template_name = "hazards/selfreport/list.html"
    default_sort = "-period_end"
    search_fields = ("enterprise__name__icontains",)
    search_placeholder = _("企业名称")
    columns = (
        Column(
            "enterprise", _("企业"), attr="enterprise.name", sort="enterprise__name", link=True, css="sg-wrap"
        ),
        Column("period_end", _("报告期"), attr="period_label", sort="period_end"),
        Column("status", _("状态"), attr="get_status_display", html=_status_html, sort="status"),
        Column("due_date", _("报送截止日"), sort="due_date", css="d-none d-md-table-cell"),
        Column(
            "first_submitted_at", _("首次报送时间"), sort="first_submitted_at", css="d-none d-md-table-cell"
        ),
        Column("late", _("是否按时"), value=_late_text, html=_late_html, sort="days_late"),
        Column("signer_name", _("签署人"), css="d-none d-lg-table-cell"),
        Column("reviewed_at", _("查收/退回时间"), css="d-none d-lg-table-cell"),
    )
    filters = (
        Filter("period", _("报告期"), _period_filter, choices=_periods),
        Filter("kind", _("报告类型"), "period_kind", choices=lambda user: SelfReportKind.choices),
        Filter("status", _("状态"), "status", choices=lambda user: SelfReportStatus.choices),
        Filter("late", _("逾期报送"), _late_filter, choices=lambda user: YES_NO),
        Filter("town", _("区划"), "enterprise__division__code__startswith", choices=division_choices),
    )

    def get_extra_context(self) -> dict[str, Any]:
        user: Any = self.request.user
        scope = scope_for(user)
        own = sorted(
            scope.enterprises_with(
                permissions.SELF_REPORT_PREPARER_ROLES | permissions.SELF_REPORT_SIGNER_ROLES
            )
        )
        cards = []
        if own:
            enterprises = ent_selectors.enterprise_list(user).filter(pk__in=own).order_by("name")
            for enterprise in enterprises:
                cards.append(
                    {
                        "enterprise": enterprise,
                        "rows": selectors.enterprise_periods(enterprise),
                        "can_prepare": permissions.can_prepare_self_report(user, enterprise.pk),
                    }
                )
        regulator = scope.superuser or scope.has_role(*permissions.REGULATOR_ROLES)
        return {"cards": cards, "regulator": regulator, "today": timezone.localdate()}


def _report_state(qs: QuerySet[Any], period: rules.Period) -> QuerySet[Any]:
    reports = HazardSelfReport.objects.filter(selectors.period_q(period), enterprise=OuterRef("pk"))
    return qs.annotate(report_status=Subquery(reports.values("status")[:1]))


def _report_state_text(e: Any) -> str:
    if not e.report_status:
        return gettext("未生成")
    return (
        gettext("草稿未报送")
        if e.report_status == SelfReportStatus.DRAFT
        else str(SelfReportStatus(e.report_status).label)
    )


class MissingListView(ScopedListView):
    """Enterprises in scope that must report the chosen period and had not by its due date (逾期未报)."""

    selector = ent_selectors.enterprise_list
    title = _("自查自报逾期未报")
    export_basename = "hazard-self-reports-missing"
    template_name = "hazards/selfreport/missing.html"
    default_sort = "name"
    remember_filters = False
    search_fields = ("name__icontains",)
    search_placeholder = _("企业名称")
    related = ("division",)
    columns = (
        Column("name", _("企业"), sort="name", css="sg-wrap"),
        Column("division", _("所属区划"), attr="division.name", sort="division__code"),
        Column("principal", _("主要负责人"), value=lambda e: e.principal or e.legal_rep),
        Column("phone", _("联系电话"), value=lambda e: e.principal_phone or e.legal_rep_phone),
        Column("report", _("本期报告"), value=_report_state_text),
    )
    filters = (
        Filter("period", _("报告期"), lambda qs, value: qs, choices=_periods),
        Filter("town", _("区划"), "division__code__startswith", choices=division_choices),
    )

    def period(self) -> rules.Period:
        chosen = rules.parse_period(self.request.GET.get("period", ""))
        if chosen is not None and chosen.key in dict(selectors.period_choices()):
            return chosen
        return rules.latest_overdue(timezone.localdate(), rules.QUARTER, config.deadlines())

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """Always one period: without a valid one, the latest overdue quarter is shown (in the URL too, so
        the filter, the export and a shared link say which)."""
        chosen = rules.parse_period(request.GET.get("period", ""))
        if chosen is None or chosen.key not in dict(selectors.period_choices()):
            query = request.GET.copy()
            query["period"] = self.period().key
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().get(request, *args, **kwargs)

    def get_base_queryset(self) -> QuerySet[Any]:
        period = self.period()
        return _report_state(selectors.missing(self.request.user, period), period).select_related("division")

    def get_extra_context(self) -> dict[str, Any]:
        period = self.period()
        due = rules.due_date(period, config.deadlines())
        late_url = f"{reverse('hazards:self_reports')}?period={period.key}&late=yes"
        return {"period": period, "due": due, "late_url": late_url, "overdue": timezone.localdate() > due}


# ---- one report ----------------------------------------------------------------------------------


def _forms(
    request: HttpRequest, report: HazardSelfReport, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    user: Any = request.user
    bound = bound or {}
    status = report.status
    out: dict[str, Any] = {}
    if status == SelfReportStatus.DRAFT and permissions.can_prepare_self_report(user, report.enterprise_id):
        out["statement"] = bound.get("statement") or StatementForm(initial={"statement": report.statement})
        out["refresh"] = True
    if status == SelfReportStatus.DRAFT and permissions.can_sign_self_report(user, report.enterprise_id):
        out["sign"] = bound.get("sign") or SignForm(initial={"fingerprint": services.fingerprint(report)})
    if status == SelfReportStatus.SUBMITTED and permissions.can_receive_self_report(
        user, report.enterprise_id
    ):
        out["review"] = bound.get("review") or ReviewForm()
    if status == SelfReportStatus.RETURNED and permissions.can_prepare_self_report(
        user, report.enterprise_id
    ):
        out["revise"] = True
    return out


def _detail(
    request: HttpRequest, report: HazardSelfReport, bound: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "report": report,
        "figures": report.figures,
        "forms": _forms(request, report, bound),
        "timeline": [
            {
                "label": SELF_REPORT.action_label(t.action),
                "at": t.at,
                "actor_label": t.actor_label,
                "comment": t.comment,
            }
            for t in report.transitions.order_by("at", "pk")
        ],
        "status_css": STATUS_CSS.get(report.status, ""),
        "today": timezone.localdate(),
    }
    return render(request, "hazards/selfreport/detail.html", context, status=status)


@login_required
def self_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.report_get(request.user, pk))


@login_required
@require_POST
def self_report_generate(request: HttpRequest) -> HttpResponse:
    enterprise_id = request.POST.get("enterprise", "")
    period = rules.parse_period(request.POST.get("period", ""))
    if not enterprise_id.isdigit() or period is None:
        raise Http404(gettext("不存在或无权查看"))
    enterprise = ent_selectors.enterprise_get(request.user, int(enterprise_id))
    try:
        actor: Any = request.user
        report = services.selfreport_generate(actor=actor, enterprise=enterprise, period=period)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return HttpResponseRedirect(reverse("hazards:self_reports"))
    messages.success(request, gettext("已生成%(period)s的自查自报草稿") % {"period": period.label})
    return HttpResponseRedirect(reverse("hazards:self_report", args=[report.pk]))


def _sign(request: HttpRequest, report: HazardSelfReport) -> dict[str, Any] | None:
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.selfreport_submit(
                actor=request.user,  # type: ignore[arg-type]
                report=report,
                password=form.cleaned_data["password"],
                fingerprint_seen=form.cleaned_data["fingerprint"],
            )
            return None
        except ValidationError as exc:
            errors = getattr(exc, "error_dict", {})
            for name in ("fingerprint", "statement", "period"):
                for error in errors.pop(name, []):
                    form.add_error(None, error)
            if errors:
                add_service_errors(form, ValidationError(errors))
    return {"sign": form}


@login_required
@require_POST
def self_report_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = selectors.report_get(request.user, pk)  # out of scope: 404 before anything else
    user: Any = request.user
    bound: dict[str, Any] | None = None
    done = gettext("已保存")
    if action == "statement":
        form = StatementForm(request.POST)
        if form.is_valid():
            try:
                services.selfreport_statement_save(
                    actor=user, report=report, statement=form.cleaned_data["statement"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                bound = {"statement": form}
        else:
            bound = {"statement": form}
    elif action in (A.REFRESH, A.REVISE):
        move = services.selfreport_refresh if action == A.REFRESH else services.selfreport_revise
        try:
            move(actor=user, report=report)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(reverse("hazards:self_report", args=[report.pk]))
        done = gettext("已按最新统计重新生成数据")
    elif action == A.SUBMIT:
        bound = _sign(request, report)
        done = gettext("已签署并报送监管部门")
    elif action in (A.RECEIVE, A.RETURN):
        review = ReviewForm(request.POST)
        if review.is_valid():
            comment = review.cleaned_data["comment"]
            try:
                if action == A.RECEIVE:
                    services.selfreport_receive(actor=user, report=report, comment=comment)
                else:
                    services.selfreport_return(actor=user, report=report, comment=comment)
            except ValidationError as exc:
                add_service_errors(review, exc)
                bound = {"review": review}
        else:
            bound = {"review": review}
        done = gettext("已%(action)s") % {"action": SELF_REPORT.action_label(action)}
    else:
        raise Http404(gettext("没有这个操作"))
    if bound:
        return _detail(request, selectors.report_get(user, pk), bound, status=422)
    messages.success(request, done)
    return HttpResponseRedirect(reverse("hazards:self_report", args=[report.pk]))


@login_required
def self_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(request.user, pk)
    data = render_self_report_pdf(report)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="self-report-{report.pk}-{report.period.key}.pdf"'
    return response
