"""Forms for enterprises and their people. They validate and display; services do the saving."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import DateInput, StyledFormMixin
from safegrid.regions.choices import DivisionLevel
from safegrid.regions.models import Division, Sector

from . import labels
from .models import Certificate, Enterprise, OrgUnit, Person
from .permissions import CONTACT_FIELDS


class EnterpriseForm(StyledFormMixin, forms.ModelForm):
    sectors = forms.ModelMultipleChoiceField(
        label=_("行业领域"),
        queryset=Sector.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("至少选择一个行业领域")},
    )

    class Meta:
        model = Enterprise
        fields = (
            "name",
            "uscc",
            "hazchem_code",
            "sectors",
            "industry",
            "scale",
            "employees",
            "status",
            "division",
            "grid",
            "chemical_park",
            "address",
            "lat",
            "lon",
            "legal_rep",
            *CONTACT_FIELDS,
        )

    def __init__(self, *args: Any, divisions: Any = None, grids: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only places the editor may see are offered (the selectors pass scoped querysets).
        # Enterprises belong to towns and villages, never to the county itself (rules.enterprise_division_problem).
        division_field = cast(forms.ModelChoiceField, self.fields["division"])
        places = divisions if divisions is not None else Division.objects.all()
        division_field.queryset = places.exclude(level=DivisionLevel.COUNTY)
        if grids is not None:
            cast(forms.ModelChoiceField, self.fields["grid"]).queryset = grids
        self.fields["division"].label_from_instance = _division_label  # type: ignore[attr-defined]
        self.fields["uscc"].widget.attrs.update({"autocapitalize": "characters", "maxlength": 18})
        self.fields["hazchem_code"].widget.attrs.update({"inputmode": "numeric", "maxlength": 9})
        self.fields["sectors"].widget.attrs["col"] = "col-12"
        self.fields["address"].widget.attrs["col"] = "col-12"
        if self.instance.pk:
            self.fields["sectors"].initial = list(self.instance.sectors.values_list("pk", flat=True))

    def clean_uscc(self) -> str:
        return str(self.cleaned_data.get("uscc", "")).strip().upper()


def _division_label(division: Division) -> str:
    indent = {"county": "", "town": "　", "village": "　　"}.get(division.level, "")
    return f"{indent}{division.name}（{division.code}）"


class EnterpriseContactForm(StyledFormMixin, forms.ModelForm):
    """What an enterprise's own managers may change on the enterprise record."""

    class Meta:
        model = Enterprise
        fields = CONTACT_FIELDS


class OrgUnitForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ("kind", "name", "is_key_post", "required_certificate")


class OrgUnitEditForm(StyledFormMixin, forms.ModelForm):
    """Parent and kind are fixed once created (the materialised path depends on them)."""

    class Meta:
        model = OrgUnit
        fields = ("name", "is_key_post", "required_certificate")


class PersonForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ("name", "job_title", "phone", "org_unit", "active")

    def __init__(self, *args: Any, org_units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if org_units is not None:
            cast(forms.ModelChoiceField, self.fields["org_unit"]).queryset = org_units
        self.fields["org_unit"].label_from_instance = _unit_label  # type: ignore[attr-defined]


def _unit_label(unit: OrgUnit) -> str:
    depth = max(unit.path.count("/") - 1, 0)
    return f"{'　' * depth}{unit.name}（{unit.get_kind_display()}）"


class CertificateForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ("kind", "number", "person", "issuer", "issued_on", "expires_on")
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            cast(forms.ModelChoiceField, self.fields["person"]).queryset = people
        self.fields["person"].help_text = _("企业证照（如安全生产许可证）不选持证人")
        labels.label_people(self, "person")
