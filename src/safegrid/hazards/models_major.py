"""Major hidden hazards (16号令 art. 14–23): the six-part treatment plan (each save a new version), the
report to the regulator, and the suspension order with its close-out. Written by `services_major` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.core.workflow import TransitionLog
from safegrid.regions.models import Department

from .choices import MajorReportStatus, ReviewResult, SuspensionStatus

_USER = settings.AUTH_USER_MODEL


class TreatmentPlan(models.Model):
    """One version of a major hazard's treatment plan (治理方案); a change saves a new version."""

    hazard = models.ForeignKey(
        "hazards.HiddenHazard",
        on_delete=models.CASCADE,
        related_name="treatment_plans",
        verbose_name=_("隐患"),
    )
    version = models.PositiveIntegerField(_("版本"))
    targets = models.TextField(_("目标和任务"))
    methods = models.TextField(_("方法和措施"))
    funds_materials = models.TextField(_("经费和物资"))
    organisation = models.TextField(_("机构和人员"))
    time_requirements = models.TextField(_("时限和要求"))
    safety_emergency = models.TextField(_("安全措施和应急预案"))
    written_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    written_at = models.DateTimeField(_("编制时间"))

    scope_rule = ByEnterprise(enterprise="hazard__enterprise")

    class Meta:
        verbose_name = _("重大隐患治理方案")
        verbose_name_plural = _("重大隐患治理方案")
        ordering = ["hazard_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["hazard", "version"], name="treatment_plan_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} v{self.version}"


class MajorHazardReport(models.Model):
    """The enterprise's report of a confirmed major hazard to its regulators (16号令 art. 14), with the
    interim measures taken (art. 16); the receiving department signs for it."""

    hazard = models.OneToOneField(
        "hazards.HiddenHazard", on_delete=models.CASCADE, related_name="major_report", verbose_name=_("隐患")
    )
    status = models.CharField(_("状态"), max_length=16, choices=MajorReportStatus.choices)
    state_and_cause = models.TextField(_("现状及其产生原因"))
    severity_and_difficulty = models.TextField(_("危害程度和整改难易程度分析"))
    plan = models.ForeignKey(
        TreatmentPlan, on_delete=models.PROTECT, related_name="reports", verbose_name=_("治理方案")
    )
    interim_measures = models.JSONField(_("临时管控措施"), default=list, blank=True)
    interim_other = models.TextField(_("其他临时管控措施"), blank=True)
    departments = models.ManyToManyField(
        Department, related_name="+", verbose_name=_("接收的监管部门"), blank=True
    )
    submitted_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True, verbose_name=_("报送人")
    )
    submitted_at = models.DateTimeField(_("报送时间"))
    acknowledged_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True, verbose_name=_("签收人")
    )
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledge_comment = models.TextField(_("签收意见"), blank=True)

    scope_rule = ByEnterprise(enterprise="hazard__enterprise")
    workflow_fields = ("status", "acknowledged_by", "acknowledged_at", "acknowledge_comment")

    class Meta:
        verbose_name = _("重大隐患报告")
        verbose_name_plural = _("重大隐患报告")
        ordering = ["-submitted_at", "id"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="major_report_status_idx")]

    def __str__(self) -> str:
        return f"{self.hazard_id}:{self.status}"


class MajorReportTransition(TransitionLog):
    report = models.ForeignKey(MajorHazardReport, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="report__hazard__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("重大隐患报告流转记录")
        verbose_name_plural = _("重大隐患报告流转记录")


class SuspensionOrder(models.Model):
    """A suspension order (责令停产停业整改) on a major hazard and its close-out (16号令 art. 23):
    evaluation report → written application to resume → on-site review within 10 days → close-out.

    A failed review sends it back to "ordered": a new evaluation and application follow; each round is
    kept in the transition log (its evidence holds the round's evaluation, application and review).
    """

    hazard = models.OneToOneField(
        "hazards.HiddenHazard", on_delete=models.CASCADE, related_name="suspension", verbose_name=_("隐患")
    )
    status = models.CharField(_("状态"), max_length=12, choices=SuspensionStatus.choices)
    document_number = models.CharField(_("执法文书编号"), max_length=64, unique=True)
    ordered_on = models.DateField(_("责令日期"))
    ends_on = models.DateField(_("停产停业整改期限至"))
    scope_text = models.TextField(_("停产停业范围"), blank=True)
    ordered_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    ordered_at = models.DateTimeField(_("登记时间"))
    # The enterprise's evaluation report (its experts or a qualified agency).
    evaluator = models.CharField(_("评估单位或专家"), max_length=200, blank=True)
    evaluation_summary = models.TextField(_("评估结论"), blank=True)
    evaluation_file = models.FileField(_("评估报告"), upload_to="hazards/suspension/%Y/%m/", blank=True)
    evaluated_at = models.DateTimeField(_("评估报告提交时间"), null=True, blank=True)
    # The written application to resume.
    application_text = models.TextField(_("恢复生产申请"), blank=True)
    applied_on = models.DateField(_("申请日期"), null=True, blank=True)
    review_due = models.DateField(_("现场审查期限"), null=True, blank=True)
    # The regulator's on-site review.
    reviewed_on = models.DateField(_("现场审查日期"), null=True, blank=True)
    review_result = models.CharField(_("审查结论"), max_length=8, choices=ReviewResult.choices, blank=True)
    review_comment = models.TextField(_("审查意见"), blank=True)
    reviewed_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    resumed_at = models.DateTimeField(_("恢复生产时间"), null=True, blank=True)

    scope_rule = ByEnterprise(enterprise="hazard__enterprise")
    workflow_fields = (
        "status",
        "evaluator",
        "evaluation_summary",
        "evaluation_file",
        "evaluated_at",
        "application_text",
        "applied_on",
        "review_due",
        "reviewed_on",
        "review_result",
        "review_comment",
        "reviewed_by",
        "resumed_at",
    )

    class Meta:
        verbose_name = _("停产停业整改")
        verbose_name_plural = _("停产停业整改")
        ordering = ["-ordered_on", "-id"]
        indexes = [models.Index(fields=["status", "review_due"], name="suspension_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                name="suspension_ends_after_order", condition=models.Q(ends_on__gt=models.F("ordered_on"))
            )
        ]

    def __str__(self) -> str:
        return self.document_number


class SuspensionTransition(TransitionLog):
    order = models.ForeignKey(SuspensionOrder, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="order__hazard__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("停产停业整改流转记录")
        verbose_name_plural = _("停产停业整改流转记录")
