"""The county's follow-up pages: overdue hazards, the 五个一律 review list and listed supervision (挂牌督办)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import add_service_errors
from safegrid.core.lists import BoundFilter, Column, Filter, ScopedListView
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.regions.selectors import division_choices

from . import permissions, selectors, supervision
from .forms import SignOffForm, SupervisionForm
from .rules.escalation import step_label
from .views import YES_NO, _level_html

OPEN_CLOSED = [("open", _("督办中")), ("closed", _("已解除"))]


def _overdue_days(h: Any) -> int:
    return (timezone.localdate() - h.deadline).days if h.deadline else 0


def _escalation_html(h: Any) -> SafeString:
    label = step_label(h.escalation_step)
    if not label:
        return format_html('<span class="text-secondary">{}</span>', gettext("未升级"))
    css = "bg-red text-red-fg" if h.escalation_step >= 2 else "bg-orange-lt"
    return format_html('<span class="badge {}">{}</span>', css, label)


class OverdueListView(ScopedListView):
    """Every overdue hazard in scope, highest escalation step first, then the longest overdue."""

    selector = selectors.overdue_list
    title = _("逾期隐患")
    export_basename = "overdue-hazards"
    detail_url_name = "hazards:detail"
    search_fields = ("title__icontains", "enterprise__name__icontains")
    search_placeholder = _("隐患名称或企业")
    columns = (
        Column("title", _("隐患名称"), sort="title", link=True, css="sg-wrap"),
        Column("enterprise", _("企业"), attr="enterprise.name", sort="enterprise__name", css="sg-wrap"),
        Column("level", _("等级"), attr="get_level_display", html=_level_html, sort="level"),
        Column("deadline", _("整改期限"), sort="deadline", css="d-none d-md-table-cell"),
        Column("overdue_days", _("逾期天数"), value=_overdue_days),
        Column(
            "escalation",
            _("已升级至"),
            value=lambda h: step_label(h.escalation_step),
            html=_escalation_html,
            sort="escalation_step",
        ),
        Column("status", _("状态"), attr="get_status_display", css="d-none d-lg-table-cell"),
    )
    filters = (
        Filter(
            "level",
            _("等级"),
            "level",
            choices=lambda user: [("major", _("重大隐患")), ("general", _("一般隐患"))],
        ),
        Filter("town", _("区划"), "enterprise__division__code__startswith", choices=division_choices),
    )

    def filtered_queryset(self, bound: list[BoundFilter]) -> QuerySet[Any]:
        qs = super().filtered_queryset(bound)
        if not self.current_sort():  # the county's order: escalation step, then days overdue
            qs = qs.order_by("-escalation_step", "deadline", "pk")
        return qs


def _regulator(request: HttpRequest) -> None:
    scope = scope_for(request.user)
    if not (scope.superuser or scope.has_role(*permissions.REGULATOR_ROLES)):
        raise PermissionDenied(gettext("只有监管部门可以查看"))


@login_required
def five_musts_view(request: HttpRequest) -> HttpResponse:
    """五个一律 review: enterprises in scope with an overdue major hazard, and what is overdue."""
    _regulator(request)
    entries = selectors.five_musts_review(request.user)
    context = {"title": gettext("“五个一律”审查名单"), "entries": entries}
    return render(request, "hazards/five_musts.html", context)


def _by_state(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(signed_off_at__isnull=value == "open")


def _late_q() -> Q:
    return Q(signed_off_at__isnull=True, planned_completion__lt=timezone.localdate())


def _by_late(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(_late_q()) if value == "yes" else qs.exclude(_late_q())


def _state_html(s: Any) -> SafeString:
    if s.signed_off_at is not None:
        late = s.actual_completion and s.actual_completion > s.planned_completion
        text = gettext("已解除（超期完成）") if late else gettext("已解除")
        return format_html('<span class="badge bg-green-lt">{}</span>', text)
    if s.planned_completion < timezone.localdate():
        days = (timezone.localdate() - s.planned_completion).days
        return format_html(
            '<span class="badge bg-red text-red-fg">{}</span>', gettext("超期 %(n)s 天") % {"n": days}
        )
    return format_html('<span class="badge bg-blue-lt">{}</span>', gettext("督办中"))


def _state_text(s: Any) -> str:
    return gettext("已解除") if s.signed_off_at is not None else gettext("督办中")


class SupervisionListView(ScopedListView):
    """Every listed (挂牌督办) major hazard in scope: open or signed off, overdue against its plan."""

    selector = selectors.supervision_list
    title = _("挂牌督办")
    export_basename = "listed-supervision"
    default_sort = "planned_completion"
    search_fields = (
        "document_number__icontains",
        "hazard__title__icontains",
        "hazard__enterprise__name__icontains",
    )
    search_placeholder = _("文号、隐患或企业")
    columns = (
        Column("document_number", _("督办文号"), sort="document_number", link=True),
        Column("hazard", _("隐患名称"), attr="hazard.title", css="sg-wrap"),
        Column(
            "enterprise",
            _("企业"),
            attr="hazard.enterprise.name",
            sort="hazard__enterprise__name",
            css="sg-wrap",
        ),
        Column("level", _("督办层级"), attr="get_level_display", sort="level", css="d-none d-md-table-cell"),
        Column("authority", _("督办单位"), attr="authority", css="d-none d-lg-table-cell"),
        Column("listed_on", _("挂牌日期"), sort="listed_on", css="d-none d-lg-table-cell"),
        Column("planned_completion", _("要求完成日期"), sort="planned_completion"),
        Column(
            "actual_completion", _("实际完成日期"), sort="actual_completion", css="d-none d-md-table-cell"
        ),
        Column("state", _("督办状态"), value=_state_text, html=_state_html),
        Column("hazard_status", _("隐患状态"), attr="hazard.get_status_display", table=False),
    )
    filters = (
        Filter("state", _("督办状态"), _by_state, choices=lambda user: OPEN_CLOSED),
        Filter("late", _("超期未完成"), _by_late, choices=lambda user: YES_NO),
        Filter("town", _("区划"), "hazard__enterprise__division__code__startswith", choices=division_choices),
    )

    def row_url(self, obj: Any) -> str | None:
        return reverse("hazards:detail", args=[obj.hazard_id])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


@login_required
def supervise_view(request: HttpRequest, pk: int) -> HttpResponse:
    """List a major hazard for supervision (county and sector-department officers)."""
    hazard = selectors.hazard_get(request.user, pk)
    if not permissions.can_supervise(request.user, hazard.enterprise_id):
        raise PermissionDenied(gettext("您不能对该隐患挂牌督办"))
    form = SupervisionForm(request.POST or None, initial={"listed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            supervision.supervision_list_hazard(actor=_actor(request), hazard=hazard, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("已挂牌督办"))
            return HttpResponseRedirect(reverse("hazards:detail", args=[hazard.pk]))
    context = {
        "form": form,
        "hazard": hazard,
        "title": gettext("挂牌督办：%(title)s") % {"title": hazard.title},
        "cancel_url": reverse("hazards:detail", args=[hazard.pk]),
    }
    return render(request, "hazards/supervise.html", context, status=422 if request.method == "POST" else 200)


@login_required
def sign_off_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign off a listed supervision once its hazard is closed."""
    row = selectors.supervision_get(request.user, pk)
    if not permissions.can_supervise(request.user, row.hazard.enterprise_id):
        raise PermissionDenied(gettext("您不能解除该隐患的挂牌督办"))
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supervision.supervision_sign_off(
                actor=_actor(request), supervision=row, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("已解除挂牌督办"))
            return HttpResponseRedirect(reverse("hazards:detail", args=[row.hazard_id]))
    context = {
        "form": form,
        "supervision": row,
        "hazard": row.hazard,
        "title": gettext("解除挂牌督办：%(number)s") % {"number": row.document_number},
        "cancel_url": reverse("hazards:detail", args=[row.hazard_id]),
    }
    return render(request, "hazards/sign_off.html", context, status=422 if request.method == "POST" else 200)
