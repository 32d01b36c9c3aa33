"""Hidden hazards (隐患), their photos and their status log; the major-hazard criteria as county data."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise, Public
from safegrid.core.workflow import TransitionLog
from safegrid.enterprises.models import Enterprise, Person
from safegrid.regions.models import Department
from safegrid.risks.models import RiskPoint

from .choices import (
    DANGER_SOURCE_CHOICES,
    HAZARD_TYPE_CHOICES,
    Handling,
    HazardLevel,
    HazardStatus,
    Origin,
    PhotoKind,
    RejectReason,
    SupervisionLevel,
)

_USER = settings.AUTH_USER_MODEL


class MajorCriterion(models.Model):
    """One item of a sector's major-hidden-hazard criteria (shipped: 安监总管三〔2017〕121号; county-extensible)."""

    code = models.CharField(_("代码"), max_length=16, unique=True)
    sector_code = models.CharField(_("适用行业"), max_length=32, db_index=True)
    number = models.PositiveSmallIntegerField(_("条目号"))
    text = models.TextField(_("判定标准"))
    standard = models.CharField(_("依据"), max_length=64)
    active = models.BooleanField(_("在用"), default=True)

    scope_rule = Public()

    class Meta:
        verbose_name = _("重大隐患判定标准")
        verbose_name_plural = _("重大隐患判定标准")
        ordering = ["sector_code", "number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class HiddenHazard(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="hidden_hazards")
    risk_point = models.ForeignKey(
        RiskPoint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hidden_hazards",
        verbose_name=_("风险点"),
    )
    origin = models.CharField(_("来源"), max_length=12, choices=Origin.choices)
    source = models.PositiveSmallIntegerField(_("排查类型"), choices=DANGER_SOURCE_CHOICES)
    hazard_type = models.PositiveSmallIntegerField(_("隐患类别"), choices=HAZARD_TYPE_CHOICES)
    title = models.CharField(_("隐患名称"), max_length=100)
    location = models.CharField(_("隐患位置"), max_length=200)
    description = models.TextField(_("隐患描述"))
    cause = models.TextField(_("隐患原因"), blank=True)
    level = models.CharField(
        _("隐患等级"), max_length=8, choices=HazardLevel.choices, default=HazardLevel.GENERAL
    )
    major_criteria = models.JSONField(_("符合的重大隐患判定标准"), default=list, blank=True)
    major_proposed = models.BooleanField(_("系统建议为重大隐患"), default=False)
    handling = models.CharField(
        _("治理方式"), max_length=12, choices=Handling.choices, default=Handling.BY_DEADLINE
    )
    status = models.CharField(_("状态"), max_length=12, choices=HazardStatus.choices)
    reported_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    reporter_name = models.CharField(_("登记人"), max_length=150)
    reported_at = models.DateTimeField(_("登记时间"))
    confirmed_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reject_reason = models.CharField(_("驳回原因"), max_length=12, choices=RejectReason.choices, blank=True)
    # The five in place (五落实)
    responsible_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改责任人"),
    )
    measures = models.TextField(_("整改措施"), blank=True)
    funds = models.DecimalField(
        _("整改资金（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    plan = models.TextField(_("应急预案"), blank=True)
    interim_measures = models.TextField(_("临时管控措施"), blank=True)  # major: withdrawn, cordoned, stopped
    extension_deadline = models.DateField(_("申请延期至"), null=True, blank=True)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    extension_requested_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    rectified_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    rectification_note = models.TextField(_("整改情况"), blank=True)
    accepted_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    acceptance_comment = models.TextField(_("验收意见"), blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    days_to_close = models.PositiveIntegerField(_("整改用时（天）"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)
    escalation_step = models.SmallIntegerField(_("逾期升级级别"), default=-1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = ByEnterprise()
    # Moved only by the hazard workflow (hazards/workflows.py) and its services.
    workflow_fields = (
        "status",
        "level",
        "major_criteria",
        "confirmed_by",
        "confirmed_at",
        "reject_reason",
        "responsible_person",
        "measures",
        "funds",
        "deadline",
        "plan",
        "interim_measures",
        "extension_deadline",
        "extension_reason",
        "extension_requested_by",
        "rectified_by",
        "rectified_at",
        "rectification_note",
        "accepted_by",
        "accepted_at",
        "acceptance_comment",
        "closed_at",
        "reopen_count",
    )
    derived_fields = ("major_proposed", "days_to_close", "escalation_step")

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        indexes = [
            models.Index(fields=["enterprise", "status", "id"], name="hazard_ent_status_idx"),
            models.Index(fields=["status", "deadline", "id"], name="hazard_status_deadline_idx"),
            models.Index(fields=["level", "status", "id"], name="hazard_level_status_idx"),
            models.Index(fields=["-reported_at", "id"], name="hazard_reported_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class HazardPhoto(models.Model):
    hazard = models.ForeignKey(HiddenHazard, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("照片类型"), max_length=8, choices=PhotoKind.choices)
    image = models.ImageField(_("照片"), upload_to="hazards/%Y/%m/")
    sha256 = models.CharField(_("照片摘要 SHA-256"), max_length=64, db_index=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    server_time = models.DateTimeField(_("上传时间（服务器）"))
    device_time = models.DateTimeField(_("拍摄时间（设备）"), null=True, blank=True)

    scope_rule = ByEnterprise(enterprise="hazard__enterprise")

    class Meta:
        verbose_name = _("隐患照片")
        verbose_name_plural = _("隐患照片")
        ordering = ["server_time", "id"]

    def __str__(self) -> str:
        return f"{self.hazard_id}:{self.kind}"


class HazardTransition(TransitionLog):
    hazard = models.ForeignKey(HiddenHazard, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="hazard__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("隐患流转记录")
        verbose_name_plural = _("隐患流转记录")


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("整改期限提醒")
    ESCALATION = "escalation", _("逾期升级")


class HazardNotice(models.Model):
    """One deadline reminder or escalation sent by the daily scan: the record that makes it happen once.

    Unique per (hazard, kind, deadline, number) — number is the days-before of a reminder or the step of
    an escalation — so a new deadline (an approved extension) starts afresh; and at most one escalation
    per hazard per county day, so a second run the same day escalates nothing.
    """

    hazard = models.ForeignKey(HiddenHazard, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("类型"), max_length=12, choices=NoticeKind.choices)
    deadline = models.DateField(_("整改期限"))
    number = models.SmallIntegerField(_("提前天数或升级级别"))
    day = models.DateField(_("发送日期"))
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"))

    scope_rule = ByEnterprise(enterprise="hazard__enterprise")

    class Meta:
        verbose_name = _("隐患期限通知")
        verbose_name_plural = _("隐患期限通知")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "kind", "deadline", "number"], name="hazard_notice_once"
            ),
            models.UniqueConstraint(
                fields=["hazard", "day"],
                condition=models.Q(kind="escalation"),
                name="hazard_escalation_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id}:{self.kind}:{self.number}@{self.day}"


class ListedSupervision(models.Model):
    """A major hazard listed for supervision (挂牌督办) by a government level, until it is signed off.

    Signed off (解除督办) only once the hazard is closed; the actual completion is the hazard's close-out
    day. Written by `supervision.py` only.
    """

    hazard = models.OneToOneField(
        HiddenHazard, on_delete=models.PROTECT, related_name="supervision", verbose_name=_("隐患")
    )
    level = models.CharField(_("督办层级"), max_length=12, choices=SupervisionLevel.choices)
    authority = models.CharField(_("督办单位"), max_length=100)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("督办部门（本县）"),
    )
    document_number = models.CharField(_("督办文号"), max_length=64, unique=True)
    listed_on = models.DateField(_("挂牌日期"))
    planned_completion = models.DateField(_("要求完成日期"))
    actual_completion = models.DateField(_("实际完成日期"), null=True, blank=True)
    requirements = models.TextField(_("督办要求"), blank=True)
    listed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    listed_at = models.DateTimeField(_("登记时间"))
    signed_off_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True, verbose_name=_("销号人")
    )
    signed_off_at = models.DateTimeField(_("解除督办时间"), null=True, blank=True)
    sign_off_comment = models.TextField(_("解除督办意见"), blank=True)

    scope_rule = ByEnterprise(enterprise="hazard__enterprise")
    derived_fields = ("actual_completion", "signed_off_by", "signed_off_at", "sign_off_comment")

    class Meta:
        verbose_name = _("挂牌督办")
        verbose_name_plural = _("挂牌督办")
        ordering = ["-listed_on", "-id"]
        indexes = [models.Index(fields=["signed_off_at", "planned_completion"], name="supervision_open_idx")]

    def __str__(self) -> str:
        return self.document_number

    @property
    def is_open(self) -> bool:
        return self.signed_off_at is None
