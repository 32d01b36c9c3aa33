"""Pages of monitoring points: the scoped list (enterprise, unit, kind filters; Excel/CSV export), a point
with its limits, version and source, latest value and limit-change history, and the new/edit forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from safegrid.core.forms import add_service_errors
from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.models import User
from safegrid.core.params import optional_id
from safegrid.core.scoping import scope_for
from safegrid.enterprises import selectors as ent_selectors
from safegrid.enterprises.models import Enterprise
from safegrid.majorhazards.models import HazardUnit
from safegrid.majorhazards.selectors import sources as unit_selectors
from safegrid.regions.selectors import division_choices, sector_choices
from safegrid.risks.models import RiskPoint
from safegrid.risks.selectors import points as risk_selectors

from ..choices import PointKindChoices
from ..forms.points import PointCreateForm, PointForm
from ..models import DeactivationStatus, MonitoringPoint
from ..selectors import points as selectors
from ..services import points as services
from ..workflows_points import EDITOR_ROLES, LIMIT_CHANGE, can_edit_points

ACTIVE = [("yes", _("在用")), ("no", _("停用"))]


def actor_of(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


def limits_text(p: Any) -> str:
    """ "LL 0.8 / L 1.5 / H 8.5 / HH 9.2" with only the limits set."""
    parts = [
        f"{name} {value:g}"
        for name, value in (("LL", p.ll), ("L", p.l), ("H", p.h), ("HH", p.hh))
        if value is not None
    ]
    return " / ".join(parts) or "—"


def _active_html(p: MonitoringPoint) -> SafeString:
    if p.active:
        return format_html('<span class="badge bg-green-lt">{}</span>', gettext("在用"))
    return format_html('<span class="badge bg-secondary-lt">{}</span>', gettext("停用"))


def _active_filter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(active=value == "yes")


def _unit_choices(user: Any) -> list[tuple[str, str]]:
    units = (
        unit_selectors.unit_list(user)
        .filter(monitoring_points__isnull=False)
        .distinct()
        .order_by("code")[:500]
    )
    return [(str(u.pk), f"{u.code} {u.name}") for u in units]


def editable_enterprises(user: Any) -> QuerySet[Enterprise]:
    """Enterprises the user keeps points for: their own (admins, safety managers); for the county admin those
    with major hazard units or points in scope."""
    scope = scope_for(user)
    qs = ent_selectors.enterprise_list(user)
    if scope.is_county_admin:
        return (qs.filter(hazard_units__isnull=False) | qs.filter(monitoring_points__isnull=False)).distinct()
    return qs.filter(pk__in=sorted(scope.enterprises_with(EDITOR_ROLES)))


class PointListView(ScopedListView):
    """The monitoring points the user may see, with their limits (county: all; a department: its sectors;
    a town: its enterprises; an enterprise: its own)."""

    selector = selectors.point_list
    title = _("监测点位")
    template_name = "monitoring/points/list.html"
    detail_url_name = "monitoring:point"
    export_basename = "monitoring-points"
    related = ("enterprise", "unit", "risk_point")
    default_sort = "enterprise"
    search_fields = ("code__icontains", "name__icontains", "enterprise__name__icontains")
    search_placeholder = _("点位编码、名称或企业名称")
    columns = (
        Column("code", _("点位编码"), sort="code", link=True),
        Column("name", _("点位名称"), sort="name", css="sg-wrap"),
        Column("enterprise", _("企业"), attr="enterprise.name", sort="enterprise__name", css="sg-wrap"),
        Column(
            "unit",
            _("重大危险源单元"),
            value=lambda p: f"{p.unit.code} {p.unit.name}" if p.unit else "—",
            css="d-none d-lg-table-cell",
        ),
        Column(
            "risk_point",
            _("风险分析单元"),
            value=lambda p: f"{p.risk_point.code} {p.risk_point.name}" if p.risk_point else "—",
            table=False,
        ),
        Column("kind", _("监测类型"), attr="get_kind_display", sort="kind"),
        Column("measure_unit", _("计量单位"), css="d-none d-md-table-cell"),
        Column("limits", _("报警限值"), value=limits_text),
        Column("ll", _("低低限 LL"), table=False),
        Column("l", _("低限 L"), table=False),
        Column("h", _("高限 H"), table=False),
        Column("hh", _("高高限 HH"), table=False),
        Column("limits_version", _("限值版本"), css="d-none d-lg-table-cell"),
        Column("limits_source", _("限值来源"), table=False),
        Column(
            "active",
            _("状态"),
            value=lambda p: gettext("在用") if p.active else gettext("停用"),
            html=_active_html,
        ),
    )
    filters = (
        Filter("town", _("区划"), "enterprise__division__code__startswith", choices=division_choices),
        Filter("sector", _("行业领域"), "enterprise__sectors__code", choices=sector_choices),
        Filter("kind", _("监测类型"), "kind", choices=lambda user: PointKindChoices.choices),
        Filter("unit", _("重大危险源单元"), "unit_id", choices=_unit_choices),
        Filter("active", _("状态"), _active_filter, choices=lambda user: ACTIVE),
        Filter("enterprise", _("企业"), "enterprise_id", integer=True, hidden=True),
    )

    def create_url(self) -> str | None:
        return reverse("monitoring:point_new") if editable_enterprises(self.request.user).exists() else None

    def get_extra_context(self) -> dict[str, Any]:
        user: Any = self.request.user
        own = sorted(scope_for(user).enterprises_with(EDITOR_ROLES))
        return {
            "own_enterprises": list(ent_selectors.enterprise_list(user).filter(pk__in=own).order_by("name")),
            "can_import": bool(own) or scope_for(user).is_county_admin,
        }


@require_safe
@login_required
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.point_get(request.user, pk)
    changes = selectors.changes_of(point)
    can_edit = can_edit_points(request.user, point.enterprise_id)
    deactivations = selectors.deactivations_of(point)
    return render(
        request,
        "monitoring/points/detail.html",
        {
            "title": f"{point.code} {point.name}",
            "point": point,
            "limits": [("LL", point.ll), ("L", point.l), ("H", point.h), ("HH", point.hh)],
            "latest": selectors.latest_of(point),
            "changes": [
                {"change": c, "actions": LIMIT_CHANGE.available(actor_of(request), c)} for c in changes
            ],
            "can_edit": can_edit,
            "shutdown": selectors.shutdown_of(point),
            "deactivations": deactivations,
            "pending_deactivation": next(
                (d for d in deactivations if d.status == DeactivationStatus.REQUESTED), None
            ),
        },
    )


def _form_page(request: HttpRequest, form: Any, title: str, cancel: str, intro: str = "") -> HttpResponse:
    return render(
        request,
        "core/form.html",
        {"form": form, "title": title, "cancel_url": cancel, "intro": intro},
        status=422 if form.errors else 200,
    )


def _units(user: Any, enterprise_id: int) -> QuerySet[HazardUnit]:
    return unit_selectors.unit_list(user).filter(enterprise_id=enterprise_id).order_by("code")


def _risk_points(user: Any, enterprise_id: int) -> QuerySet[RiskPoint]:
    return risk_selectors.risk_point_list(user).filter(enterprise_id=enterprise_id).order_by("code")


def _require_editor(user: Any, enterprise_id: int) -> None:
    if not can_edit_points(user, enterprise_id):
        raise PermissionDenied(gettext(services.DENIED))


def _cleaned(form: Any) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("enterprise", None)
    if data.get("deadband") is None:
        data.pop("deadband", None)
    return data


def enterprise_for_new(request: HttpRequest, title: str, new_url: str) -> Enterprise | HttpResponse:
    """Whose new point (or event source) a form is for: `?enterprise=<id>` among those the user may edit
    (404 otherwise), the user's only such enterprise, or else a page to choose one (linking to `new_url`)."""
    choices = editable_enterprises(request.user)
    wanted = optional_id(request.GET.get("enterprise"))
    if wanted is not None:
        found = choices.filter(pk=wanted).first()
        if found is None:
            raise Http404(gettext("不存在或无权访问"))
        return found
    first_two = list(choices.order_by("name")[:2])
    if len(first_two) == 1:
        return first_two[0]
    if not first_two:
        raise PermissionDenied(gettext(services.DENIED))
    return render(
        request,
        "monitoring/points/choose_enterprise.html",
        {"title": title, "enterprises": list(choices.order_by("name")[:200]), "new_url": new_url},
    )


@login_required
def point_new(request: HttpRequest) -> HttpResponse:
    """A new point: of `?enterprise=<id>`, or of the user's only enterprise, else choose one first."""
    enterprise = enterprise_for_new(request, gettext("新增监测点位"), reverse("monitoring:point_new"))
    if isinstance(enterprise, HttpResponse):
        return enterprise
    _require_editor(request.user, enterprise.pk)
    form = PointCreateForm(
        request.POST or None,
        units=_units(request.user, enterprise.pk),
        risk_points=_risk_points(request.user, enterprise.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            point = services.point_create(actor=actor_of(request), enterprise=enterprise, data=_cleaned(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("监测点位已保存"))
            return HttpResponseRedirect(reverse("monitoring:point", args=[point.pk]))
    return _form_page(
        request,
        form,
        gettext("%(name)s：新增监测点位") % {"name": enterprise.name},
        reverse("monitoring:points"),
        gettext(
            "限值为企业工艺控制指标，请注明版本和来源；建立后修改限值须提出限值变更并经本企业另一名负责人审批。"
        ),
    )


@login_required
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.point_get(request.user, pk)
    _require_editor(request.user, point.enterprise_id)
    initial = {name: getattr(point, name) for name in services.POINT_FIELDS}
    form = PointForm(
        request.POST or None,
        initial=initial,
        units=_units(request.user, point.enterprise_id),
        risk_points=_risk_points(request.user, point.enterprise_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.point_update(actor=actor_of(request), point=point, data=_cleaned(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("监测点位已保存"))
            return HttpResponseRedirect(reverse("monitoring:point", args=[point.pk]))
    return _form_page(
        request,
        form,
        gettext("修改监测点位"),
        reverse("monitoring:point", args=[point.pk]),
        gettext("限值不在此修改：请在点位页面“申请变更限值”。"),
    )


@require_POST
@login_required
def point_active(request: HttpRequest, pk: int) -> HttpResponse:
    """启用: a point out of use back into use at once (audited). Taking it out of use is a request another
    person approves (views/deactivations.py)."""
    point = selectors.point_get(request.user, pk)
    _require_editor(request.user, point.enterprise_id)
    if point.active:
        return HttpResponseRedirect(reverse("monitoring:deactivation_new", args=[point.pk]))
    services.point_set_active(actor=actor_of(request), point=point, active=True)
    messages.success(request, gettext("点位已启用"))
    return HttpResponseRedirect(reverse("monitoring:point", args=[point.pk]))
