"""Forms for the risk register pages. They validate and display; `services` do the saving.

Model rules (JHA step limits, classify2 under classify1, tier people of the same enterprise) are
enforced by the services and shown on the field they name; the forms only offer valid choices.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import StyledFormMixin
from safegrid.enterprises import labels
from safegrid.enterprises.models import OrgUnit, Person

from ..choices import (
    AccidentType,
    AssessmentKind,
    AssessmentMethod,
    HazardCategory,
    IdentificationMethod,
)
from ..models import ControlMeasure, HazardFactor, RiskPoint
from ..rules import methods

HALF = {"col": "col-12 col-md-6"}
FULL = {"col": "col-12"}


class RiskPointForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = RiskPoint
        fields = (
            "code",
            "name",
            "type",
            "org_unit",
            "location",
            "lat",
            "lon",
            "photo",
            "description",
        )
        widgets = {"description": forms.Textarea(attrs={"rows": 3, "col": "col-12"})}
        help_texts = {
            "photo": _("jpg/png/webp，不超过 5 MB"),
        }

    def __init__(self, *args: Any, org_units: QuerySet[OrgUnit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["org_unit"])
        if org_units is not None:
            field.queryset = org_units
        labels.label_units(self, "org_unit")
        self.fields["code"].widget.attrs.update({"autocapitalize": "characters"})


class HazardFactorForm(StyledFormMixin, forms.Form):
    """A plain form: the JHA step limit is the service's rule, so its message reaches the field."""

    method = forms.ChoiceField(
        label=_("辨识方法"),
        choices=IdentificationMethod.choices,
        widget=forms.Select(attrs={"data-identification": "1"}),
    )
    step_no = forms.IntegerField(
        label=_("作业步骤序号"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"data-jha-only": "1"}),
        help_text=_("仅 JHA：作业步骤的序号，一项作业活动最多 %(n)s 个步骤") % {"n": methods.JHA_MAX_STEPS},
    )
    step_name = forms.CharField(label=_("作业步骤/检查项目"), max_length=100, required=False)
    description = forms.CharField(
        label=_("危险源或潜在事件"), widget=forms.Textarea(attrs={"rows": 2, "col": "col-12"})
    )
    category = forms.ChoiceField(label=_("类别（GB/T 13861）"), choices=HazardCategory.choices)
    accident_types = forms.MultipleChoiceField(
        label=_("可能导致的事故类型（GB 6441）"),
        choices=AccidentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"col": "col-12"}),
    )
    consequences = forms.CharField(
        label=_("可能后果"), required=False, widget=forms.Textarea(attrs={"rows": 2, "col": "col-12"})
    )
    existing_controls = forms.CharField(
        label=_("现有管控措施"), required=False, widget=forms.Textarea(attrs={"rows": 2, "col": "col-12"})
    )

    @classmethod
    def initial_for(cls, factor: HazardFactor) -> dict[str, Any]:
        return {name: getattr(factor, name) for name in cls.base_fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == IdentificationMethod.SCL:
            data["step_no"] = None  # SCL items have no step; a stray number is dropped
        return data


def table_value(value: Any) -> str:
    """A table value as the form submits it ("0.5", "6")."""
    return format(Decimal(value).normalize(), "f")


def _table_choices(table: dict[Any, str]) -> list[tuple[str, str]]:
    """A method table as select options: "6 — 相当可能", most dangerous first."""
    options = sorted(table.items(), key=lambda item: Decimal(item[0]), reverse=True)
    return [("", "—")] + [(table_value(value), f"{table_value(value)} — {text}") for value, text in options]


# The inputs of each method with the table offering their values; the form field is "<METHOD>_<key>".
METHOD_INPUTS: dict[str, tuple[tuple[str, Any, Any], ...]] = {
    "LEC": (
        ("L", _("L 事故发生的可能性"), methods.LEC_L),
        ("E", _("E 暴露于危险环境的频繁程度"), methods.LEC_E),
        ("C", _("C 发生事故可能造成的后果"), methods.LEC_C),
    ),
    "LS": (
        ("L", _("L 事故发生的可能性"), methods.LS_L),
        ("S", _("S 事故后果严重性"), methods.LS_S),
    ),
    "MES": (
        ("M", _("M 控制措施的状态"), methods.MES_M),
        ("E", _("E 人体暴露或危险状态的频繁程度"), methods.MES_E),
        ("S", _("S 事故的可能后果"), methods.MES_S),
    ),
}


def input_field_name(method: str, key: str) -> str:
    return f"{method}_{key}"


class AssessmentForm(StyledFormMixin, forms.Form):
    """Kind, method and the chosen method's inputs. The select boxes offer only table values; the
    values themselves are checked by `rules.assess` (the preview and the service use it)."""

    kind = forms.ChoiceField(label=_("评价类型"), choices=AssessmentKind.choices)
    method = forms.ChoiceField(label=_("评价方法"), choices=AssessmentMethod.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for method, inputs in METHOD_INPUTS.items():
            for key, label, table in inputs:
                self.fields[input_field_name(method, key)] = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.Select(
                        choices=_table_choices(table), attrs={"data-method": method, "class": "form-select"}
                    ),
                )

    def method_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (method, [self[input_field_name(method, key)] for key, _label, _table in inputs])
            for method, inputs in METHOD_INPUTS.items()
        ]

    def chosen_method(self) -> str:
        value = self.data.get("method") if self.is_bound else self.initial.get("method")
        return str(value) if value in METHOD_INPUTS else "LEC"

    def inputs(self) -> dict[str, str]:
        """The raw inputs of the chosen method, keyed by the method's letters (L, E, C ...)."""
        method = self.chosen_method()
        return {
            key: str(self.data.get(input_field_name(method, key), "")).strip()
            for key, _label, _table in METHOD_INPUTS[method]
        }


class ControlMeasureForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ControlMeasure
        fields = (
            "hazard_factor",
            "kind",
            "classify1",
            "classify2",
            "classify3",
            "description",
            "check_content",
            "check_cycle",
            "check_cycle_unit",
            "work_day_type",
            "data_src",
            "responsible_post",
            "active",
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2, "col": "col-12"}),
            "check_content": forms.Textarea(attrs={"rows": 2, "col": "col-12"}),
        }

    def __init__(
        self,
        *args: Any,
        factors: QuerySet[HazardFactor] | None = None,
        posts: QuerySet[OrgUnit] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if factors is not None:
            cast(forms.ModelChoiceField, self.fields["hazard_factor"]).queryset = factors
        if posts is not None:
            cast(forms.ModelChoiceField, self.fields["responsible_post"]).queryset = posts
        labels.label_units(self, "responsible_post")
        # The static script narrows classify2 to the chosen classify1 (register.js).
        self.fields["classify1"].widget.attrs["data-classify1"] = "1"
        self.fields["classify2"].widget.attrs["data-classify2"] = "1"


class TierForm(StyledFormMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("责任人"), queryset=Person.objects.none())
    org_unit = forms.ModelChoiceField(label=_("责任单位"), queryset=OrgUnit.objects.none(), required=False)

    def __init__(self, *args: Any, people: QuerySet[Person], units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = people
        cast(forms.ModelChoiceField, self.fields["org_unit"]).queryset = units
        labels.label_people(self, "person")
        labels.label_units(self, "org_unit")
