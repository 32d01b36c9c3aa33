"""The county's work calendar (节假日和调休): the days that are not what the weekday says (imported by `models`).

Each year the State Council's General Office publishes the year's holiday arrangement (国务院办公厅关于某年部分节假日
安排的通知): the statutory holidays (放假) and the weekend days worked in exchange (调休上班). The county enters them
here (page, or an Excel sheet of the year); task generation reads them as `rules.inspection.WorkCalendar`.
Nothing is shipped: the official dates come from the notice, not from this code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import Public

_USER = settings.AUTH_USER_MODEL


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（放假）")
    WORKDAY = "workday", _("调休上班")


class CalendarDay(models.Model):
    """One day of the county's work calendar: a holiday (not a working day) or a worked weekend day."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=CalendarDayKind.choices)
    name = models.CharField(_("名称"), max_length=30, help_text=_("如：春节、国庆节"))
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = Public()  # county-wide: everyone's tasks follow it

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"
