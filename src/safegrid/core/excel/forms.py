"""The one upload form for Excel imports: .xlsx only, size limit, archive (zip-bomb) checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from ..forms import CleanTextMixin
from ..text import visible
from .cells import MAX_FILE_BYTES, XLSX_TYPE
from .reader import SheetError, check_archive


class ExcelFileField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Excel 文件（.xlsx）"))
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_TYPE}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload: UploadedFile | None = super().clean(data, initial)
        if upload is None:
            return upload
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）")
            )
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("文件过大（上限 %(mb)s MB），请拆分后分批导入") % {"mb": MAX_FILE_BYTES // 2**20}
            )
        upload.seek(0)
        try:
            check_archive(upload, upload.size)
        except SheetError as exc:
            raise forms.ValidationError(str(exc)) from None
        upload.seek(0)
        return upload


class ExcelUploadForm(CleanTextMixin, forms.Form):
    """Subclass to add fields (what to import, for which enterprise); `content()` gives the bytes."""

    file = ExcelFileField()

    def content(self) -> bytes:
        upload: UploadedFile = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read()

    def file_name(self) -> str:
        upload: UploadedFile = self.cleaned_data["file"]
        return visible(upload.name or "").strip() or "import.xlsx"
