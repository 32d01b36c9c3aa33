"""Pages for divisions (read-only tree), grids and departments (read-only reference data)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import F, Func, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.views import ServiceDeleteView, ServiceFormView

from . import occupants, permissions, selectors, services
from .choices import DivisionLevel
from .forms import GridForm
from .models import Department, Division, Grid


def enterprise_count(user: Any, **outer: Any) -> Coalesce:
    """A correlated COUNT of the user's enterprises matching `outer` (lookups against OuterRef)."""
    counted = (
        occupants.enterprises_of(user).filter(**outer).order_by().values(n=Func(F("pk"), function="COUNT"))
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def town_choices(user: Any) -> list[tuple[str, str]]:
    return list(
        selectors.division_list(user).filter(level__in=["county", "town"]).values_list("code", "name")
    )


# ---- divisions -----------------------------------------------------------------------------------


def _division_name_html(division: Division) -> SafeString:
    depth = {"county": 0, "town": 1, "village": 2}.get(division.level, 0)
    return format_html(
        '<span class="sg-tree-depth-{}"><a href="{}">{}</a></span>',
        depth,
        reverse("regions:division_detail", args=[division.code]),
        division.name,
    )


class DivisionListView(ScopedListView):
    selector = selectors.division_list
    title = _("行政区划")
    export_basename = "divisions"
    detail_url_name = "regions:division_detail"
    default_sort = "code"  # code order is tree order: every child follows its parent
    search_fields = ("name__icontains", "code__startswith")
    search_placeholder = _("名称或区划代码")
    columns = (
        Column("name", _("名称"), sort="name", html=_division_name_html),
        Column("code", _("区划代码"), sort="code"),
        Column("level", _("层级"), attr="get_level_display", sort="level"),
        Column("parent", _("上级"), attr="parent.name", css="d-none d-md-table-cell"),
        Column("enterprise_count", _("企业数"), sort="enterprise_count", css="text-end"),
    )
    filters = (
        Filter("level", _("层级"), "level", choices=lambda user: DivisionLevel.choices),
        Filter("within", _("所属镇街"), "code__startswith", choices=town_choices),
    )

    def get_base_queryset(self) -> QuerySet[Any]:
        user = self.request.user
        return (
            super()
            .get_base_queryset()
            .annotate(enterprise_count=enterprise_count(user, division__code__startswith=OuterRef("code")))
        )


@require_safe
@login_required
def division_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    division = selectors.division_get(user, code)
    children = list(
        selectors.division_list(user)
        .filter(parent=division)
        .annotate(enterprise_count=enterprise_count(user, division__code__startswith=OuterRef("code")))
        .order_by("code")
    )
    grids = list(
        selectors.grid_list(user)
        .filter(division__code__startswith=division.code)
        .annotate(enterprise_count=enterprise_count(user, grid_id=OuterRef("pk")))
        .order_by("code")
    )
    total = occupants.enterprises_of(user).filter(division__code__startswith=division.code).count()
    ancestors = []
    parent = division.parent
    if parent is not None:
        ancestors = list(
            selectors.division_list(user).filter(code__in=[division.code[:6], division.code[:9]])
        )
        ancestors = [a for a in ancestors if a.code != division.code]
    context = {
        "division": division,
        "children": children,
        "grids": grids,
        "enterprise_total": total,
        "ancestors": ancestors,
    }
    return render(request, "regions/division_detail.html", context)


# ---- grids ---------------------------------------------------------------------------------------


class GridListView(ScopedListView):
    selector = selectors.grid_list
    title = _("网格")
    export_basename = "grids"
    detail_url_name = "regions:grid_detail"
    default_sort = "code"
    search_fields = ("name__icontains", "code__icontains", "worker_name__icontains")
    search_placeholder = _("网格名称、编号或网格员")
    columns = (
        Column("code", _("网格编号"), sort="code"),
        Column("name", _("网格名称"), sort="name", link=True),
        Column("division", _("所属区划"), attr="division.name", sort="division_id"),
        Column("worker_name", _("网格员"), sort="worker_name"),
        Column("worker_phone", _("网格员电话"), css="d-none d-md-table-cell"),
        Column("enterprise_count", _("企业数"), sort="enterprise_count", css="text-end"),
    )
    filters = (Filter("division", _("所属镇街"), "division__code__startswith", choices=town_choices),)

    def get_base_queryset(self) -> QuerySet[Any]:
        user = self.request.user
        return (
            super()
            .get_base_queryset()
            .annotate(enterprise_count=enterprise_count(user, grid_id=OuterRef("pk")))
        )

    def create_url(self) -> str | None:
        return reverse("regions:grid_create") if permissions.can_manage_grids(self.request.user) else None


@require_safe
@login_required
def grid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    grid = selectors.grid_get(user, pk)
    enterprises = list(occupants.enterprises_of(user).filter(grid=grid).order_by("name")[:100])
    context = {
        "grid": grid,
        "enterprises": enterprises,
        "can_manage": permissions.can_manage_grids(user),
    }
    return render(request, "regions/grid_detail.html", context)


class _GridFormMixin:
    request: HttpRequest
    kwargs: dict[str, Any]
    form_class: ClassVar[type[forms.BaseForm]] = GridForm

    def has_permission(self, obj: Any) -> bool:
        return permissions.can_manage_grids(self.request.user)

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"divisions": selectors.division_list(self.request.user).order_by("code")}
        if obj is not None:
            kwargs["instance"] = obj
        return kwargs

    def success_url(self, obj: Any) -> str:
        return reverse("regions:grid_detail", args=[obj.pk])


class GridCreateView(_GridFormMixin, ServiceFormView):
    title = _("新建网格")

    def save(self, form: Any, obj: Any) -> Grid:
        return services.grid_create(actor=self.actor(), data=form.cleaned_data)

    def cancel_url(self, obj: Any) -> str:
        return reverse("regions:grid_list")


class GridEditView(_GridFormMixin, ServiceFormView):
    def get_object(self) -> Grid:
        return selectors.grid_get(self.request.user, self.kwargs["pk"])

    def get_title(self, obj: Any) -> str:
        return gettext("编辑网格：%(name)s") % {"name": obj.name}

    def save(self, form: Any, obj: Any) -> Grid:
        return services.grid_update(actor=self.actor(), grid=obj, data=form.cleaned_data)


class GridDeleteView(ServiceDeleteView):
    kind = _("网格")

    def get_object(self) -> Grid:
        return selectors.grid_get(self.request.user, self.kwargs["pk"])

    def has_permission(self, obj: Any) -> bool:
        return permissions.can_manage_grids(self.request.user)

    def delete(self, obj: Any) -> None:
        services.grid_delete(actor=self.actor(), grid=obj)

    def success_url(self, obj: Any) -> str:
        return reverse("regions:grid_list")

    def cancel_url(self, obj: Any) -> str:
        return reverse("regions:grid_detail", args=[obj.pk])


# ---- departments ---------------------------------------------------------------------------------


def _sector_names(department: Department) -> str:
    return "、".join(s.name for s in department.sectors.all())


class DepartmentListView(ScopedListView):
    selector = selectors.department_list
    title = _("部门")
    export_basename = "departments"
    detail_url_name = "regions:department_detail"
    default_sort = "id"
    remember_filters = False
    search_fields = ("name__icontains", "short_name__icontains")
    search_placeholder = _("部门名称")
    columns = (
        Column("id", _("序号"), sort="id", table=False),
        Column("name", _("名称"), sort="name", link=True, css="sg-wrap"),
        Column("short_name", _("简称"), sort="short_name", css="d-none d-md-table-cell"),
        Column("sectors", _("牵头领域"), value=_sector_names, css="sg-wrap"),
        Column(
            "is_safety_office",
            _("安委办"),
            value=lambda d: gettext("是") if d.is_safety_office else "",
            css="d-none d-md-table-cell",
        ),
        Column("phone", _("电话"), css="d-none d-lg-table-cell"),
    )


@require_safe
@login_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    department = selectors.department_get(request.user, pk)
    context = {"department": department, "sectors": list(department.sectors.all())}
    return render(request, "regions/department_detail.html", context)
