"""Forms of the county's work calendar: one day, and a year's days from an Excel sheet."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safegrid.core.excel import ExcelUploadForm
from safegrid.core.forms import DateInput, StyledFormMixin

from .models_calendar import CalendarDayKind


class CalendarDayForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DateInput)
    kind = forms.ChoiceField(label=_("类型"), choices=CalendarDayKind.choices)
    name = forms.CharField(label=_("名称"), max_length=30, help_text=_("如：春节、国庆节"))


class CalendarImportForm(StyledFormMixin, ExcelUploadForm):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this = timezone.localdate().year
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(y, str(y)) for y in range(this - 1, this + 3)]
        year.initial = this + 1 if timezone.localdate().month >= 11 else this
        self.fields["file"].label = _("Excel 文件")
        self.fields["file"].help_text = _("一个工作表：日期、类型、名称；整表替换该年度已录入的日期")
        self.order_fields(["year", "file"])
