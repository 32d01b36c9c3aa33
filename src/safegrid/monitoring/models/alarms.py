"""Alarms (报警) of monitoring points, their lifecycle log and comments, point bypasses (旁路/屏蔽) and the
per-enterprise open-alarm counters.

An alarm is raised, escalated and cleared by the engine (`alarm_engine`), and acknowledged, assigned,
disposed of, closed (消警) or turned into a hidden hazard by people (`services.alarms`); every status move
goes through the ALARM workflow (`workflows.py`). At most one *active* alarm per (point, rule): the partial
unique constraint `mon_alarm_one_active` is what keeps two ingest processes from raising it twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.core.workflow import TransitionLog

from ..choices import (
    ACTIVE_STATUSES,
    AlarmRule,
    AlarmSeverity,
    AlarmStatus,
    BypassStatus,
    DisposalCause,
    EscalationLevel,
)
from ..rules.alarms import Family
from ..rules.events import event_number
from .points import MonitoringPoint

_USER = settings.AUTH_USER_MODEL


class Alarm(models.Model):
    point = models.ForeignKey(
        MonitoringPoint, on_delete=models.PROTECT, related_name="alarms", verbose_name=_("监测点位")
    )
    # denormalised from the point: the scope filter and the counters need no join
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="monitoring_alarms",
        verbose_name=_("企业"),
    )
    rule = models.CharField(_("报警规则"), max_length=12, choices=AlarmRule.choices)
    severity = models.CharField(_("报警级别"), max_length=8, choices=AlarmSeverity.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=AlarmStatus.choices, default=AlarmStatus.ACTIVE_UNACK
    )
    limit_value = models.FloatField(_("报警限值"), null=True, blank=True)
    first_at = models.DateTimeField(_("首次报警时间"))
    first_value = models.FloatField(_("首次报警值"), null=True, blank=True)
    last_at = models.DateTimeField(_("最近报警时间"))
    last_value = models.FloatField(_("最近报警值"), null=True, blank=True)
    peak_value = models.FloatField(_("峰值"), null=True, blank=True)
    repeat_count = models.PositiveIntegerField(_("重复次数"), default=0)
    cleared_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    cleared_value = models.FloatField(_("恢复值"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("确认人")
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    assignee = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("处置人")
    )
    level = models.PositiveSmallIntegerField(
        _("推送层级"), choices=EscalationLevel.choices, default=EscalationLevel.ENTERPRISE
    )
    last_reminder_at = models.DateTimeField(_("最近提醒时间"), null=True, blank=True)
    disposal_cause = models.CharField(_("报警原因"), max_length=16, choices=DisposalCause.choices, blank=True)
    disposal_note = models.TextField(_("处置情况"), blank=True)
    disposed_by = models.ForeignKey(
        _USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处置登记人"),
    )
    disposed_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("消警人")
    )
    closed_at = models.DateTimeField(_("消警时间"), null=True, blank=True)
    hazard = models.ForeignKey(
        "hazards.HiddenHazard",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitoring_alarms",
        verbose_name=_("转隐患"),
    )

    scope_rule = ByEnterprise()
    workflow_fields = (
        "status",
        "acknowledged_by",
        "acknowledged_at",
        "assignee",
        "level",
        "disposal_cause",
        "disposal_note",
        "disposed_by",
        "disposed_at",
        "closed_by",
        "closed_at",
        "hazard",
    )
    derived_fields = ("severity", "last_at", "last_value", "peak_value", "repeat_count", "cleared_at")

    class Meta:
        verbose_name = _("报警")
        verbose_name_plural = _("报警")
        ordering = ["-first_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "rule"],
                condition=Q(status__in=[str(s) for s in ACTIVE_STATUSES]),
                name="mon_alarm_one_active",
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "status", "-first_at", "id"], name="mon_alarm_ent_status_idx"),
            models.Index(fields=["status", "-first_at", "id"], name="mon_alarm_status_idx"),
            models.Index(fields=["point", "-first_at"], name="mon_alarm_point_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id}:{self.rule}:{self.severity}@{self.first_at:%Y-%m-%d %H:%M:%S}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def number_text(self, number: float | None) -> str:
        """A value or the limit of this alarm as pages show it, with its unit: the point's measure unit, or
        for an event rule 人 / 分钟 / 秒 (`rules.events.EVENT_UNITS`; the rules store seconds); "—" for none.
        The one place alarm pages, the wall and the event-source pages format an alarm's numbers."""
        if number is None:
            return "—"
        shown = event_number(self.rule, number)
        if shown is not None:
            value, unit = shown
            return f"{value:g} {gettext(unit)}"
        if self.rule == RATE_RULE:  # a rate alarm's numbers are changes per minute
            return f"{number:g} {self.point.measure_unit}/{gettext('分钟')}"
        return f"{number:g} {self.point.measure_unit}".strip()

    @property
    def limit_text(self) -> str:
        return self.number_text(self.limit_value)

    @property
    def first_value_text(self) -> str:
        return self.number_text(self.first_value)

    @property
    def last_value_text(self) -> str:
        return self.number_text(self.last_value)

    @property
    def peak_value_text(self) -> str:
        return self.number_text(self.peak_value)


RATE_RULE = Family.RATE.value


class AlarmTransition(TransitionLog):
    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="alarm__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("报警流转记录")
        verbose_name_plural = _("报警流转记录")


class AlarmComment(models.Model):
    alarm = models.ForeignKey(
        Alarm, on_delete=models.CASCADE, related_name="comments", verbose_name=_("报警")
    )
    author = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("评论人")
    )
    author_label = models.CharField(_("评论人"), max_length=150)
    at = models.DateTimeField(_("时间"))
    text = models.TextField(_("内容"))

    scope_rule = ByEnterprise(enterprise="alarm__enterprise")

    class Meta:
        verbose_name = _("报警评论")
        verbose_name_plural = _("报警评论")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alarm_id}@{self.at:%Y-%m-%d %H:%M}"


class PointBypass(models.Model):
    """A bypass (旁路/屏蔽) of a point, or of one of its rules, for a set time: no alarm is raised while it is
    in force. Asked for with a reason, approved by another person with the right role, always with an end."""

    point = models.ForeignKey(
        MonitoringPoint, on_delete=models.PROTECT, related_name="bypasses", verbose_name=_("监测点位")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    rule = models.CharField(
        _("屏蔽规则"),
        max_length=12,
        choices=AlarmRule.choices,
        blank=True,
        help_text=_("留空表示屏蔽整个点位"),
    )
    reason = models.TextField(_("旁路原因"))
    status = models.CharField(
        _("状态"), max_length=12, choices=BypassStatus.choices, default=BypassStatus.REQUESTED
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("到期时间"))
    requested_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"))
    approved_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("批准人")
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    scope_rule = ByEnterprise()
    workflow_fields = ("status", "approved_by", "approved_at")

    class Meta:
        verbose_name = _("点位旁路")
        verbose_name_plural = _("点位旁路")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="mon_bypass_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["status", "ends_at"], name="mon_bypass_status_end_idx")]

    def __str__(self) -> str:
        return f"{self.point_id}:{self.rule or '*'} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"


class BypassTransition(TransitionLog):
    bypass = models.ForeignKey(PointBypass, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="bypass__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("旁路流转记录")
        verbose_name_plural = _("旁路流转记录")


class AlarmCount(models.Model):
    """An enterprise's open alarms, kept in the transaction of every alarm move (workflow hook), so a town
    or the county is one indexed SUM over the counters whose division code starts with its code."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    division_code = models.CharField(_("区划代码"), max_length=12)
    open = models.IntegerField(_("未消警"), default=0)
    unacknowledged = models.IntegerField(_("未确认"), default=0)
    active = models.IntegerField(_("报警中"), default=0)
    severe = models.IntegerField(_("高高报/低低报"), default=0)  # HH/LL among the open ones
    offline = models.IntegerField(_("离线"), default=0)

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("报警计数")
        verbose_name_plural = _("报警计数")
        indexes = [
            models.Index(
                fields=["division_code"], name="mon_alarm_count_div_idx", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.open}"
