"""Forms of special-work filings and the daily commitment (validate input; the services decide and save)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import StyledFormMixin

from ..models import HazardUnit
from ..models.work import WorkGrade, WorkType
from ..rules import work as rules

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=LOCAL_FORMAT)


def _when(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, widget=LocalDateTimeInput(), input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"], **kwargs
    )


class SpecialWorkForm(StyledFormMixin, forms.Form):
    enterprise: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("企业"), queryset=None)  # type: ignore[arg-type]
    work_type = forms.ChoiceField(label=_("作业类型"), choices=WorkType.choices)
    grade = forms.ChoiceField(
        label=_("作业级别"),
        choices=WorkGrade.choices,
        required=False,
        help_text=_("动火：特级/一级/二级；高处：一至四级；吊装：一至三级；其他作业无分级"),
    )
    content = forms.CharField(label=_("作业内容"), max_length=200)
    unit = forms.ModelChoiceField(label=_("所在单元"), queryset=HazardUnit.objects.none(), required=False)
    place = forms.CharField(label=_("作业地点"), max_length=200)
    latitude = forms.DecimalField(
        label=_("纬度"), max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("经度"), max_digits=9, decimal_places=6, required=False, min_value=-180, max_value=180
    )
    start = _when(_("作业开始时间"))
    end = _when(_("作业结束时间"), help_text=_("特级、一级动火不超过 8 小时，二级动火不超过 72 小时"))
    permit_number = forms.CharField(label=_("作业票编号"), max_length=60)
    watcher_name = forms.CharField(label=_("监护人"), max_length=40)
    watcher_phone = forms.CharField(label=_("监护人电话"), max_length=20, required=False)
    video_channel = forms.CharField(
        label=_("视频监控通道"),
        max_length=100,
        required=False,
        help_text=_("作业现场视频监控的通道名称或编号"),
    )

    def __init__(self, *args: Any, enterprises: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]
        if enterprises.count() == 1:
            self.fields["enterprise"].initial = enterprises.first()
            self.fields["enterprise"].widget = forms.HiddenInput()
        self.fields["unit"].queryset = HazardUnit.objects.filter(  # type: ignore[attr-defined]
            enterprise__in=enterprises
        ).order_by("code")
        self.fields["latitude"].widget.attrs.update(step="0.000001", inputmode="decimal")
        self.fields["longitude"].widget.attrs.update(step="0.000001", inputmode="decimal")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("enterprise")
        return data


class GasAnalysisForm(StyledFormMixin, forms.Form):
    at = _when(_("分析时间"))
    location = forms.CharField(label=_("取样部位"), max_length=100)
    result = forms.CharField(
        label=_("分析结果"), max_length=200, help_text=_("如：可燃气体 0.1%LEL，氧气 20.9%，硫化氢 0 mg/m³")
    )
    qualified = forms.TypedChoiceField(
        label=_("是否合格"),
        choices=[("", "—"), ("yes", _("合格")), ("no", _("不合格"))],
        coerce=lambda v: v == "yes",
    )
    analyst = forms.CharField(label=_("分析人"), max_length=40)


class MoveForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "col": "col-12"}),
    )


class CommitmentForm(StyledFormMixin, forms.Form):
    units_total = forms.IntegerField(label=_("生产装置/储存单元总数"), min_value=0, max_value=999)
    units_running = forms.IntegerField(label=_("运行"), min_value=0, max_value=999)
    units_stopped = forms.IntegerField(label=_("停产"), min_value=0, max_value=999)
    units_maintenance = forms.IntegerField(label=_("检修"), min_value=0, max_value=999)
    hot_special = forms.IntegerField(label=_("特级动火作业"), min_value=0, max_value=999)
    hot_one = forms.IntegerField(label=_("一级动火作业"), min_value=0, max_value=999)
    hot_two = forms.IntegerField(label=_("二级动火作业"), min_value=0, max_value=999)
    confined_space = forms.IntegerField(label=_("受限空间作业"), min_value=0, max_value=999)
    other_special = forms.IntegerField(label=_("其他特殊作业"), min_value=0, max_value=999)
    trial_production = forms.BooleanField(label=_("处于试生产"), required=False)
    startup_shutdown = forms.BooleanField(label=_("处于开停车状态"), required=False)
    sources_safe = forms.BooleanField(label=_("重大危险源处于安全状态"), required=False)
    commitment_text = forms.CharField(
        label=_("承诺内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    principal_name = forms.CharField(label=_("主要负责人"), max_length=40)
    explanation = forms.CharField(
        label=_("与报备不一致的说明"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("作业数量与当日特殊作业报备不一致时必填"),
    )

    COUNT_FIELDS = rules.COUNT_FIELDS
    UNIT_FIELDS = ("units_total", "units_running", "units_stopped", "units_maintenance")
