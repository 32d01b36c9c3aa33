"""The county officer's regional risk level form and the county admin's regional settings form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import CleanTextMixin

from ..choices import RiskLevel
from ..models import RiskSettings


class RegionalAdjustForm(CleanTextMixin, forms.Form):
    level = forms.TypedChoiceField(label=_("区域风险等级"), choices=RiskLevel.choices, coerce=int)
    reason = forms.CharField(
        label=_("确定或调整理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("必填：说明依据（如辖区重大危险源、近期事故、专项整治情况）。"),
    )


class RegionalSettingsForm(CleanTextMixin, forms.ModelForm):
    """REGIONAL/2 weights, thresholds and base floor of one county (saved by `regional_settings_save`)."""

    class Meta:
        model = RiskSettings
        fields = (
            "regional_weight_major",
            "regional_weight_large",
            "regional_weight_general",
            "regional_weight_low",
            "regional_red",
            "regional_orange",
            "regional_yellow",
            "regional_min_base",
        )
        help_texts = {
            "regional_weight_major": _(
                "每家重大风险企业计入风险指数的分值；默认 1（参照 LEC 分级下限 320 : 160 : 70）"
            ),
            "regional_weight_low": _("低风险为可接受风险，默认 0"),
            "regional_red": _("风险指数达到此值为重大风险（红）；恰在阈值上的取较高等级"),
            "regional_yellow": _("低于此值为低风险（蓝）；有重大、较大风险企业的区域不低于一般风险（黄）"),
            "regional_min_base": _("已评估企业少于此数时按此数计算，避免一两家企业左右整个村的颜色"),
        }
