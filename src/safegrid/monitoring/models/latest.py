"""The latest value of each point: one row per point, upserted by the ingest with each batch it writes.

The wall reads it (one row per point, no scan of the readings) and the offline rule reads `received_at`
(no data within a point's timeout). `ts` is the device's time of the newest reading, `received_at` the
ingest's time when it arrived.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise

from .points import MonitoringPoint


class LatestValue(models.Model):
    point = models.OneToOneField(
        MonitoringPoint,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="latest",
        verbose_name=_("监测点位"),
    )
    ts = models.DateTimeField(_("采集时间"))
    value = models.FloatField(_("监测值"))
    received_at = models.DateTimeField(_("接收时间"))

    scope_rule = ByEnterprise(enterprise="point__enterprise")

    class Meta:
        verbose_name = _("最新监测值")
        verbose_name_plural = _("最新监测值")
        indexes = [models.Index(fields=["received_at"], name="mon_latest_received_idx")]

    def __str__(self) -> str:
        return f"{self.point_id}@{self.ts:%Y-%m-%d %H:%M:%S}={self.value}"
