"""The statistics rollups of hidden-hazard governance (imported by `models`, written by `rollups` only).

Sums of per-row contributions (`rules.stats`), kept current in the same transaction as the hazard or
occurrence that changed, so the statistics page reads a few thousand small rows, never the hazards or the
millions of check records themselves. `safegrid rebuild_hazard_stats` recomputes them from scratch.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.enterprises.models import Enterprise

from .choices import HazardLevel


def _counter(label: Any) -> models.IntegerField:
    # Not Positive…Field: an upsert checks the candidate row (a decrement) before it meets the conflict.
    return models.IntegerField(label, default=0)


class HazardMonthStat(models.Model):
    """Hazards of one enterprise reported in one month (county time), of one level: their current states."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))  # the first day of the month
    level = models.CharField(_("隐患等级"), max_length=8, choices=HazardLevel.choices)
    reported = _counter(_("登记"))
    rejected = _counter(_("驳回"))
    confirmed = _counter(_("确认"))
    closed = _counter(_("销号"))
    closed_on_spot = _counter(_("即查即改"))
    closed_on_time = _counter(_("按期销号"))
    closed_late = _counter(_("逾期销号"))
    days_to_close = models.BigIntegerField(_("整改用时合计（天）"), default=0)
    open_with_deadline = _counter(_("整改期限在途"))
    open_reported = _counter(_("待确认"))
    open_confirmed = _counter(_("待落实"))
    open_rectifying = _counter(_("整改中"))
    open_extension = _counter(_("延期待审批"))
    open_awaiting = _counter(_("待验收"))

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("隐患月度统计")
        verbose_name_plural = _("隐患月度统计")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "month", "level"], name="hazard_month_stat_key")
        ]
        indexes = [models.Index(fields=["month", "enterprise"], name="hazard_month_stat_month_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.month:%Y-%m}:{self.level}"


class HazardDeadlineStat(models.Model):
    """Open hazards whose deadline runs, by enterprise, report month, level and deadline: how many are
    overdue today is the sum of the rows with a deadline before today."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    level = models.CharField(_("隐患等级"), max_length=8, choices=HazardLevel.choices)
    deadline = models.DateField(_("整改期限"))
    open = _counter(_("未销号"))

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("隐患整改期限统计")
        verbose_name_plural = _("隐患整改期限统计")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "month", "level", "deadline"], name="hazard_deadline_stat_key"
            )
        ]
        indexes = [models.Index(fields=["deadline", "enterprise"], name="hazard_deadline_stat_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.deadline}:{self.level}"


class InspectionMonthStat(models.Model):
    """Inspection occurrences of one enterprise whose window starts in one month (county time)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    pending = _counter(_("待检查"))
    suspended = _counter(_("停用检修暂停"))
    on_time = _counter(_("按时检查"))
    late = _counter(_("超时检查"))
    missed = _counter(_("漏检"))

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("排查月度统计")
        verbose_name_plural = _("排查月度统计")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "month"], name="inspection_month_stat_key")
        ]
        indexes = [models.Index(fields=["month", "enterprise"], name="inspection_month_stat_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.month:%Y-%m}"
