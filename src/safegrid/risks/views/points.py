"""Pages of an enterprise's risk register (风险点清单) and its two lists (管控措施、管控责任).

Reads go through `selectors.points` (out of scope = 404), writes through `services.points` (atomic, audited);
`permissions.can_edit_register` decides who may write (in scope but not allowed = 403).
Government users read the register; the enterprise's managers and the county admin keep it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from safegrid.core.lists import BoundFilter, Column, Filter, ScopedListView
from safegrid.core.models import User
from safegrid.core.params import optional_id
from safegrid.core.scoping import scope_for
from safegrid.core.views import ServiceDeleteView, ServiceFormView
from safegrid.enterprises import selectors as ent_selectors
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import Enterprise
from safegrid.regions.selectors import division_choices

from ..choices import AssessmentKind, ControlTier, IdentificationMethod, RiskLevel, RiskPointType
from ..forms.points import (
    METHOD_INPUTS,
    AssessmentForm,
    ControlMeasureForm,
    HazardFactorForm,
    RiskPointForm,
    TierForm,
    input_field_name,
    table_value,
)
from ..models import (
    TIER_UNIT_KIND,
    ControlMeasure,
    HazardFactor,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskPoint,
)
from ..permissions import can_edit_register, editable_enterprise_ids
from ..rules import assessment as rules
from ..rules import methods
from ..selectors import points as selectors
from ..selectors.regional import site_plan_for
from ..services import points as services
from ..templatetags.risk_levels import risk_badge


def level_badge(level: int | None) -> SafeString:
    """A risk level as a badge in its colour, always with its name (the `risk_badge` template tag)."""
    return risk_badge(level)


def tier_names(tiers: tuple[str, ...]) -> str:
    labels = dict(ControlTier.choices)
    return "、".join(str(labels[t]) for t in tiers)


def point_missing_tiers(point: RiskPoint) -> tuple[str, ...]:
    """Required tiers nobody holds (uses prefetched `tiers`: no query per row)."""
    return rules.missing_tiers(point.level, [a.tier for a in point.tiers.all() if a.active])


def missing_tiers_q() -> Q:
    """Risk points whose level requires a tier that nobody holds, as one SQL condition."""
    condition = Q(pk__in=[])
    for tier in methods.TIERS:
        levels = [level for level, required in methods.REQUIRED_TIERS.items() if tier in required]
        held = ResponsibilityAssignment.objects.filter(risk_point=OuterRef("pk"), tier=tier, active=True)
        condition |= Q(Q(level__in=levels), ~Exists(held))
    return condition


def qr_url(point: RiskPoint) -> str | None:
    """The post card reached by the point's QR code, when the cards pages are installed."""
    try:
        return reverse("risks:card_by_qr", kwargs={"token": point.qr_token})
    except NoReverseMatch:
        return None


def cycle_text(measure: ControlMeasure) -> str:
    return gettext("每 %(n)s %(unit)s") % {
        "n": measure.check_cycle,
        "unit": measure.get_check_cycle_unit_display(),
    }


# ---- the list ------------------------------------------------------------------------------------


def _missing_html(point: RiskPoint) -> SafeString:
    missing = point_missing_tiers(point)
    if not missing:
        return format_html('<span class="text-secondary">{}</span>', "—")
    return format_html(
        '<span class="text-danger">⚠ {}{}</span>', gettext("缺少管控层级："), tier_names(missing)
    )


def _missing_text(point: RiskPoint) -> str:
    missing = point_missing_tiers(point)
    return tier_names(missing) if missing else ""


def _name_html(point: RiskPoint) -> SafeString:
    link = format_html('<a href="{}">{}</a>', reverse("risks:point_detail", args=[point.pk]), point.name)
    if point.active:
        return link
    return format_html('{} <span class="badge bg-secondary-lt">{}</span>', link, gettext("已停用"))


def _level_text(point: RiskPoint) -> str:
    return str(RiskLevel(point.level).label) if point.level else gettext("未定级")


def _by_level(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    if value == "none":
        return qs.filter(level__isnull=True)
    return qs.filter(level=int(value))


def blocks_filing_q() -> Q:
    """Points in use that keep the 一企一册 from being compiled: no level yet, or a tier their level
    requires held by nobody (`services.filing.register_issues` names the same points)."""
    return Q(active=True) & (Q(level__isnull=True) | missing_tiers_q())


def _by_missing(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(missing_tiers_q()) if value == "yes" else qs.exclude(missing_tiers_q())


def no_measures_q() -> Q:
    """Risk points without any control measure in use."""
    return Q(~Exists(ControlMeasure.objects.filter(risk_point=OuterRef("pk"), active=True)))


def _by_no_measures(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(no_measures_q()) if value == "yes" else qs.exclude(no_measures_q())


def _by_blocking(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(blocks_filing_q()) if value == "yes" else qs.exclude(blocks_filing_q())


def _by_active(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(active=value == "yes")


def _level_choices(user: Any) -> list[tuple[Any, Any]]:
    return [*RiskLevel.choices, ("none", _("未定级"))]


YES_NO = [("yes", _("是")), ("no", _("否"))]
GOVERNMENT_ONLY_FILTERS = frozenset({"enterprise", "division"})
GOVERNMENT_ONLY_COLUMNS = frozenset({"enterprise"})


def risk_point_rows(user: Any) -> QuerySet[RiskPoint]:
    """The scoped risk points; their factor and measure counts are kept on the row (`factor_count`,
    `measure_count`, by `services.revision`), so sorting by them walks an index."""
    return selectors.risk_point_list(user)


def _by_enterprise(queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
    # Narrows the already scoped rows; links from the enterprise page set it (a county has too many
    # enterprises for a drop-down: the search box finds them by name).
    return queryset.filter(enterprise_id=int(value))  # an `integer` filter: a valid id


class PointListView(ScopedListView):
    selector = risk_point_rows
    prefetch = (selectors.active_tiers(),)
    title = _("风险点清单")
    export_basename = "risk-points"
    detail_url_name = "risks:point_detail"
    default_sort = "code"
    search_fields = (
        "code__icontains",
        "name__icontains",
        "location__icontains",
        "enterprise__name__icontains",
    )
    search_placeholder = _("编号、名称、位置或企业")
    columns = (
        Column("code", _("编号"), sort="code", link=True, css="d-none d-sm-table-cell"),
        Column("name", _("风险点名称"), sort="name", html=_name_html, css="sg-wrap"),
        Column("enterprise", _("企业"), attr="enterprise.name", sort="enterprise__name", css="sg-wrap"),
        Column("type", _("类型"), attr="get_type_display", sort="type", css="d-none d-lg-table-cell"),
        Column("org_unit", _("所属车间/部门"), attr="org_unit.name", css="d-none d-md-table-cell"),
        Column("level", _("风险等级"), value=_level_text, html=lambda p: level_badge(p.level), sort="level"),
        Column("factor_count", _("危险源"), sort="factor_count", css="d-none d-md-table-cell text-end"),
        Column("measure_count", _("管控措施"), sort="measure_count", css="d-none d-md-table-cell text-end"),
        Column("missing_tiers", _("缺少的管控层级"), value=_missing_text, html=_missing_html, css="sg-wrap"),
        Column("location", _("位置"), table=False),
        Column("method_version", _("定级方法"), attr="level_method_version", table=False),
        Column(
            "active", _("在用"), value=lambda p: gettext("是") if p.active else gettext("否"), table=False
        ),
    )
    filters = (
        Filter("enterprise", _("企业"), _by_enterprise, hidden=True, integer=True),
        Filter("division", _("区划"), "enterprise__division__code__startswith", choices=division_choices),
        Filter("level", _("风险等级"), _by_level, choices=_level_choices),
        Filter("type", _("类型"), "type", choices=lambda user: RiskPointType.choices),
        Filter("missing", _("缺少管控层级"), _by_missing, choices=lambda user: YES_NO),
        Filter("no_measures", _("无管控措施"), _by_no_measures, choices=lambda user: YES_NO),
        Filter("active", _("在用"), _by_active, choices=lambda user: YES_NO),
        Filter("blocking", _("编制一企一册前须处理"), _by_blocking, choices=lambda user: YES_NO),
    )

    def _is_government(self) -> bool:
        return scope_for(self.request.user).is_government

    def bind_filters(self) -> list[BoundFilter]:
        bound = super().bind_filters()
        if self._is_government():
            return bound
        return [b for b in bound if b.name not in GOVERNMENT_ONLY_FILTERS]

    def table_columns(self) -> list[Column]:
        columns = super().table_columns()
        if self._is_government():
            return columns
        return [c for c in columns if c.key not in GOVERNMENT_ONLY_COLUMNS]

    def count_rows(self, bound: list[BoundFilter]) -> int | None:
        """From the register counters when only the enterprise, division and in-use filters are set."""
        values = {b.name: b.value for b in bound if b.value}
        if set(values) - {"enterprise", "division", "active"} or values.get("active") == "no":
            return None
        enterprise = values.get("enterprise", "")
        if enterprise and not enterprise.isdigit():
            return 0
        return selectors.risk_point_count(
            self.request.user,
            division=values.get("division", ""),
            enterprise_id=int(enterprise) if enterprise else None,
            active_only=values.get("active") == "yes",
        )

    def create_url(self) -> str | None:
        user = self.request.user
        chosen = optional_id(self.request.GET.get("enterprise"))
        if chosen is not None and can_edit_register(user, chosen):
            return reverse("risks:point_create", args=[chosen])
        own = editable_enterprise_ids(user)
        if len(own) == 1:
            return reverse("risks:point_create", args=[next(iter(own))])
        return None

    def get_extra_context(self) -> dict[str, Any]:
        return {
            "list_note": gettext(
                "风险等级取各危险源当前评价中最高的一级；缺少管控层级指该等级要求而尚未指定责任人的层级。"
            )
        }


# ---- the detail page -----------------------------------------------------------------------------


def _tier_rows(point: RiskPoint) -> list[dict[str, Any]]:
    held = {a.tier: a for a in point.tiers.all() if a.active}
    required = set(rules.required_tiers(point.level))
    return [
        {
            "tier": value,
            "label": label,
            "assignment": held.get(value),
            "required": value in required,
            "missing": value in required and value not in held,
        }
        for value, label in ControlTier.choices
    ]


@require_safe
@login_required
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.risk_point_detail(request.user, pk)
    missing = point_missing_tiers(point)
    factors = selectors.factor_views(point)
    measures = [{"measure": m, "cycle": cycle_text(m)} for m in point.measures.all()]
    context = {
        "point": point,
        "enterprise": point.enterprise,
        "factors": factors,
        "measures": measures,
        "tiers": _tier_rows(point),
        "retired": selectors.retired_items(point),
        "missing": missing,
        "missing_text": tier_names(missing),
        "qr_url": qr_url(point),
        "can_edit": can_edit_register(request.user, point.enterprise_id),
        "plan_x_pct": round(point.plan_x * 100) if point.plan_x is not None else None,
        "plan_y_pct": round(point.plan_y * 100) if point.plan_y is not None else None,
        "has_plan": site_plan_for(request.user, point.enterprise_id) is not None,
    }
    return render(request, "risks/points/detail.html", context)


# ---- shared mixins -------------------------------------------------------------------------------


class _RegisterEditMixin:
    """Write pages: the object is looked up through a selector (404 out of scope); then 403 unless
    the user keeps this enterprise's register."""

    request: HttpRequest
    kwargs: dict[str, Any]

    def enterprise_id_of(self, obj: Any) -> int:
        raise NotImplementedError

    def has_permission(self, obj: Any) -> bool:
        return can_edit_register(self.request.user, self.enterprise_id_of(obj))

    def point(self) -> RiskPoint:
        if not hasattr(self, "_point"):
            self._point = selectors.risk_point_get(self.request.user, self.kwargs["pk"])
        return self._point

    def point_url(self, point_id: int) -> str:
        return reverse("risks:point_detail", args=[point_id])


# ---- risk points ---------------------------------------------------------------------------------


class PointCreateView(_RegisterEditMixin, ServiceFormView):
    form_class = RiskPointForm
    template_name = "risks/points/form.html"

    def enterprise(self) -> Enterprise:
        if not hasattr(self, "_enterprise"):
            self._enterprise = ent_selectors.enterprise_get(self.request.user, self.kwargs["enterprise"])
        return self._enterprise

    def enterprise_id_of(self, obj: Any) -> int:
        return self.enterprise().pk

    def get_title(self, obj: Any) -> str:
        return gettext("新建风险点：%(name)s") % {"name": self.enterprise().name}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        enterprise = self.enterprise()
        return {
            "instance": RiskPoint(enterprise=enterprise),
            "org_units": ent_selectors.org_unit_list(self.request.user).filter(enterprise=enterprise),
        }

    def save(self, form: Any, obj: Any) -> RiskPoint:
        return services.risk_point_create(
            actor=self.actor(), enterprise=self.enterprise(), data=form.cleaned_data
        )

    def success_url(self, obj: Any) -> str:
        return self.point_url(obj.pk)

    def cancel_url(self, obj: Any) -> str:
        return reverse("risks:point_list")


class PointEditView(_RegisterEditMixin, ServiceFormView):
    form_class = RiskPointForm
    template_name = "risks/points/form.html"

    def get_object(self) -> RiskPoint:
        return self.point()

    def enterprise_id_of(self, obj: Any) -> int:
        return int(obj.enterprise_id)

    def get_title(self, obj: Any) -> str:
        return gettext("编辑风险点：%(name)s") % {"name": str(obj)}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        return {
            "instance": obj,
            "org_units": ent_selectors.org_unit_list(self.request.user).filter(
                enterprise_id=obj.enterprise_id
            ),
        }

    def save(self, form: Any, obj: Any) -> RiskPoint:
        return services.risk_point_update(actor=self.actor(), point=obj, data=form.cleaned_data)

    def success_url(self, obj: Any) -> str:
        return self.point_url(obj.pk)


@require_POST
@login_required
def point_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    """Deactivate (停用) or reactivate a risk point; its history stays."""
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    point = selectors.risk_point_get(user, pk)
    if not can_edit_register(user, point.enterprise_id):
        raise PermissionDenied(gettext("您没有修改此项的权限"))
    if active:
        services.risk_point_reactivate(actor=user, point=point)
        messages.success(request, gettext("已恢复使用：%(name)s") % {"name": str(point)})
    else:
        services.risk_point_deactivate(actor=user, point=point)
        messages.success(request, gettext("已停用：%(name)s") % {"name": str(point)})
    return HttpResponseRedirect(reverse("risks:point_detail", args=[point.pk]))


# ---- hazard factors ------------------------------------------------------------------------------


class FactorCreateView(_RegisterEditMixin, ServiceFormView):
    form_class = HazardFactorForm
    template_name = "risks/points/factor_form.html"

    def enterprise_id_of(self, obj: Any) -> int:
        return int(self.point().enterprise_id)

    def get_title(self, obj: Any) -> str:
        return gettext("新增危险源：%(point)s") % {"point": str(self.point())}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        method = (
            IdentificationMethod.JHA
            if self.point().type == RiskPointType.ACTIVITY
            else IdentificationMethod.SCL
        )
        return {"initial": {"method": method}}

    def save(self, form: Any, obj: Any) -> HazardFactor:
        return services.hazard_factor_add(actor=self.actor(), point=self.point(), data=form.cleaned_data)

    def success_url(self, obj: Any) -> str:
        return self.point_url(obj.risk_point_id)

    def cancel_url(self, obj: Any) -> str:
        return self.point_url(self.point().pk)


class _PointChildMixin(_RegisterEditMixin):
    """Edit pages of a row that hangs off a risk point (factor, measure): back to the point when done."""

    def enterprise_id_of(self, obj: Any) -> int:
        return int(obj.risk_point.enterprise_id)

    def success_url(self, obj: Any) -> str:
        return self.point_url(obj.risk_point_id)

    def cancel_url(self, obj: Any) -> str:
        return self.point_url(obj.risk_point_id)


class _FactorMixin(_PointChildMixin):
    def get_object(self) -> HazardFactor:
        return selectors.hazard_factor_get(self.request.user, self.kwargs["pk"])


class FactorEditView(_FactorMixin, ServiceFormView):
    form_class = HazardFactorForm
    template_name = "risks/points/factor_form.html"

    def get_title(self, obj: Any) -> str:
        return gettext("编辑危险源：%(name)s") % {"name": str(obj)}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        return {"initial": HazardFactorForm.initial_for(obj)}

    def save(self, form: Any, obj: Any) -> HazardFactor:
        return services.hazard_factor_update(actor=self.actor(), factor=obj, data=form.cleaned_data)


class FactorDeleteView(_FactorMixin, ServiceDeleteView):
    kind = _("危险源")

    def delete(self, obj: Any) -> None:
        services.hazard_factor_remove(actor=self.actor(), factor=obj)


# ---- assessment ----------------------------------------------------------------------------------


def _remap_assessment_error(exc: ValidationError, method: str) -> ValidationError:
    """The service names the method's letter ("E"); the form names "<METHOD>_E"."""
    if not hasattr(exc, "error_dict"):
        return exc
    remapped: dict[str, Any] = {}
    letters = {key for key, _label, _table in METHOD_INPUTS.get(method, ())}
    for field, errors in exc.error_dict.items():
        name = input_field_name(method, field) if field in letters else field
        remapped[name] = errors
    return ValidationError(remapped)


def _initial_assessment(user: Any, factor: HazardFactor) -> dict[str, Any]:
    """Start from the factor's latest assessment (a second one is usually the residual)."""
    latest = (
        selectors.assessment_list(user).filter(hazard_factor=factor).order_by("-assessed_at", "-id").first()
    )
    if latest is None:
        return {"method": "LEC", "kind": AssessmentKind.INITIAL}
    initial: dict[str, Any] = {"method": latest.method, "kind": AssessmentKind.RESIDUAL}
    for key, value in (latest.inputs or {}).items():
        initial[input_field_name(latest.method, key)] = table_value(value)
    return initial


class AssessView(_FactorMixin, ServiceFormView):
    """Grade a hazard factor; the page previews the result live through `assess_preview`."""

    form_class = AssessmentForm
    template_name = "risks/points/assess.html"
    success_message = _("已保存评价结果")

    def get_title(self, obj: Any) -> str:
        return gettext("风险评价：%(name)s") % {"name": str(obj)}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        return {"initial": _initial_assessment(self.request.user, obj)}

    def get_context(self, form: Any, obj: Any) -> dict[str, Any]:
        context = super().get_context(form, obj)
        config = selectors.risk_config_for(self.request.user, obj.risk_point.enterprise_id)
        context.update(
            {
                "factor": obj,
                "point": obj.risk_point,
                "chosen_method": form.chosen_method(),
                "preview": _preview(form, config),
                "config": config,
            }
        )
        return context

    def save(self, form: Any, obj: Any) -> RiskAssessment:
        method = form.cleaned_data["method"]
        try:
            return services.assess(
                actor=self.actor(),
                factor=obj,
                kind=form.cleaned_data["kind"],
                method=method,
                inputs=form.inputs(),
            )
        except ValidationError as exc:
            raise _remap_assessment_error(exc, method) from exc

    def success_url(self, obj: Any) -> str:
        return self.point_url(obj.hazard_factor.risk_point_id)


def _preview(form: AssessmentForm, config: rules.RiskConfig) -> dict[str, Any]:
    """What `rules.assess` says about the form's current values (the same call the service makes)."""
    method = form.chosen_method()
    inputs = form.inputs()
    if not all(inputs.values()):
        # Still being filled in: say what is left rather than flag an error.
        labels = {key: label for key, label, _table in METHOD_INPUTS.get(method, ())}
        return {"pending": [labels[key] for key, value in inputs.items() if not value]}
    try:
        result = rules.assess(method, inputs, config)
    except rules.InvalidInput as exc:
        labels = {key: label for key, label, _table in METHOD_INPUTS.get(method, ())}
        return {
            "error": exc.message,
            "field": input_field_name(method, exc.field) if exc.field in labels else exc.field,
            "field_label": labels.get(exc.field, exc.field),
        }
    return {
        "result": result,
        "score": rules.number(result.score),
        "badge": level_badge(result.level),
        "formula": " × ".join(f"{k} {table_value(v)}" for k, v in result.inputs.items()),
    }


@require_POST
@login_required
def assess_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live preview partial: score, level, colour and method version, or the field's error (422)."""
    factor = selectors.hazard_factor_get(request.user, pk)
    if not can_edit_register(request.user, factor.risk_point.enterprise_id):
        raise PermissionDenied(gettext("您没有修改此项的权限"))
    form = AssessmentForm(data=request.POST)
    config = selectors.risk_config_for(request.user, factor.risk_point.enterprise_id)
    preview = _preview(form, config)
    status = 422 if "error" in preview else 200
    return render(request, "risks/points/_assess_preview.html", {"preview": preview}, status=status)


# ---- control measures ----------------------------------------------------------------------------


def _posts(user: Any, enterprise_id: int) -> QuerySet[Any]:
    return (
        ent_selectors.org_unit_list(user)
        .filter(enterprise_id=enterprise_id, kind=OrgUnitKind.POST)
        .order_by("path")
    )


class MeasureCreateView(_RegisterEditMixin, ServiceFormView):
    form_class = ControlMeasureForm
    template_name = "risks/points/measure_form.html"

    def enterprise_id_of(self, obj: Any) -> int:
        return int(self.point().enterprise_id)

    def get_title(self, obj: Any) -> str:
        return gettext("新增管控措施：%(point)s") % {"point": str(self.point())}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        point = self.point()
        initial: dict[str, Any] = {}
        factor = optional_id(self.request.GET.get("factor"))
        if factor is not None:
            initial["hazard_factor"] = factor
        return {
            "instance": ControlMeasure(risk_point=point),
            "factors": selectors.hazard_factor_list(self.request.user).filter(risk_point=point, active=True),
            "posts": _posts(self.request.user, point.enterprise_id),
            "initial": initial,
        }

    def save(self, form: Any, obj: Any) -> ControlMeasure:
        return services.measure_add(actor=self.actor(), point=self.point(), data=form.cleaned_data)

    def success_url(self, obj: Any) -> str:
        return self.point_url(obj.risk_point_id)

    def cancel_url(self, obj: Any) -> str:
        return self.point_url(self.point().pk)


class _MeasureMixin(_PointChildMixin):
    def get_object(self) -> ControlMeasure:
        return selectors.measure_get(self.request.user, self.kwargs["pk"])


class MeasureEditView(_MeasureMixin, ServiceFormView):
    form_class = ControlMeasureForm
    template_name = "risks/points/measure_form.html"

    def get_title(self, obj: Any) -> str:
        return gettext("编辑管控措施：%(name)s") % {"name": str(obj)}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        return {
            "instance": obj,
            "factors": selectors.hazard_factor_list(self.request.user).filter(
                risk_point_id=obj.risk_point_id, active=True
            ),
            "posts": _posts(self.request.user, obj.risk_point.enterprise_id),
        }

    def save(self, form: Any, obj: Any) -> ControlMeasure:
        return services.measure_update(actor=self.actor(), measure=obj, data=form.cleaned_data)


class MeasureDeleteView(_MeasureMixin, ServiceDeleteView):
    kind = _("管控措施")

    def delete(self, obj: Any) -> None:
        services.measure_remove(actor=self.actor(), measure=obj)


# ---- responsibility tiers ------------------------------------------------------------------------


class TierAssignView(_RegisterEditMixin, ServiceFormView):
    """Name the responsible person (and unit) of one tier of a risk point."""

    form_class = TierForm
    template_name = "risks/points/tier_form.html"

    def tier(self) -> ControlTier:
        value = self.kwargs["tier"]
        if value not in ControlTier.values:
            raise Http404(gettext("未知的管控层级"))
        return ControlTier(value)

    def enterprise_id_of(self, obj: Any) -> int:
        return int(self.point().enterprise_id)

    def get_title(self, obj: Any) -> str:
        return gettext("%(tier)s管控责任") % {"tier": self.tier().label}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        point = self.point()
        user = self.request.user
        kind = TIER_UNIT_KIND[self.tier()]
        held = selectors.assignment_list(user).filter(risk_point=point, tier=self.tier(), active=True).first()
        initial = {"person": held.person_id, "org_unit": held.org_unit_id} if held else {}
        units = ent_selectors.org_unit_list(user).filter(enterprise_id=point.enterprise_id, kind=kind)
        people = ent_selectors.person_list(user).filter(enterprise_id=point.enterprise_id, active=True)
        if point.org_unit is not None and kind != OrgUnitKind.COMPANY:
            # Offer only the units of this tier on the point's line and the people working in them
            # (rules/tiers.py; the service refuses anything else with the reason).
            path = point.org_unit.path
            line = [u for u in units if u.path.startswith(path) or path.startswith(u.path)]
            units = units.filter(pk__in=[u.pk for u in line])
            within = Q(pk__in=[])
            for unit in line:
                within |= Q(org_unit__path__startswith=unit.path)
            people = people.filter(within)
        return {
            "people": people.order_by("org_unit__path", "name"),
            "units": units.order_by("path"),
            "initial": initial,
        }

    def get_context(self, form: Any, obj: Any) -> dict[str, Any]:
        context = super().get_context(form, obj)
        point = self.point()
        tier = self.tier()
        if tier in rules.required_tiers(point.level):
            need = gettext("该风险点的等级要求设置%(tier)s管控责任。")
        else:
            need = gettext("该风险点的等级不强制要求%(tier)s管控，可自愿设置。")
        limits = gettext(
            "责任单位限风险点所在管理线上与管控层级对应的组织单元，责任人限在该单位（含下级）工作的在岗人员；"
            "不选责任单位时按责任人所在单位确定。"
        )
        context.update({"point": point, "intro": f"{need % {'tier': tier.label}}{limits}"})
        return context

    def save(self, form: Any, obj: Any) -> ResponsibilityAssignment:
        return services.tier_assign(
            actor=self.actor(),
            point=self.point(),
            tier=self.tier(),
            person=form.cleaned_data["person"],
            org_unit=form.cleaned_data["org_unit"],
        )

    def success_url(self, obj: Any) -> str:
        return self.point_url(obj.risk_point_id) + "#tiers"

    def cancel_url(self, obj: Any) -> str:
        return self.point_url(self.point().pk) + "#tiers"


class TierUnassignView(_RegisterEditMixin, ServiceDeleteView):
    kind = _("管控责任")

    def get_object(self) -> ResponsibilityAssignment:
        return selectors.assignment_get(self.request.user, self.kwargs["pk"])

    def enterprise_id_of(self, obj: Any) -> int:
        return int(obj.risk_point.enterprise_id)

    def delete(self, obj: Any) -> None:
        services.tier_unassign(actor=self.actor(), assignment=obj)

    def success_url(self, obj: Any) -> str:
        return self.point_url(obj.risk_point_id) + "#tiers"

    def cancel_url(self, obj: Any) -> str:
        return self.point_url(obj.risk_point_id) + "#tiers"
