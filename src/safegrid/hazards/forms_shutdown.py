"""Forms of a shutdown for maintenance (停用检修): record one, and end it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import StyledFormMixin

from .forms_inspection import DateTimeInput


def _field(label: Any, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=help_text,
    )


class ShutdownForm(StyledFormMixin, forms.Form):
    risk_point = forms.TypedChoiceField(label=_("停用范围"), coerce=int, empty_value=None, required=False)
    start = _field(_("停用开始时间"))
    planned_end = _field(
        _("计划恢复时间"), help_text=_("检修完成、恢复使用的计划时间；实际恢复时在本页“结束停用”")
    )
    reason = forms.CharField(
        label=_("停用原因"), max_length=200, help_text=_("如：年度停车大检修、储罐清罐检修")
    )
    approver = forms.CharField(label=_("批准人"), max_length=50, help_text=_("批准停用检修的企业负责人姓名"))

    def __init__(self, *args: Any, points: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["risk_point"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("全厂（整个企业）")), *points]
        field.help_text = _("停用期间，该范围内的排查任务暂停，不计漏检")


class ShutdownEndForm(StyledFormMixin, forms.Form):
    end = _field(_("恢复使用时间"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["end"].widget.attrs["col"] = "col-12"  # the form sits in a narrow side card
