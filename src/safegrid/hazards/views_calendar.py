"""The county's work calendar pages (/hazards/calendar/): the days by year for everyone signed in; the county
admin enters a day, removes one, or imports a year's days from Excel (the State Council's yearly notice)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from safegrid.core.excel import XLSX_TYPE
from safegrid.core.forms import add_service_errors
from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.models import User

from . import permissions, work_calendar
from .forms_calendar import CalendarDayForm, CalendarImportForm
from .models_calendar import CalendarDayKind

WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))
NOTICE = _(
    "放假和调休上班的日期以国务院办公厅每年发布的《关于某年部分节假日安排的通知》为准，由县级管理员逐年录入"
    "（本系统不预置日期）。按“工作日”排查的日常和小时任务在放假日不安排、在调休上班的周末照常安排；未录入时按周一至周五计。"
)


def _kind_html(day: Any) -> SafeString:
    css = "bg-red-lt" if day.kind == CalendarDayKind.HOLIDAY else "bg-blue-lt"
    return format_html('<span class="badge {}">{}</span>', css, day.get_kind_display())


def _remove_html(day: Any) -> SafeString:
    return format_html(
        '<a class="btn btn-sm btn-outline-danger" href="{}">{}</a>',
        reverse("hazards:calendar_remove", args=[day.pk]),
        gettext("删除"),
    )


class CalendarListView(ScopedListView):
    selector = work_calendar.calendar_days
    title = _("工作日历（节假日和调休）")
    export_basename = "work-calendar"
    default_sort = "date"
    search_fields = ("name__icontains",)
    search_placeholder = _("名称，如 春节")
    template_name = "hazards/calendar/list.html"
    columns = (
        Column("date", _("日期"), sort="date"),
        Column("weekday", _("星期"), value=lambda d: str(WEEKDAYS[d.date.weekday()])),
        Column("kind", _("类型"), attr="get_kind_display", html=_kind_html),
        Column("name", _("名称")),
    )
    filters = (
        Filter(
            "year",
            _("年度"),
            "date__year",
            choices=lambda user: [(str(y), str(y)) for y in work_calendar.calendar_years(user)],
        ),
        Filter("kind", _("类型"), "kind", choices=lambda user: CalendarDayKind.choices),
    )

    def table_columns(self) -> list[Column]:
        columns = list(super().table_columns())
        if permissions.can_edit_calendar(self.request.user):
            columns.append(Column("remove", _("操作"), html=_remove_html, export=False))
        return columns

    def create_url(self) -> str | None:
        return reverse("hazards:calendar_add") if permissions.can_edit_calendar(self.request.user) else None

    def get_extra_context(self) -> dict[str, Any]:
        return {
            "notice": NOTICE,
            "can_edit": permissions.can_edit_calendar(self.request.user),
            "year": timezone.localdate().year,
        }


def _editor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    if not permissions.can_edit_calendar(user):
        raise PermissionDenied(gettext("只有县级管理员可以维护工作日历"))
    return user


@login_required
def calendar_add(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            day = work_calendar.calendar_day_add(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("已录入 %(day)s") % {"day": str(day)})
            return HttpResponseRedirect(f"{reverse('hazards:calendar')}?year={day.date.year}")
    return render(
        request,
        "hazards/calendar/form.html",
        {
            "title": gettext("录入节假日或调休上班日"),
            "form": form,
            "cancel_url": reverse("hazards:calendar"),
            "intro": NOTICE,
        },
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def calendar_remove(request: HttpRequest, pk: int) -> HttpResponse:
    day = get_object_or_404(work_calendar.calendar_days(request.user), pk=pk)
    user = _editor(request)
    back = f"{reverse('hazards:calendar')}?year={day.date.year}"
    if request.method == "POST":
        work_calendar.calendar_day_remove(actor=user, day=day)
        messages.success(request, gettext("已删除 %(day)s") % {"day": str(day)})
        return HttpResponseRedirect(back)
    context = {"object": day, "kind": gettext("工作日历的日期"), "cancel_url": back}
    return render(request, "core/confirm_delete.html", context)


@login_required
def calendar_import(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    form = CalendarImportForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        try:
            result = work_calendar.calendar_import(
                actor=user, year=year, content=form.content(), file_name=form.file_name()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if result.ok:
                messages.success(
                    request, gettext("已导入 %(year)s 年的 %(n)s 天") % {"year": year, "n": result.created}
                )
                return HttpResponseRedirect(f"{reverse('hazards:calendar')}?year={year}")
            errors = result.stored_errors()
            form.add_error("file", result.message or gettext("文件有错误，未导入任何日期"))
    return render(
        request,
        "hazards/calendar/import.html",
        {
            "title": gettext("导入一年的节假日安排"),
            "form": form,
            "errors": errors,
            "count": len(errors),
            "cancel_url": reverse("hazards:calendar"),
            "years": work_calendar.calendar_years(user),
        },
        status=422 if form.errors else 200,
    )


@login_required
def calendar_export(request: HttpRequest) -> HttpResponse:
    """The year's days as the import sheet (the template when none is entered); everyone signed in."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    response = HttpResponse(work_calendar.calendar_export(year), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="work-calendar-{year}.xlsx"'
    return response
