"""Event sources (视频通道、人员定位区域): monitoring points of kind ``video`` or ``zone`` whose devices send
events, not readings (rules/events.py). `EventSource` holds a zone's numbers, `ZonePresence` who is in a zone
and who is still, `SourceEvent` every accepted event once (its unique key drops a duplicate). Their alarms
are ordinary `Alarm`s of the point (one model, one lifecycle).
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise

from .points import MonitoringPoint


class EventSource(models.Model):
    point = models.OneToOneField(
        MonitoringPoint,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="event_source",
        verbose_name=_("监测点位"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    rated_headcount = models.PositiveIntegerField(
        _("额定人数"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_stay_minutes = models.PositiveIntegerField(
        _("最长滞留时间（分钟）"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    motionless_seconds = models.PositiveIntegerField(
        _("静止报警阈值（秒）"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("事件源")
        verbose_name_plural = _("事件源")
        constraints = [
            models.CheckConstraint(
                condition=(Q(rated_headcount__isnull=True) | Q(rated_headcount__gt=0))
                & (Q(max_stay_minutes__isnull=True) | Q(max_stay_minutes__gt=0))
                & (Q(motionless_seconds__isnull=True) | Q(motionless_seconds__gt=0)),
                name="mon_event_source_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.point_id}"


class ZonePresence(models.Model):
    """A person (positioning tag) in a zone: since when, and since when without movement."""

    source = models.ForeignKey(
        EventSource, on_delete=models.CASCADE, related_name="presence", verbose_name=_("事件源")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="+", verbose_name=_("企业")
    )
    person = models.CharField(_("定位标签"), max_length=64)
    entered_at = models.DateTimeField(_("进入时间"), null=True, blank=True)
    still_since = models.DateTimeField(_("静止起始时间"), null=True, blank=True)

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("区域人员")
        verbose_name_plural = _("区域人员")
        constraints = [
            models.UniqueConstraint(fields=["source", "person"], name="mon_presence_person_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.person}"


class SourceEvent(models.Model):
    """An accepted event, stored once: (point, type, ts, person) is unique, so a resend is a duplicate."""

    point = models.ForeignKey(
        MonitoringPoint, on_delete=models.CASCADE, related_name="source_events", verbose_name=_("监测点位")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="+", verbose_name=_("企业")
    )
    type = models.CharField(_("事件类型"), max_length=16)
    ts = models.DateTimeField(_("事件时间"))
    person = models.CharField(_("定位标签"), max_length=64, blank=True)
    value = models.FloatField(_("数值"), null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"))

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("监测事件")
        verbose_name_plural = _("监测事件")
        ordering = ["-ts", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["point", "type", "ts", "person"], name="mon_source_event_once")
        ]
        indexes = [models.Index(fields=["point", "-ts"], name="mon_source_event_point_idx")]

    def __str__(self) -> str:
        return f"{self.point_id}:{self.type}@{self.ts:%Y-%m-%d %H:%M:%S}"
