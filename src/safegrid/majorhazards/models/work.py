"""Special-work filings (特殊作业报备, GB 30871-2022) and the daily safety commitment (安全承诺公告).

A filing's status moves only through `services.work.SPECIAL_WORK` (core.workflow): filed → in progress ⇄
paused → completed, or cancelled before it completes. Its gas analyses and pauses are rows of their own.
A commitment is one row per enterprise and day, written once by `services.work.commitment_post`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.core.workflow import TransitionLog

from ..rules import work as rules
from .sources import HazardUnit

_USER = settings.AUTH_USER_MODEL


class WorkType(models.TextChoices):
    HOT = rules.WorkType.HOT, _("动火作业")
    CONFINED = rules.WorkType.CONFINED, _("受限空间作业")
    BLIND_PLATE = rules.WorkType.BLIND_PLATE, _("盲板抽堵作业")
    HEIGHT = rules.WorkType.HEIGHT, _("高处作业")
    LIFTING = rules.WorkType.LIFTING, _("吊装作业")
    TEMP_POWER = rules.WorkType.TEMP_POWER, _("临时用电作业")
    EXCAVATION = rules.WorkType.EXCAVATION, _("动土作业")
    ROAD_CLOSURE = rules.WorkType.ROAD_CLOSURE, _("断路作业")


class WorkGrade(models.TextChoices):
    NONE = rules.WorkGrade.NONE, _("无分级")
    SPECIAL = rules.WorkGrade.SPECIAL, _("特级")
    ONE = rules.WorkGrade.ONE, _("一级")
    TWO = rules.WorkGrade.TWO, _("二级")
    THREE = rules.WorkGrade.THREE, _("三级")
    FOUR = rules.WorkGrade.FOUR, _("四级")


class SpecialWorkStatus(models.TextChoices):
    FILED = "filed", _("已报备")
    IN_PROGRESS = "in_progress", _("作业中")
    PAUSED = "paused", _("已中断")
    COMPLETED = "completed", _("已完工")
    CANCELLED = "cancelled", _("已取消")


ACTIVE_STATUSES = (SpecialWorkStatus.FILED, SpecialWorkStatus.IN_PROGRESS, SpecialWorkStatus.PAUSED)


class SpecialWork(models.Model):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="special_works",
        verbose_name=_("企业"),
    )
    unit = models.ForeignKey(
        HazardUnit,
        on_delete=models.PROTECT,
        related_name="special_works",
        null=True,
        blank=True,
        verbose_name=_("所在单元"),
    )
    work_type = models.CharField(_("作业类型"), max_length=16, choices=WorkType.choices)
    grade = models.CharField(_("作业级别"), max_length=8, choices=WorkGrade.choices, blank=True)
    content = models.CharField(_("作业内容"), max_length=200)
    place = models.CharField(_("作业地点"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    start = models.DateTimeField(_("作业开始时间"))
    end = models.DateTimeField(_("作业结束时间"))
    permit_number = models.CharField(_("作业票编号"), max_length=60)
    watcher_name = models.CharField(_("监护人"), max_length=40)
    watcher_phone = models.CharField(_("监护人电话"), max_length=20, blank=True)
    video_channel = models.CharField(_("视频监控通道"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=SpecialWorkStatus.choices, default=SpecialWorkStatus.FILED
    )
    filed_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    filed_at = models.DateTimeField(_("报备时间"))
    started_at = models.DateTimeField(_("实际开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完工/取消时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = ByEnterprise()
    workflow_fields = ("status", "started_at", "finished_at")

    class Meta:
        verbose_name = _("特殊作业报备")
        verbose_name_plural = _("特殊作业报备")
        ordering = ["-start", "-id"]
        indexes = [
            models.Index(fields=["start", "end"], name="mh_work_interval_idx"),
            models.Index(fields=["enterprise", "-start"], name="mh_work_enterprise_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="mh_work_end_after_start"
            ),
            models.UniqueConstraint(fields=["enterprise", "permit_number"], name="mh_work_permit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.permit_number} {self.type_label}"

    def clean(self) -> None:
        if (
            self.unit_id is not None
            and self.unit is not None
            and self.unit.enterprise_id != self.enterprise_id
        ):
            raise ValidationError({"unit": _("所在单元须为本企业的单元")})

    @property
    def type_label(self) -> str:
        grade = str(WorkGrade(self.grade).label) if self.grade else ""
        return f"{grade}{self.get_work_type_display()}"

    @property
    def high_risk(self) -> bool:
        return rules.is_high_risk(self.work_type, self.grade)

    @property
    def gas_analysed(self) -> bool:
        return self.work_type in rules.GAS_ANALYSED


class SpecialWorkTransition(TransitionLog):
    work = models.ForeignKey(SpecialWork, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="work__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("特殊作业流转记录")
        verbose_name_plural = _("特殊作业流转记录")


class GasAnalysis(models.Model):
    work = models.ForeignKey(SpecialWork, on_delete=models.CASCADE, related_name="analyses")
    at = models.DateTimeField(_("分析时间"))
    location = models.CharField(_("取样部位"), max_length=100)
    result = models.CharField(_("分析结果"), max_length=200)
    qualified = models.BooleanField(_("是否合格"))
    analyst = models.CharField(_("分析人"), max_length=40)
    recorded_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))

    scope_rule = ByEnterprise(enterprise="work__enterprise")

    class Meta:
        verbose_name = _("气体分析")
        verbose_name_plural = _("气体分析")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.work_id}@{self.at:%Y-%m-%d %H:%M}"


class WorkPause(models.Model):
    work = models.ForeignKey(SpecialWork, on_delete=models.CASCADE, related_name="pauses")
    start = models.DateTimeField(_("中断时间"))
    end = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    reason = models.CharField(_("中断原因"), max_length=200, blank=True)

    scope_rule = ByEnterprise(enterprise="work__enterprise")

    class Meta:
        verbose_name = _("作业中断")
        verbose_name_plural = _("作业中断")
        ordering = ["start", "id"]

    def __str__(self) -> str:
        return f"{self.work_id}@{self.start:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int | None:
        return None if self.end is None else int((self.end - self.start).total_seconds() // 60)


class SafetyCommitment(models.Model):
    """The day's safety commitment notice (安全承诺公告) of an enterprise with major hazard sources."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="safety_commitments",
        verbose_name=_("企业"),
    )
    day = models.DateField(_("承诺日期"))
    units_total = models.PositiveSmallIntegerField(_("生产装置/储存单元总数"))
    units_running = models.PositiveSmallIntegerField(_("运行"))
    units_stopped = models.PositiveSmallIntegerField(_("停产"))
    units_maintenance = models.PositiveSmallIntegerField(_("检修"))
    hot_special = models.PositiveSmallIntegerField(_("特级动火作业"), default=0)
    hot_one = models.PositiveSmallIntegerField(_("一级动火作业"), default=0)
    hot_two = models.PositiveSmallIntegerField(_("二级动火作业"), default=0)
    confined_space = models.PositiveSmallIntegerField(_("受限空间作业"), default=0)
    other_special = models.PositiveSmallIntegerField(_("其他特殊作业"), default=0)
    trial_production = models.BooleanField(_("是否处于试生产"), default=False)
    startup_shutdown = models.BooleanField(_("是否处于开停车状态"), default=False)
    sources_safe = models.BooleanField(_("重大危险源是否处于安全状态"), default=True)
    commitment_text = models.TextField(_("承诺内容"))
    principal_name = models.CharField(_("主要负责人"), max_length=40)
    filed_counts = models.JSONField(
        _("报备数量"), default=dict, blank=True
    )  # the counts derived from the filings
    differences = models.JSONField(_("与报备不一致的项"), default=list, blank=True)
    explanation = models.TextField(_("不一致说明"), blank=True)
    posted_at = models.DateTimeField(_("发布时间"))
    posted_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    late = models.BooleanField(_("逾期发布"), default=False)

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("安全承诺公告")
        verbose_name_plural = _("安全承诺公告")
        ordering = ["-day", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "day"], name="mh_commitment_day_unique"),
        ]
        indexes = [models.Index(fields=["day", "enterprise"], name="mh_commitment_day_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.day}"

    @property
    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in rules.COUNT_FIELDS}


class CommitmentBoard(models.Model):
    """The secret token of an enterprise's public commitment board (gate screen, phones); reissuing
    revokes the old address."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="commitment_board"
    )
    token = models.CharField(max_length=43, unique=True)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("承诺公告屏")
        verbose_name_plural = _("承诺公告屏")

    def __str__(self) -> str:
        return str(self.enterprise_id)


class CommitmentNotice(models.Model):
    """One "not posted by the deadline" marker per enterprise and day: the unique row makes the schedule
    tell each enterprise once however often it runs."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("承诺日期"))
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"))

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("承诺公告逾期提醒")
        verbose_name_plural = _("承诺公告逾期提醒")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "day"], name="mh_commitment_notice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.day}"
