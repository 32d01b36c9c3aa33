"""Forms of a major hazard source's lifecycle and its responsible persons; the services check the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import DateInput, StyledFormMixin
from safegrid.enterprises.models import Person

from ..models.lifecycle import PlanChoices, TestResult, TriggerChoices
from ..models.responsibility import ResponsibleRoleChoices


def _text(label: Any, rows: int = 3, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows, "col": "col-12"})
    )


class FilingForm(StyledFormMixin, forms.Form):
    assessing_org = forms.CharField(label=_("评估机构"), max_length=200)
    assessed_on = forms.DateField(label=_("评估日期（评估报告出具日期）"), widget=DateInput())
    report_summary = _text(_("评估报告摘要（辨识结果、分级、主要结论和建议）"), rows=5)
    report_file = forms.FileField(
        label=_("评估报告（PDF 或扫描件）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/jpeg,image/png"}),
    )


class CommentForm(StyledFormMixin, forms.Form):
    comment = _text(_("审核意见（退回须写明理由）"), rows=2, required=False)


class TriggerForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("情形"), choices=TriggerChoices.choices)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput())
    description = _text(_("情况说明"))
    deaths = forms.IntegerField(label=_("死亡人数（仅事故）"), min_value=0, required=False)
    injuries = forms.IntegerField(label=_("受伤人数（仅事故）"), min_value=0, required=False)


class DeregistrationForm(StyledFormMixin, forms.Form):
    reason = _text(_("核销理由（如装置拆除、物质减少后经辨识不再构成重大危险源）"), rows=4)


class DrillForm(StyledFormMixin, forms.Form):
    whole_enterprise = forms.BooleanField(label=_("全厂演练（计入本企业全部单元）"), required=False)
    plan_kind = forms.ChoiceField(label=_("预案类型"), choices=PlanChoices.choices)
    held_on = forms.DateField(label=_("演练日期"), widget=DateInput())
    participants = forms.IntegerField(label=_("参演人数"), min_value=1)
    summary = _text(_("演练情况（科目、过程、评估和改进）"))


class FacilityTestForm(StyledFormMixin, forms.Form):
    facility = forms.CharField(
        label=_("安全设施"), max_length=100, help_text=_("如：安全阀、可燃气体检测报警器、SIS")
    )
    tested_on = forms.DateField(label=_("检测日期"), widget=DateInput())
    result = forms.ChoiceField(label=_("检测结论"), choices=TestResult.choices)
    tested_by = forms.CharField(label=_("检测单位"), max_length=200, required=False)
    cycle_months = forms.IntegerField(label=_("检测周期（月）"), min_value=1, max_value=120, initial=12)
    next_due = forms.DateField(label=_("下次检测期限（不填按周期计算）"), required=False, widget=DateInput())
    note = _text(_("说明"), rows=2, required=False)


class PersonChoiceField(forms.ModelChoiceField[Person]):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name}（{obj.job_title}）" if obj.job_title else obj.name


class ResponsibleForm(StyledFormMixin, forms.Form):
    role = forms.TypedChoiceField(label=_("包保责任"), choices=ResponsibleRoleChoices.choices, coerce=int)
    person = PersonChoiceField(
        label=_("人员"), queryset=Person.objects.none()
    )  # the unit's people, set per form
    phone = forms.CharField(label=_("联系电话（不填用人员档案中的电话）"), max_length=32, required=False)
    valid_from = forms.DateField(label=_("任职起始日期"), widget=DateInput())
    duties = _text(_("包保职责（不填按应急厅〔2021〕12号）"), rows=6, required=False)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people


class PreEventCheckForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("重大活动、重点时段或节假日"), max_length=100)
    due_on = forms.DateField(label=_("排查截止日期"), widget=DateInput())
