"""The risk register Excel upload form: the enterprise, and the kit's checked .xlsx upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from safegrid.core.excel import ExcelUploadForm
from safegrid.enterprises.models import Enterprise


class RegisterImportForm(ExcelUploadForm):
    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label=_("企业"))
    field_order = ["enterprise", "file"]

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = enterprises
        field.empty_label = None
