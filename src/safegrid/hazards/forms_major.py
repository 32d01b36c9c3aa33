"""Forms of a major hazard's own steps: the treatment plan, the report to the regulator, the suspension
order, the evaluation report, the application to resume and the on-site review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import DateInput, StyledFormMixin

from .choices import ReviewResult
from .rules import major


def _text(label: Any, rows: int = 2, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows, "col": "col-12"})
    )


class PlanForm(StyledFormMixin, forms.Form):
    """The six parts of the treatment plan (16号令 art. 20); the service names the missing ones."""

    targets = _text(_("目标和任务"))
    methods = _text(_("方法和措施"))
    funds_materials = _text(_("经费和物资"))
    organisation = _text(_("机构和人员"))
    time_requirements = _text(_("时限和要求"))
    safety_emergency = _text(_("安全措施和应急预案"))


class MajorReportForm(StyledFormMixin, forms.Form):
    state_and_cause = _text(_("现状及其产生原因"), rows=3)
    severity_and_difficulty = _text(_("危害程度和整改难易程度分析"), rows=3)
    interim_measures = forms.MultipleChoiceField(
        label=_("已采取的临时管控措施"),
        choices=[(code, label) for code, label in major.INTERIM_MEASURES],
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"col": "col-12"}),
    )
    interim_other = _text(_("其他临时管控措施"))


class AcknowledgeForm(StyledFormMixin, forms.Form):
    comment = _text(_("签收意见"))


class SuspensionOrderForm(StyledFormMixin, forms.Form):
    document_number = forms.CharField(label=_("执法文书编号"), max_length=64, required=False)
    ordered_on = forms.DateField(label=_("责令日期"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("停产停业整改期限至"), required=False, widget=DateInput())
    scope_text = _text(_("停产停业范围"))


class EvaluationForm(StyledFormMixin, forms.Form):
    evaluator = forms.CharField(label=_("评估单位或专家"), max_length=200, required=False)
    summary = _text(_("评估结论"), rows=3)
    document = forms.FileField(
        label=_("评估报告（PDF 或扫描件）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/jpeg,image/png"}),
    )


class ApplicationForm(StyledFormMixin, forms.Form):
    application_text = _text(_("恢复生产申请（书面申请的内容）"), rows=3)
    applied_on = forms.DateField(label=_("申请日期"), required=False, widget=DateInput())


class ReviewForm(StyledFormMixin, forms.Form):
    result = forms.ChoiceField(label=_("审查结论"), choices=ReviewResult.choices, initial=ReviewResult.PASS)
    reviewed_on = forms.DateField(label=_("现场审查日期"), required=False, widget=DateInput())
    comment = _text(_("审查意见（不合格须写明理由）"))
