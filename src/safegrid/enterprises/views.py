"""Pages for enterprises, org units, people and certificates.

Reads go through `selectors` (out of scope = 404), writes through `services` (atomic, audited);
`permissions` decides who may write (in scope but not allowed = 403).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from safegrid.core import panels
from safegrid.core.lists import EXPORT_CHUNK, Column, Filter, ScopedListView, choice_label
from safegrid.core.params import optional_id
from safegrid.core.scoping import scope_for
from safegrid.core.selectors import audit_for_enterprise
from safegrid.core.templatetags.safegrid import status_badge
from safegrid.core.views import ServiceDeleteView, ServiceFormView
from safegrid.regions import selectors as region_selectors
from safegrid.regions.selectors import division_choices, grid_choices, sector_choices

from . import permissions, selectors, services
from .choices import ORG_UNIT_CHILD_KIND, CertificateKind, ChemicalPark, EnterpriseStatus, OrgUnitKind
from .forms import (
    CONTACT_FIELDS,
    CertificateForm,
    EnterpriseContactForm,
    EnterpriseForm,
    OrgUnitEditForm,
    OrgUnitForm,
    PersonForm,
)
from .models import Certificate, Enterprise, OrgUnit, Person
from .rules import ExpiryStatus
from .templatetags.enterprises import expiry_badge

# ---- shared filter choices (one query each) ------------------------------------------------------


def park_choices(user: Any) -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in ChemicalPark.choices if value]


def _by_enterprise(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(enterprise_id=int(value))  # an `integer` filter: a valid id


def _sector_names(enterprise: Enterprise) -> str:
    return "、".join(s.name for s in enterprise.sectors.all())


def _labelled(enterprise: Enterprise, divisions: dict[str, str], grids: dict[int, str], sectors: str) -> None:
    """The list's labels set on the row (`EnterpriseListView`): its division, grid and sector names."""
    enterprise.division_name = divisions.get(enterprise.division_id, "")  # type: ignore[attr-defined]
    enterprise.grid_name = grids.get(enterprise.grid_id, "") if enterprise.grid_id else ""  # type: ignore[attr-defined]
    enterprise.sector_names = sectors  # type: ignore[attr-defined]


def _status_html(enterprise: Enterprise) -> SafeString:
    return status_badge(enterprise.status, choice_label(enterprise, "status"))


def _expiry_html(certificate: Certificate) -> SafeString:
    return format_html(
        "{} {}",
        certificate.expires_on.isoformat() if certificate.expires_on else "—",
        expiry_badge(certificate.expires_on),
    )


def _expiry_text(certificate: Certificate) -> str:
    return {
        ExpiryStatus.EXPIRED: gettext("已过期"),
        ExpiryStatus.EXPIRING: gettext("即将到期"),
        ExpiryStatus.VALID: gettext("有效"),
        ExpiryStatus.NO_EXPIRY: gettext("长期有效"),
    }[certificate.status()]


# ---- enterprises ---------------------------------------------------------------------------------


class EnterpriseListView(ScopedListView):
    """The county's most used page. Its rows carry their division, grid and sector names from cached maps
    and one query per page (`page_objects`), not from joined or prefetched model rows (~3 ms a page)."""

    selector = selectors.enterprise_list
    title = _("企业台账")
    export_basename = "enterprises"
    detail_url_name = "enterprises:enterprise_detail"
    default_sort = "name"
    search_fields = ("name__icontains", "uscc__icontains")
    search_placeholder = _("企业名称或统一社会信用代码")
    columns = (
        Column("name", _("企业名称"), sort="name", link=True, css="sg-wrap"),
        Column("uscc", _("统一社会信用代码"), sort="uscc", css="d-none d-md-table-cell"),
        Column("division", _("所属区划"), attr="division_name", sort="division_id"),
        Column("sectors", _("行业领域"), attr="sector_names", css="d-none d-lg-table-cell"),
        Column("status", _("经营状态"), attr="get_status_display", sort="status", html=_status_html),
        Column("grid", _("所属网格"), attr="grid_name", sort="grid__name", css="d-none d-xl-table-cell"),
        Column("chemical_park", _("化工园区"), attr="get_chemical_park_display", table=False),
        Column("scale", _("规模"), attr="get_scale_display", table=False),
        Column("employees", _("从业人数"), sort="employees", css="d-none d-xl-table-cell text-end"),
        Column("legal_rep", _("法定代表人"), css="d-none d-xl-table-cell"),
        Column("safety_manager", _("安全管理员"), table=False),
        Column("safety_manager_phone", _("安全管理员电话"), table=False),
        Column("address", _("地址"), table=False),
    )
    filters = (
        Filter("division", _("区划"), "division__code__startswith", choices=division_choices),
        Filter("sector", _("行业领域"), "sectors__code", choices=sector_choices),
        Filter("status", _("经营状态"), "status", choices=lambda user: EnterpriseStatus.choices),
        Filter("park", _("化工园区"), "chemical_park", choices=park_choices),
        Filter("grid", _("网格"), "grid_id", choices=grid_choices),
    )

    def create_url(self) -> str | None:
        if permissions.can_create_enterprise(self.request.user):
            return reverse("enterprises:enterprise_create")
        return None

    def get_base_queryset(self) -> QuerySet[Enterprise]:
        return super().get_base_queryset().select_related(None)

    def page_objects(self, objects: Any) -> list[Enterprise]:
        rows = list(objects)
        divisions, grids = region_selectors.division_names(), region_selectors.grid_names()
        sectors = selectors.sector_names_of([e.pk for e in rows])
        for enterprise in rows:
            _labelled(enterprise, divisions, grids, sectors.get(enterprise.pk, ""))
        return rows

    def export_rows(self, qs: QuerySet[Any]) -> Iterator[list[Any]]:
        divisions, grids = region_selectors.division_names(), region_selectors.grid_names()
        columns = [c for c in self.columns if c.export]
        for enterprise in qs.prefetch_related("sectors").iterator(chunk_size=EXPORT_CHUNK):
            _labelled(enterprise, divisions, grids, _sector_names(enterprise))
            yield [c.get_value(enterprise) for c in columns]


def _org_tree(units: list[OrgUnit]) -> list[dict[str, Any]]:
    """Units in path order with their depth below the shallowest one shown."""
    if not units:
        return []
    top = min(u.path.count("/") for u in units)
    return [
        {
            "unit": u,
            "depth": min(u.path.count("/") - top, 4),
            "child_kind": ORG_UNIT_CHILD_KIND.get(OrgUnitKind(u.kind)),
        }
        for u in units
    ]


DETAIL_LIMIT = 50


@require_safe
@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    enterprise = selectors.enterprise_get(user, pk)
    units = list(selectors.org_unit_list(user).filter(enterprise=enterprise).order_by("path"))
    people_qs = selectors.person_list(user).filter(enterprise=enterprise).order_by("name")
    people = list(people_qs[:DETAIL_LIMIT])
    certificates = list(
        selectors.certificate_list(user)
        .filter(enterprise=enterprise)
        .order_by("expires_on", "id")[:DETAIL_LIMIT]
    )
    can_manage = permissions.can_manage_staff(user, enterprise.pk)
    can_see_audit = permissions.can_see_audit(user)
    map_data = None
    if enterprise.lat is not None and enterprise.lon is not None:
        town = enterprise.division.parent if enterprise.division.level == "village" else enterprise.division
        map_data = {
            "name": enterprise.name,
            "lat": enterprise.lat,
            "lon": enterprise.lon,
            "boundary": town.boundary if town is not None else None,
        }
    context = {
        "enterprise": enterprise,
        "sectors": list(enterprise.sectors.all()),
        "tree": _org_tree(units),
        "people": people,
        "people_more": len(people) == DETAIL_LIMIT,
        "certificates": certificates,
        "certificates_more": len(certificates) == DETAIL_LIMIT,
        "audit_entries": audit_for_enterprise(user, enterprise.pk) if can_see_audit else None,
        "can_edit": permissions.can_edit_enterprise(user, enterprise),
        "can_edit_contacts": permissions.can_edit_contacts(user, enterprise),
        "can_delete": permissions.can_delete_enterprise(user),
        "can_manage": can_manage,
        "links_to_regions": scope_for(user).is_government,  # others cannot open division/grid pages
        "map_data": map_data,
        "panels": panels.render("enterprise_detail", request, enterprise),
        "contacts": [
            (
                Enterprise._meta.get_field("legal_rep").verbose_name,
                enterprise.legal_rep,
                enterprise.legal_rep_phone,
            ),
            (
                Enterprise._meta.get_field("principal").verbose_name,
                enterprise.principal,
                enterprise.principal_phone,
            ),
            (
                Enterprise._meta.get_field("safety_manager").verbose_name,
                enterprise.safety_manager,
                enterprise.safety_manager_phone,
            ),
        ],
    }
    return render(request, "enterprises/enterprise_detail.html", context)


class _EnterpriseFormMixin:
    request: HttpRequest

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        user = self.request.user
        kwargs: dict[str, Any] = {
            "divisions": region_selectors.division_list(user).order_by("code"),
            "grids": region_selectors.grid_list(user),
        }
        if obj is not None:
            kwargs["instance"] = obj
        return kwargs

    @staticmethod
    def split(form: EnterpriseForm) -> tuple[dict[str, Any], list[Any]]:
        data = {k: v for k, v in form.cleaned_data.items() if k != "sectors"}
        return data, list(form.cleaned_data["sectors"])


class EnterpriseCreateView(_EnterpriseFormMixin, ServiceFormView):
    form_class = EnterpriseForm
    title = _("新建企业")

    def has_permission(self, obj: Any) -> bool:
        return permissions.can_create_enterprise(self.request.user)

    def save(self, form: Any, obj: Any) -> Enterprise:
        data, sectors = self.split(form)
        return services.enterprise_create(actor=self.actor(), data=data, sectors=sectors)

    def success_url(self, obj: Any) -> str:
        return reverse("enterprises:enterprise_detail", args=[obj.pk])

    def cancel_url(self, obj: Any) -> str:
        return reverse("enterprises:enterprise_list")


class EnterpriseEditView(_EnterpriseFormMixin, ServiceFormView):
    form_class = EnterpriseForm

    def get_object(self) -> Enterprise:
        return selectors.enterprise_get(self.request.user, self.kwargs["pk"])

    def get_title(self, obj: Any) -> str:
        return gettext("编辑企业：%(name)s") % {"name": obj.name}

    def has_permission(self, obj: Any) -> bool:
        return permissions.can_edit_enterprise(self.request.user, obj)

    def save(self, form: Any, obj: Any) -> Enterprise:
        data, sectors = self.split(form)
        return services.enterprise_update(actor=self.actor(), enterprise=obj, data=data, sectors=sectors)

    def success_url(self, obj: Any) -> str:
        return reverse("enterprises:enterprise_detail", args=[obj.pk])


class EnterpriseContactsView(ServiceFormView):
    """The enterprise's own managers keep their contact names and phones current."""

    form_class = EnterpriseContactForm

    def get_object(self) -> Enterprise:
        return selectors.enterprise_get(self.request.user, self.kwargs["pk"])

    def get_title(self, obj: Any) -> str:
        return gettext("联系人：%(name)s") % {"name": obj.name}

    def has_permission(self, obj: Any) -> bool:
        return permissions.can_edit_contacts(self.request.user, obj)

    def save(self, form: Any, obj: Any) -> Enterprise:
        data = {k: form.cleaned_data[k] for k in CONTACT_FIELDS}
        return services.enterprise_update(actor=self.actor(), enterprise=obj, data=data)

    def success_url(self, obj: Any) -> str:
        return reverse("enterprises:enterprise_detail", args=[obj.pk])


class EnterpriseDeleteView(ServiceDeleteView):
    kind = _("企业")

    def get_object(self) -> Enterprise:
        return selectors.enterprise_get(self.request.user, self.kwargs["pk"])

    def has_permission(self, obj: Any) -> bool:
        return permissions.can_delete_enterprise(self.request.user)

    def delete(self, obj: Any) -> None:
        services.enterprise_delete(actor=self.actor(), enterprise=obj)

    def success_url(self, obj: Any) -> str:
        return reverse("enterprises:enterprise_list")

    def cancel_url(self, obj: Any) -> str:
        return reverse("enterprises:enterprise_detail", args=[obj.pk])


# ---- org units -----------------------------------------------------------------------------------


class _StaffMixin:
    """Views on an enterprise's org units, people and certificates (managers only)."""

    request: HttpRequest
    kwargs: dict[str, Any]

    def enterprise(self) -> Enterprise:
        if not hasattr(self, "_enterprise"):
            self._enterprise = selectors.enterprise_get(self.request.user, self.kwargs["pk"])
        return self._enterprise

    def has_permission(self, obj: Any) -> bool:
        enterprise_id = obj.enterprise_id if obj is not None else self.enterprise().pk
        return permissions.can_manage_staff(self.request.user, enterprise_id)

    def success_url(self, obj: Any) -> str:
        return reverse("enterprises:enterprise_detail", args=[obj.enterprise_id])

    def cancel_url(self, obj: Any) -> str:
        enterprise_id = obj.enterprise_id if obj is not None else self.enterprise().pk
        return reverse("enterprises:enterprise_detail", args=[enterprise_id])


class OrgUnitCreateView(_StaffMixin, ServiceFormView):
    form_class = OrgUnitForm

    def parent(self) -> OrgUnit:
        if not hasattr(self, "_parent"):
            parent = selectors.org_unit_get(self.request.user, self.kwargs["parent"])
            if parent.enterprise_id != self.enterprise().pk:
                raise PermissionDenied(gettext("上级单元不属于该企业"))
            self._parent = parent
        return self._parent

    def get_title(self, obj: Any) -> str:
        return gettext("在“%(parent)s”下新建单元") % {"parent": self.parent().name}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        child = ORG_UNIT_CHILD_KIND.get(OrgUnitKind(self.parent().kind))
        return {"initial": {"kind": child}} if child else {}

    def save(self, form: Any, obj: Any) -> OrgUnit:
        return services.org_unit_create(
            actor=self.actor(),
            enterprise=self.enterprise(),
            parent=self.parent(),
            data=form.cleaned_data,
        )


class OrgUnitEditView(_StaffMixin, ServiceFormView):
    form_class = OrgUnitEditForm

    def get_object(self) -> OrgUnit:
        return selectors.org_unit_get(self.request.user, self.kwargs["pk"])

    def get_title(self, obj: Any) -> str:
        return gettext("编辑单元：%(name)s") % {"name": obj.name}

    def save(self, form: Any, obj: Any) -> OrgUnit:
        return services.org_unit_update(actor=self.actor(), unit=obj, data=form.cleaned_data)


class OrgUnitDeleteView(_StaffMixin, ServiceDeleteView):
    kind = _("组织单元")

    def get_object(self) -> OrgUnit:
        return selectors.org_unit_get(self.request.user, self.kwargs["pk"])

    def delete(self, obj: Any) -> None:
        services.org_unit_delete(actor=self.actor(), unit=obj)


# ---- people --------------------------------------------------------------------------------------


class PersonListView(ScopedListView):
    selector = selectors.person_list
    title = _("人员")
    export_basename = "people"
    detail_url_name = "enterprises:person_detail"
    default_sort = "name"
    search_fields = ("name__icontains", "job_title__icontains", "phone__icontains")
    search_placeholder = _("姓名、职务或电话")
    columns = (
        Column("name", _("姓名"), sort="name", link=True),
        Column("enterprise", _("企业"), attr="enterprise.name", sort="enterprise__name", css="sg-wrap"),
        Column("org_unit", _("岗位/部门"), attr="org_unit.name", css="d-none d-md-table-cell"),
        Column("job_title", _("职务"), sort="job_title", css="d-none d-md-table-cell"),
        Column("phone", _("电话"), css="d-none d-lg-table-cell"),
        Column("active", _("在岗"), value=lambda p: gettext("是") if p.active else gettext("否")),
    )
    filters = (
        Filter("enterprise", _("企业"), _by_enterprise, hidden=True, integer=True),
        Filter(
            "active", _("在岗"), "active", choices=lambda user: [("True", _("在岗")), ("False", _("离岗"))]
        ),
    )

    def get_extra_context(self) -> dict[str, Any]:
        value = optional_id(self.request.GET.get("enterprise"))
        if value is not None:
            enterprise = selectors.enterprise_list(self.request.user).filter(pk=value).first()
            if enterprise is not None:
                return {"list_note": gettext("仅显示“%(name)s”的人员。") % {"name": enterprise.name}}
        return {}


@require_safe
@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(request.user, pk)
    certificates = list(selectors.certificate_list(request.user).filter(person=person).order_by("expires_on"))
    context = {
        "person": person,
        "certificates": certificates,
        "can_manage": permissions.can_manage_staff(request.user, person.enterprise_id),
    }
    return render(request, "enterprises/person_detail.html", context)


class PersonCreateView(_StaffMixin, ServiceFormView):
    form_class = PersonForm

    def get_title(self, obj: Any) -> str:
        return gettext("新增人员：%(name)s") % {"name": self.enterprise().name}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        enterprise = self.enterprise()
        return {
            "instance": Person(enterprise=enterprise),
            "org_units": selectors.org_unit_list(self.request.user).filter(enterprise=enterprise),
        }

    def save(self, form: Any, obj: Any) -> Person:
        return services.person_create(
            actor=self.actor(), enterprise=self.enterprise(), data=form.cleaned_data
        )

    def success_url(self, obj: Any) -> str:
        return reverse("enterprises:person_detail", args=[obj.pk])


class PersonEditView(_StaffMixin, ServiceFormView):
    form_class = PersonForm

    def get_object(self) -> Person:
        return selectors.person_get(self.request.user, self.kwargs["pk"])

    def get_title(self, obj: Any) -> str:
        return gettext("编辑人员：%(name)s") % {"name": obj.name}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        return {
            "instance": obj,
            "org_units": selectors.org_unit_list(self.request.user).filter(enterprise_id=obj.enterprise_id),
        }

    def save(self, form: Any, obj: Any) -> Person:
        return services.person_update(actor=self.actor(), person=obj, data=form.cleaned_data)

    def success_url(self, obj: Any) -> str:
        return reverse("enterprises:person_detail", args=[obj.pk])


class PersonDeleteView(_StaffMixin, ServiceDeleteView):
    kind = _("人员")

    def get_object(self) -> Person:
        return selectors.person_get(self.request.user, self.kwargs["pk"])

    def delete(self, obj: Any) -> None:
        services.person_delete(actor=self.actor(), person=obj)


# ---- certificates --------------------------------------------------------------------------------


def _certificate_row_url(certificate: Certificate) -> str:
    if certificate.person_id:
        return reverse("enterprises:person_detail", args=[certificate.person_id])
    return reverse("enterprises:enterprise_detail", args=[certificate.enterprise_id])


CERTIFICATE_COLUMNS = (
    Column("kind", _("证书类型"), attr="get_kind_display", sort="kind", link=True, css="sg-wrap"),
    Column("number", _("证书编号"), sort="number", css="d-none d-md-table-cell"),
    Column("person", _("持证人"), attr="person.name", sort="person__name"),
    Column(
        "enterprise",
        _("企业"),
        attr="enterprise.name",
        sort="enterprise__name",
        css="d-none d-md-table-cell sg-wrap",
    ),
    Column("issuer", _("发证机关"), css="d-none d-xl-table-cell"),
    Column("expires_on", _("有效期至"), sort="expires_on", html=_expiry_html),
    Column("expiry_status", _("到期状态"), value=_expiry_text, table=False),
)


class CertificateListView(ScopedListView):
    selector = selectors.certificate_list
    title = _("证照")
    export_basename = "certificates"
    default_sort = "expires_on"
    search_fields = ("number__icontains", "person__name__icontains", "enterprise__name__icontains")
    search_placeholder = _("证书编号、持证人或企业")
    columns = CERTIFICATE_COLUMNS
    filters: ClassVar[Sequence[Filter]] = (
        Filter("enterprise", _("企业"), _by_enterprise, hidden=True, integer=True),
        Filter("kind", _("证书类型"), "kind", choices=lambda user: CertificateKind.choices),
        Filter("division", _("区划"), "enterprise__division__code__startswith", choices=division_choices),
    )

    def row_url(self, obj: Any) -> str | None:
        return _certificate_row_url(obj)


class CertificateAttentionView(CertificateListView):
    """证照到期提醒: expired or expiring within the warning window, soonest first."""

    selector = selectors.certificates_attention
    title = _("证照到期提醒")
    export_basename = "certificates-attention"
    filters = (
        *CertificateListView.filters,
        Filter(
            "expiry",
            _("到期状态"),
            lambda qs, value: selectors.by_expiry(qs, value),
            choices=lambda user: [("expired", _("已过期")), ("expiring", _("30 天内到期"))],
        ),
    )

    def get_extra_context(self) -> dict[str, Any]:
        return {"list_note": gettext("已过期或 30 天内到期的证照，按到期日排列。")}


class CertificateCreateView(_StaffMixin, ServiceFormView):
    form_class = CertificateForm

    def get_title(self, obj: Any) -> str:
        return gettext("新增证照：%(name)s") % {"name": self.enterprise().name}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        enterprise = self.enterprise()
        initial = {}
        person = optional_id(self.request.GET.get("person"))
        if person is not None:
            initial["person"] = person
        return {
            "instance": Certificate(enterprise=enterprise),
            "people": selectors.person_list(self.request.user).filter(enterprise=enterprise),
            "initial": initial,
        }

    def save(self, form: Any, obj: Any) -> Certificate:
        return services.certificate_create(
            actor=self.actor(), enterprise=self.enterprise(), data=form.cleaned_data
        )

    def success_url(self, obj: Any) -> str:
        return _certificate_row_url(obj)


class CertificateEditView(_StaffMixin, ServiceFormView):
    form_class = CertificateForm

    def get_object(self) -> Certificate:
        return selectors.certificate_get(self.request.user, self.kwargs["pk"])

    def get_title(self, obj: Any) -> str:
        return gettext("编辑证照：%(name)s") % {"name": str(obj)}

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        return {
            "instance": obj,
            "people": selectors.person_list(self.request.user).filter(enterprise_id=obj.enterprise_id),
        }

    def save(self, form: Any, obj: Any) -> Certificate:
        return services.certificate_update(actor=self.actor(), certificate=obj, data=form.cleaned_data)

    def success_url(self, obj: Any) -> str:
        return _certificate_row_url(obj)


class CertificateDeleteView(_StaffMixin, ServiceDeleteView):
    kind = _("证照")

    def get_object(self) -> Certificate:
        return selectors.certificate_get(self.request.user, self.kwargs["pk"])

    def delete(self, obj: Any) -> None:
        services.certificate_delete(actor=self.actor(), certificate=obj)

    def success_url(self, obj: Any) -> str:
        return reverse("enterprises:enterprise_detail", args=[obj.enterprise_id])
