"""Post card and emergency card forms (the phone list and steps are typed as lines of text)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import StyledFormMixin
from safegrid.enterprises import labels
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import OrgUnit

from ..models import CardKind
from ..rules import cards as card_rules

TEXTAREA = {"rows": 4, "col": "col-12"}


PHONE_HELP = _(
    "每行一个，写成“名称 电话”，例如“火警 119”“安全管理员 13800000000”；119、120 和安全管理员电话会自动补上"
)


class _CardForm(StyledFormMixin, forms.Form):
    post = forms.ModelChoiceField(
        label=_("岗位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("不选则为风险点所属单位"),
    )
    number = forms.CharField(
        label=_("编号"), max_length=32, required=False, help_text=_("不填则按风险点编号生成")
    )
    emergency_phones = forms.CharField(
        label=_("应急电话"), required=False, widget=forms.Textarea(attrs=TEXTAREA), help_text=PHONE_HELP
    )

    def __init__(self, *args: Any, enterprise_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["post"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = OrgUnit.objects.filter(enterprise_id=enterprise_id, kind=OrgUnitKind.POST).order_by(
            "path"
        )
        labels.label_units(self, "post")

    def clean_emergency_phones(self) -> list[dict[str, str]]:
        try:
            return card_rules.parse_phone_lines(self.cleaned_data.get("emergency_phones") or "")
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PostCardForm(_CardForm):
    key_points = forms.CharField(
        label=_("安全操作要点"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("每行一条"),
    )
    emergency_measures = forms.CharField(
        label=_("应急处置措施"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("每行一条"),
    )
    field_order = ["post", "number", "key_points", "emergency_measures", "emergency_phones"]


class EmergencyCardForm(_CardForm):
    start_conditions = forms.CharField(
        label=_("启动条件"), required=False, widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3})
    )
    steps = forms.CharField(
        label=_("处置步骤"),
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 8}),
        help_text=_("每行一步，按先后顺序，写事发最初约 10 分钟内要做的事；最多 %(n)d 步")
        % {"n": card_rules.MAX_STEPS},
    )
    stop_conditions = forms.CharField(
        label=_("终止条件"), required=False, widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3})
    )
    duties = forms.CharField(
        label=_("岗位职责"), required=False, widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3})
    )
    equipment = forms.CharField(
        label=_("应急装备"), required=False, widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3})
    )
    emergency_measures = forms.CharField(
        label=_("注意事项"), required=False, widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3})
    )
    review_cycle_months = forms.IntegerField(label=_("评审周期（月）"), initial=12)
    field_order = [
        "post",
        "number",
        "start_conditions",
        "steps",
        "stop_conditions",
        "duties",
        "equipment",
        "emergency_measures",
        "emergency_phones",
        "review_cycle_months",
    ]

    def clean_steps(self) -> list[str]:
        return card_rules.split_steps(self.cleaned_data.get("steps") or "")


FORMS: dict[str, type[_CardForm]] = {CardKind.POST: PostCardForm, CardKind.EMERGENCY: EmergencyCardForm}
