"""The lifecycle of a major hazard source (40号令): the assessment and its filing (备案) with the county,
recorded re-assessment triggers, deregistration (核销), drills of its plans, periodic tests of its safety
facilities, and the once-only record of each lifecycle reminder. Written by `services.lifecycle` only."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.core.workflow import TransitionLog

from ..rules.lifecycle import PlanKind, TriggerKind

_USER = settings.AUTH_USER_MODEL


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已备案")
    RETURNED = "returned", _("已退回")


OPEN_FILING_STATUSES = (FilingStatus.DRAFT, FilingStatus.SUBMITTED, FilingStatus.RETURNED)


class DeregistrationStatus(models.TextChoices):
    APPLIED = "applied", _("待审核")
    ACCEPTED = "accepted", _("已核销")
    RETURNED = "returned", _("已退回")


class TriggerChoices(models.TextChoices):
    """rules.lifecycle.TriggerKind with its labels (a test checks they agree)."""

    NEW_UNIT = TriggerKind.NEW_UNIT.value, _("新建单元")
    REBUILT = TriggerKind.REBUILT.value, _("改建")
    EXPANDED = TriggerKind.EXPANDED.value, _("扩建")
    SUBSTANCES = TriggerKind.SUBSTANCES.value, _("危险化学品种类变化")
    QUANTITIES = TriggerKind.QUANTITIES.value, _("危险化学品数量变化")
    PROCESS = TriggerKind.PROCESS.value, _("工艺变化")
    KEY_EQUIPMENT = TriggerKind.KEY_EQUIPMENT.value, _("关键设备变化")
    SURROUNDINGS = TriggerKind.SURROUNDINGS.value, _("周边环境变化")
    ACCIDENT = TriggerKind.ACCIDENT.value, _("发生死亡或10人以上受伤事故")
    STANDARD = TriggerKind.STANDARD.value, _("有关标准变化")


class PlanChoices(models.TextChoices):
    SPECIALIST = PlanKind.SPECIALIST.value, _("专项应急预案")
    ONSITE = PlanKind.ONSITE.value, _("现场处置方案")


class TestResult(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class SourceFiling(models.Model):
    """One identification and assessment of a unit and its filing with the county (备案).

    A unit has at most one open filing (draft, submitted or returned); each re-assessment is a new row, so
    the accepted rows are the unit's filing history. `filing_due` and `reassessment_due` are computed by
    the service from `assessed_on` (rules.lifecycle) and kept for lists.
    """

    unit = models.ForeignKey(
        "majorhazards.HazardUnit", on_delete=models.PROTECT, related_name="filings", verbose_name=_("单元")
    )
    status = models.CharField(_("状态"), max_length=12, choices=FilingStatus.choices)
    assessing_org = models.CharField(_("评估机构"), max_length=200)
    assessed_on = models.DateField(_("评估日期"))
    report_summary = models.TextField(_("评估报告摘要"))
    report_file = models.FileField(_("评估报告"), upload_to="majorhazards/filings/%Y/%m/", blank=True)
    grade_on_record = models.PositiveSmallIntegerField(_("备案等级"), null=True, blank=True)
    filing_due = models.DateField(_("备案期限"))
    reassessment_due = models.DateField(_("下次评估期限"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_late = models.BooleanField(_("逾期备案"), default=False)
    reviewed_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True, verbose_name=_("审核人")
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ByEnterprise(enterprise="unit__enterprise")
    workflow_fields = (
        "status",
        "submitted_at",
        "submitted_late",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
    )

    class Meta:
        verbose_name = _("重大危险源备案")
        verbose_name_plural = _("重大危险源备案")
        ordering = ["unit_id", "-assessed_on", "-id"]
        indexes = [models.Index(fields=["status", "reassessment_due"], name="mh_filing_status_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(status__in=["draft", "submitted", "returned"]),
                name="mh_filing_one_open_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.assessed_on}:{self.status}"


class FilingTransition(TransitionLog):
    filing = models.ForeignKey(SourceFiling, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="filing__unit__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("重大危险源备案流转记录")
        verbose_name_plural = _("重大危险源备案流转记录")


class ReassessmentTrigger(models.Model):
    """Something that makes a re-identification and re-assessment due at once (40号令); it is answered by
    the next assessment made on or after the day it happened."""

    unit = models.ForeignKey(
        "majorhazards.HazardUnit", on_delete=models.PROTECT, related_name="triggers", verbose_name=_("单元")
    )
    kind = models.CharField(_("情形"), max_length=16, choices=TriggerChoices.choices)
    occurred_on = models.DateField(_("发生日期"))
    description = models.TextField(_("情况说明"))
    deaths = models.PositiveIntegerField(_("死亡人数"), null=True, blank=True)
    injuries = models.PositiveIntegerField(_("受伤人数"), null=True, blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))

    scope_rule = ByEnterprise(enterprise="unit__enterprise")

    class Meta:
        verbose_name = _("重新评估情形")
        verbose_name_plural = _("重新评估情形")
        ordering = ["unit_id", "-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="mh_trigger_accident_severity",
                condition=~models.Q(kind=TriggerKind.ACCIDENT)
                | models.Q(deaths__gte=1)
                | models.Q(injuries__gte=10),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.kind}@{self.occurred_on}"


class Deregistration(models.Model):
    """The enterprise's application to deregister (核销) a unit as a major hazard source and its review.

    An accepted one is the unit's deregistration: `selectors.lifecycle.active_units` leaves the unit out."""

    unit = models.ForeignKey(
        "majorhazards.HazardUnit",
        on_delete=models.PROTECT,
        related_name="deregistrations",
        verbose_name=_("单元"),
    )
    status = models.CharField(_("状态"), max_length=12, choices=DeregistrationStatus.choices)
    reason = models.TextField(_("核销理由"))
    applied_on = models.DateField(_("申请日期"))
    applied_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True, verbose_name=_("审核人")
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)

    scope_rule = ByEnterprise(enterprise="unit__enterprise")
    workflow_fields = ("status", "reviewed_by", "reviewed_at", "review_comment")

    class Meta:
        verbose_name = _("重大危险源核销")
        verbose_name_plural = _("重大危险源核销")
        ordering = ["unit_id", "-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(status__in=["applied", "accepted"]),
                name="mh_deregistration_one_live_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.status}"


class DeregistrationTransition(TransitionLog):
    deregistration = models.ForeignKey(Deregistration, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="deregistration__unit__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("重大危险源核销流转记录")
        verbose_name_plural = _("重大危险源核销流转记录")


class DrillRecord(models.Model):
    """A drill of the specialist emergency plan or the on-site plan: of one unit, or of the whole enterprise
    (no unit: it counts for every unit of the enterprise)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    unit = models.ForeignKey(
        "majorhazards.HazardUnit",
        on_delete=models.PROTECT,
        related_name="drills",
        null=True,
        blank=True,
        verbose_name=_("单元"),
    )
    plan_kind = models.CharField(_("预案类型"), max_length=12, choices=PlanChoices.choices)
    held_on = models.DateField(_("演练日期"))
    participants = models.PositiveIntegerField(_("参演人数"), validators=[MinValueValidator(1)])
    summary = models.TextField(_("演练情况"))
    recorded_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))

    scope_rule = ByEnterprise(enterprise="enterprise")

    class Meta:
        verbose_name = _("应急演练记录")
        verbose_name_plural = _("应急演练记录")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "plan_kind", "held_on"], name="mh_drill_ent_kind_idx")]
        constraints = [
            models.CheckConstraint(name="mh_drill_participants", condition=models.Q(participants__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.plan_kind}@{self.held_on}"


class FacilityTest(models.Model):
    """A periodic test (检测检验) of a safety facility of a unit (safety valve, gas detector, SIS…)."""

    unit = models.ForeignKey(
        "majorhazards.HazardUnit",
        on_delete=models.PROTECT,
        related_name="facility_tests",
        verbose_name=_("单元"),
    )
    facility = models.CharField(_("安全设施"), max_length=100)
    tested_on = models.DateField(_("检测日期"))
    result = models.CharField(_("检测结论"), max_length=8, choices=TestResult.choices)
    tested_by = models.CharField(_("检测单位"), max_length=200, blank=True)
    cycle_months = models.PositiveSmallIntegerField(
        _("检测周期（月）"), validators=[MinValueValidator(1)], default=12
    )
    next_due = models.DateField(_("下次检测期限"))
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))

    scope_rule = ByEnterprise(enterprise="unit__enterprise")

    class Meta:
        verbose_name = _("安全设施检测记录")
        verbose_name_plural = _("安全设施检测记录")
        ordering = ["unit_id", "facility", "-tested_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="mh_test_next_after", condition=models.Q(next_due__gt=models.F("tested_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility}@{self.tested_on}"


class LifecycleNoticeKind(models.TextChoices):
    REASSESSMENT = "reassessment", _("重新评估到期")
    DRILL = "drill", _("演练逾期")
    TEST = "test", _("检测逾期")
    FILING = "filing", _("逾期未备案")


class LifecycleNotice(models.Model):
    """One lifecycle reminder sent by the daily watch: unique per (unit, kind, subject, due date, threshold),
    so a second run (the same day or two workers at once) sends nothing, and a new due date starts afresh."""

    unit = models.ForeignKey(
        "majorhazards.HazardUnit", on_delete=models.CASCADE, related_name="lifecycle_notices"
    )
    kind = models.CharField(_("类型"), max_length=14, choices=LifecycleNoticeKind.choices)
    subject = models.CharField(_("对象"), max_length=40, blank=True)  # plan kind, facility test id…
    due = models.DateField(_("到期日"))
    number = models.SmallIntegerField(_("提前天数"), default=0)
    day = models.DateField(_("发送日期"))
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"))

    scope_rule = ByEnterprise(enterprise="unit__enterprise")

    class Meta:
        verbose_name = _("重大危险源到期提醒")
        verbose_name_plural = _("重大危险源到期提醒")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "subject", "due", "number"], name="mh_lifecycle_notice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.kind}:{self.subject}:{self.due}:{self.number}"
