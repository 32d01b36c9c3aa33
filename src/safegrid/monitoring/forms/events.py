"""The form of an event source: a video channel, or a positioning zone with its limits (rated headcount,
longest stay, motionless threshold). The numbers' rules are the service's (services/events.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import StyledFormMixin
from safegrid.majorhazards.models import HazardUnit

from ..choices import PointKindChoices

EVENT_KIND_CHOICES = [
    (PointKindChoices.VIDEO.value, PointKindChoices.VIDEO.label),
    (PointKindChoices.ZONE.value, PointKindChoices.ZONE.label),
]


class EventSourceForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("事件源类型"), choices=EVENT_KIND_CHOICES)
    code = forms.CharField(
        label=_("事件源编码"),
        max_length=64,
        help_text=_("企业内唯一，与事件报文的 source 一致，如 CAM-01、ZONE-T101"),
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    unit = forms.ModelChoiceField(
        label=_("重大危险源单元"), queryset=HazardUnit.objects.none(), required=False
    )
    location = forms.CharField(label=_("安装位置"), max_length=200, required=False)
    rated_headcount = forms.IntegerField(
        label=_("额定人数（人）"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=_("人员定位区域：人数超过额定人数即报超员"),
    )
    max_stay_minutes = forms.IntegerField(
        label=_("最长滞留时间（分钟）"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=_("人员定位区域：有人停留达到此时长即报超时滞留"),
    )
    motionless_seconds = forms.IntegerField(
        label=_("静止报警阈值（秒）"),
        required=False,
        min_value=1,
        max_value=86_400,
        help_text=_("人员定位区域：有人静止达到此时长即报人员静止"),
    )

    def __init__(
        self, *args: Any, units: QuerySet[HazardUnit], fixed_kind: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if fixed_kind:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("类型不能修改；如类型有误，请新建事件源")
