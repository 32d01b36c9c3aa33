"""The check form of one task occurrence: a pass box per check item, result, note, photo, the finding."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import StyledFormMixin

from .choices import HAZARD_TYPE_CHOICES, CheckResult, Presence

ITEM_PREFIX = "item_"


class CheckForm(StyledFormMixin, forms.Form):
    result = forms.ChoiceField(
        label=_("检查结果"),
        choices=CheckResult.choices,
        initial=CheckResult.NO_FINDING,
    )
    note = forms.CharField(label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.ImageField(
        label=_("现场照片（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    presence = forms.ChoiceField(label=_("到位验证"), choices=Presence.choices, initial=Presence.NONE)
    hazard_title = forms.CharField(label=_("隐患名称"), max_length=100, required=False)
    hazard_description = forms.CharField(
        label=_("隐患描述"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hazard_type = forms.TypedChoiceField(
        label=_("隐患类别"), choices=HAZARD_TYPE_CHOICES, coerce=int, initial=8, required=False
    )

    def __init__(self, *args: Any, items: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for i, item in enumerate(items):
            self.fields[f"{ITEM_PREFIX}{i}"] = forms.BooleanField(label=item, required=False, initial=True)
        self.order_fields([f"{ITEM_PREFIX}{i}" for i in range(len(items))])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("result") == CheckResult.FINDING:
            for name in ("hazard_title", "hazard_description"):
                if not data.get(name):
                    self.add_error(name, _("发现隐患时请填写隐患名称和描述"))
        return data

    def item_fields(self) -> list[Any]:
        return [self[f"{ITEM_PREFIX}{i}"] for i in range(len(self.items))]

    def other_fields(self) -> list[Any]:
        return [f for f in self if not f.name.startswith(ITEM_PREFIX)]

    def ticked(self) -> dict[str, bool]:
        return {item: bool(self.cleaned_data.get(f"{ITEM_PREFIX}{i}")) for i, item in enumerate(self.items)}

    def hazard(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if data["result"] != CheckResult.FINDING:
            return None
        return {
            "title": data["hazard_title"],
            "description": data["hazard_description"],
            "hazard_type": data["hazard_type"] or 8,
        }
