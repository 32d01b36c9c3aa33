"""Forms of monitoring points, limit-change requests and decisions, and the points' Excel upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from safegrid.core.excel import ExcelUploadForm
from safegrid.core.forms import StyledFormMixin
from safegrid.majorhazards.models import HazardUnit
from safegrid.risks.models import RiskPoint

from ..choices import PointKindChoices
from ..models import LimitChangeKind


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _limit(label: Any) -> forms.FloatField:
    return forms.FloatField(label=label, required=False)


class PointForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("点位编码"), max_length=64, help_text=_("企业内唯一，与网关上报的点位编码一致，如 T101-LT-01")
    )
    name = forms.CharField(label=_("点位名称"), max_length=100)
    kind = forms.ChoiceField(label=_("监测类型"), choices=PointKindChoices.choices)
    unit = forms.ModelChoiceField(
        label=_("重大危险源单元"), queryset=HazardUnit.objects.none(), required=False
    )
    risk_point = forms.ModelChoiceField(
        label=_("风险分析单元"),
        queryset=RiskPoint.objects.none(),
        required=False,
        help_text=_("传感器所在的风险点；该风险点登记停用检修期间，本点位暂停报警"),
    )
    measure_unit = forms.CharField(
        label=_("计量单位"), max_length=16, required=False, help_text=_("留空按监测类型取默认单位")
    )
    location = forms.CharField(label=_("安装位置"), max_length=200, required=False)
    oel_ppm = forms.FloatField(
        label=_("职业接触限值（ppm）"),
        required=False,
        min_value=0,
        help_text=_("有毒气体探测器填写；未填限值时按其 100%/200% 设一级、二级报警值"),
    )
    expected_interval_s = forms.IntegerField(label=_("上报周期（秒）"), min_value=1, initial=10)
    offline_timeout_s = forms.IntegerField(label=_("离线判定（秒）"), min_value=1, initial=300)

    def __init__(
        self, *args: Any, units: QuerySet[HazardUnit], risk_points: QuerySet[RiskPoint], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["risk_point"].queryset = risk_points  # type: ignore[attr-defined]


class PointCreateForm(PointForm):
    ll = _limit(_("低低限 LL"))
    l = _limit(_("低限 L"))  # noqa: E741 - the standard's name
    h = _limit(_("高限 H"))
    hh = _limit(_("高高限 HH"))
    rate_limit = forms.FloatField(label=_("变化速率限值（每分钟）"), required=False, min_value=0)
    deadband = forms.FloatField(label=_("死区"), required=False, min_value=0)
    limits_version = forms.CharField(label=_("限值版本"), max_length=40, required=False)
    limits_source = forms.CharField(
        label=_("限值来源"),
        max_length=200,
        required=False,
        help_text=_("工艺控制指标文件名称；气体探测器不填限值时采用 GB/T 50493-2019 默认报警值"),
    )


class LimitChangeForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("变更类型"), choices=LimitChangeKind.choices)
    ll = _limit(_("低低限 LL"))
    l = _limit(_("低限 L"))  # noqa: E741 - the standard's name
    h = _limit(_("高限 H"))
    hh = _limit(_("高高限 HH"))
    rate_limit = forms.FloatField(label=_("变化速率限值（每分钟）"), required=False, min_value=0)
    deadband = forms.FloatField(label=_("死区"), required=False, min_value=0)
    version = forms.CharField(
        label=_("限值版本"), max_length=40, help_text=_("长期变更填新版工艺控制指标版本号，如 V3")
    )
    source = forms.CharField(label=_("限值来源"), max_length=200, help_text=_("如工艺控制指标文件名称及文号"))
    reason = forms.CharField(label=_("变更原因"), widget=forms.Textarea(attrs={"rows": 3}))
    effective_from = forms.DateTimeField(
        label=_("生效时间"), required=False, widget=DateTimeInput(), help_text=_("留空为批准后立即生效")
    )
    expires_at = forms.DateTimeField(
        label=_("到期时间"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("临时变更必填，到期自动恢复原限值"),
    )


class DecisionForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class PointsUploadForm(ExcelUploadForm):
    pass
