"""Regional risk (区域风险): a yearly colour for each town and village, proposed from its enterprises."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByDivision
from safegrid.regions.models import Division

from ..choices import RiskLevel


class RegionalRisk(models.Model):
    division = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="regional_risks")
    year = models.PositiveSmallIntegerField(_("年度"))
    proposed_level = models.PositiveSmallIntegerField(
        _("建议等级"), choices=RiskLevel.choices, null=True, blank=True
    )
    proposal_basis = models.JSONField(_("建议依据"), default=dict, blank=True)  # counts by level, method
    level = models.PositiveSmallIntegerField(
        _("区域风险等级"), choices=RiskLevel.choices, null=True, blank=True
    )
    adjusted = models.BooleanField(_("经人工调整"), default=False)
    reason = models.TextField(_("调整理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("确定时间"), null=True, blank=True)
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)
    method_version = models.CharField(_("方法版本"), max_length=40, blank=True)

    scope_rule = ByDivision(code="division__code")

    class Meta:
        verbose_name = _("区域风险")
        verbose_name_plural = _("区域风险")
        ordering = ["-year", "division_id"]
        constraints = [models.UniqueConstraint(fields=["division", "year"], name="regional_risk_year_unique")]

    def __str__(self) -> str:
        return f"{self.division_id} {self.year} {self.level}"


class RegionalReviewReminder(models.Model):
    """One review reminder sent for a red/orange region: the row, the review date it was about, how many
    days before it (14, or 0 = due or overdue).

    The unique row makes each reminder go out once however often the daily scan runs; a new review date
    (the level was decided again) is reminded again. Written only by
    `services.regional.regional_review_reminders_send`; people read the notifications, not these rows.
    """

    regional_risk = models.ForeignKey(RegionalRisk, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField(_("复核日期"))
    days_before = models.PositiveSmallIntegerField(_("提前天数"))
    sent_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("区域风险复核提醒")
        verbose_name_plural = _("区域风险复核提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["regional_risk", "due_on", "days_before"], name="regional_review_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.regional_risk_id} {self.due_on} -{self.days_before}"
