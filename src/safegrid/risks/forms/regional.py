"""The county officer's regional risk level form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import RiskLevel


class RegionalAdjustForm(forms.Form):
    level = forms.TypedChoiceField(label=_("区域风险等级"), choices=RiskLevel.choices, coerce=int)
    reason = forms.CharField(
        label=_("确定或调整理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("必填：说明依据（如辖区重大危险源、近期事故、专项整治情况）。"),
    )
