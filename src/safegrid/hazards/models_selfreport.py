"""The quarterly and annual hazard self-report (隐患排查治理自查自报) to the regulators (imported by `models`).

One report per enterprise and period (a quarter of a year, or the year). Its figures are a snapshot
generated from the statistics rollups and the enterprise's major hazards (`selfreport_figures`), frozen
when the principal signs and submits it. The status moves only through `workflows_selfreport.SELF_REPORT`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.core.workflow import TransitionLog
from safegrid.enterprises.models import Enterprise
from safegrid.risks.models import SigningDelegation

from .rules import selfreport as rules

_USER = settings.AUTH_USER_MODEL


class SelfReportKind(models.TextChoices):
    QUARTER = rules.QUARTER, _("季度报告")
    YEAR = rules.YEAR, _("年度报告")


class SelfReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已签署报送")
    RECEIVED = "received", _("已查收")
    RETURNED = "returned", _("已退回")


class HazardSelfReport(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="hazard_self_reports")
    period_kind = models.CharField(_("报告类型"), max_length=8, choices=SelfReportKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), default=0)  # 0 for the annual report
    period_start = models.DateField(_("统计起始日"))
    period_end = models.DateField(_("统计截止日"))
    due_date = models.DateField(_("报送截止日"))
    status = models.CharField(
        _("状态"), max_length=12, choices=SelfReportStatus.choices, default=SelfReportStatus.DRAFT
    )
    figures = models.JSONField(_("统计数据"), default=dict)
    figures_at = models.DateTimeField(_("数据生成时间"))
    method_version = models.CharField(_("统计口径"), max_length=32, default=rules.METHOD_VERSION)
    statement = models.TextField(_("自查情况说明"), blank=True)
    prepared_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    signer_name = models.CharField(_("签署人"), max_length=80, blank=True)
    signed_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    signed_delegation = models.ForeignKey(
        SigningDelegation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    days_late = models.PositiveIntegerField(_("逾期天数"), default=0)  # of the first submission
    reviewed_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    reviewed_at = models.DateTimeField(_("查收时间"), null=True, blank=True)
    review_comment = models.TextField(_("监管部门意见"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = ByEnterprise()
    workflow_fields = (
        "status",
        "signer_name",
        "signed_by",
        "signed_at",
        "signed_delegation",
        "first_submitted_at",
        "days_late",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
    )
    derived_fields = (
        "period_kind",
        "year",
        "quarter",
        "period_start",
        "period_end",
        "due_date",
        "figures",
        "figures_at",
        "method_version",
    )

    class Meta:
        verbose_name = _("隐患自查自报")
        verbose_name_plural = _("隐患自查自报")
        ordering = ["-period_end", "period_kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "period_kind", "year", "quarter"], name="hazard_self_report_period"
            ),
            models.CheckConstraint(
                name="hazard_self_report_quarter",
                condition=models.Q(period_kind=rules.YEAR, quarter=0)
                | models.Q(period_kind=rules.QUARTER, quarter__gte=1, quarter__lte=4),
            ),
        ]
        indexes = [
            models.Index(fields=["period_kind", "year", "quarter", "status"], name="self_report_period_idx"),
            models.Index(fields=["status", "id"], name="self_report_status_idx"),
            models.Index(fields=["-period_end", "id"], name="self_report_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.period.label}"

    @property
    def period(self) -> rules.Period:
        return rules.Period(self.year, self.quarter, self.period_kind)

    @property
    def late(self) -> bool:
        return self.days_late > 0

    @property
    def period_label(self) -> str:
        return self.period.label


class SelfReportTransition(TransitionLog):
    report = models.ForeignKey(HazardSelfReport, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="report__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("自查自报流转记录")
        verbose_name_plural = _("自查自报流转记录")


class SelfReportNoticeKind(models.TextChoices):
    REMINDER = "reminder", _("报送提醒")
    MISSING = "missing", _("逾期未报")


class SelfReportNotice(models.Model):
    """One reminder or "missing" marker per enterprise, period and threshold: the unique row decides
    between two runs of the schedule (the same day, or two workers), so each is sent once."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(_("报告类型"), max_length=8, choices=SelfReportKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), default=0)
    kind = models.CharField(_("类型"), max_length=12, choices=SelfReportNoticeKind.choices)
    days_before = models.SmallIntegerField(_("提前天数"), default=0)
    due_date = models.DateField(_("报送截止日"))
    day = models.DateField(_("发送日期"))
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"))

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("自查自报提醒")
        verbose_name_plural = _("自查自报提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "period_kind", "year", "quarter", "kind", "days_before"],
                name="self_report_notice_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.year}-{self.period_kind}{self.quarter}:{self.kind}"
