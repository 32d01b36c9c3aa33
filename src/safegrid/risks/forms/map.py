"""The site plan upload form of the risk map."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import CleanTextMixin


class SitePlanForm(CleanTextMixin, forms.Form):
    image = forms.FileField(
        label=_("厂区平面图"),
        help_text=_("PNG 或 JPG，不超过 5 MB。上传后在风险四色图上点击平面图标注各风险点的位置。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
