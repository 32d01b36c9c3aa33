"""The risk register Excel upload form: the enterprise, the kit's checked .xlsx upload, and what
happens to the points the file does not name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from safegrid.core.excel import ExcelUploadForm
from safegrid.enterprises.models import Enterprise

PART = "part"
WHOLE = "whole"


class RegisterImportForm(ExcelUploadForm):
    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label=_("企业"))
    scope = forms.ChoiceField(
        label=_("文件中没有的风险点"),
        choices=[
            (PART, _("保持不变（文件只含部分风险点）")),
            (WHOLE, _("停用（文件是完整的风险清单）")),
        ],
        initial=PART,
        required=False,  # not chosen: the safe default, nothing outside the file changes
        widget=forms.RadioSelect,
    )
    field_order = ["enterprise", "file", "scope"]

    def retire_missing(self) -> bool:
        return bool(self.cleaned_data.get("scope") == WHOLE)

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = enterprises
        field.empty_label = None
