"""The risk register Excel upload form (the enterprise and an .xlsx within the size limit)."""

from __future__ import annotations

import zipfile
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from safegrid.enterprises.import_views import XLSX_TYPE
from safegrid.enterprises.importing import MAX_FILE_BYTES
from safegrid.enterprises.models import Enterprise


class RegisterImportForm(forms.Form):
    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label=_("企业"))
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_TYPE}),
    )

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = enterprises
        field.empty_label = None

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）")
            )
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件过大（上限 %(mb)s MB）") % {"mb": MAX_FILE_BYTES // 2**20})
        upload.seek(0)
        if not zipfile.is_zipfile(upload):
            raise forms.ValidationError(_("文件不是有效的 .xlsx 文件"))
        upload.seek(0)
        return upload
