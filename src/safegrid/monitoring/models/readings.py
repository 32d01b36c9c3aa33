"""Raw readings, their rollups, the dead-letter table and the per-publisher sequence counters.

`Reading` is the hot table. On PostgreSQL it is partitioned by RANGE on `ts` (one partition per UTC day,
created ahead and dropped past retention by `monitoring.readings_maintain`), with a BRIN index on `ts`
and the primary key (point_id, ts): a partitioned table's unique constraints must contain the partition
key, and (point, ts) is exactly the uniqueness a QoS 1 redelivery needs, so the row has no surrogate id
(no sequence to draw from per row, 8 bytes less per row). Django 5.2 maps that key as a
`CompositePrimaryKey`. Readings are never read through their own selector: a reader reaches a point
through the scoped point selector first and then its readings (so `Reading` has no `scope_rule`, and
the scope walk's pk-based checks do not touch it). SQLite (the demo) keeps a plain table with the same key.
The bulk writer (`ingest/writer.py`) writes it; the ORM only reads it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise

from .points import MonitoringPoint


class Reading(models.Model):
    pk = models.CompositePrimaryKey("point", "ts")
    point = models.ForeignKey(
        MonitoringPoint, on_delete=models.DO_NOTHING, db_constraint=False, verbose_name=_("监测点位")
    )
    ts = models.DateTimeField(_("采集时间"))
    value = models.FloatField(_("监测值"))
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("监测数据")
        verbose_name_plural = _("监测数据")

    def __str__(self) -> str:
        return f"{self.point_id}@{self.ts:%Y-%m-%d %H:%M:%S}={self.value}"


class RollupPeriod(models.TextChoices):
    MINUTE = "1m", _("1分钟")
    HOUR = "1h", _("1小时")


class ReadingRollup(models.Model):
    """min/max/sum/count of a point's readings per bucket; kept for years (trend charts read these)."""

    point = models.ForeignKey(
        MonitoringPoint, on_delete=models.CASCADE, related_name="rollups", verbose_name=_("监测点位")
    )
    period = models.CharField(_("统计周期"), max_length=2, choices=RollupPeriod.choices)
    bucket = models.DateTimeField(_("时段开始"))
    count = models.PositiveIntegerField(_("数据条数"))
    min = models.FloatField(_("最小值"))
    max = models.FloatField(_("最大值"))
    sum = models.FloatField(_("合计"))

    scope_rule = ByEnterprise(enterprise="point__enterprise")

    class Meta:
        verbose_name = _("监测数据汇总")
        verbose_name_plural = _("监测数据汇总")
        constraints = [
            models.UniqueConstraint(fields=["point", "period", "bucket"], name="mon_rollup_point_bucket")
        ]

    @property
    def avg(self) -> float:
        return self.sum / self.count if self.count else 0.0


class DeadLetterReason(models.TextChoices):
    MALFORMED = "malformed", _("报文格式错误")
    SCHEMA = "schema", _("数据结构不符")
    UNKNOWN_ENTERPRISE = "unknown_enterprise", _("未知企业信用代码")
    UNKNOWN_POINT = "unknown_point", _("未知点位")
    OTHER_ENTERPRISE = "other_enterprise", _("点位属于其他企业")
    INACTIVE_POINT = "inactive_point", _("点位已停用")
    NON_FINITE = "non_finite", _("数值非有限数")
    BAD_TIMESTAMP = "bad_timestamp", _("时间格式错误")
    FUTURE = "future", _("时间超前")
    TOO_OLD = "too_old", _("时间早于保存期限")
    UNKNOWN_EVENT = "unknown_event", _("未知事件类型")
    ERROR = "error", _("处理出错")


PAYLOAD_LIMIT = 4096  # characters of the raw payload kept with a dead letter


class DeadLetter(models.Model):
    """A message or reading the ingest refused, with why: every message is accounted for."""

    received_at = models.DateTimeField(_("接收时间"))
    source = models.CharField(_("来源"), max_length=200)  # the MQTT topic, or "http"
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monitoring_dead_letters",
        verbose_name=_("企业"),
    )
    reason = models.CharField(_("拒收原因"), max_length=24, choices=DeadLetterReason.choices)
    payload = models.TextField(_("原始报文"), blank=True)
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    scope_rule = ByEnterprise(enterprise="enterprise")

    class Meta:
        verbose_name = _("拒收数据")
        verbose_name_plural = _("拒收数据")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "received_at"], name="mon_dead_ent_received_idx"),
            models.Index(fields=["received_at"], name="mon_dead_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.source}"


class PublisherSequence(models.Model):
    """What a numbered publisher sent against what arrived, so loss is counted rather than assumed.

    Each ingest process adds the messages it received and widens [first_seq, last_seq]; the gap is the
    span less what arrived. This adds up across processes sharing one subscription (each sees only part
    of a publisher's numbers). A publisher that restarts its numbering uses a new publisher id.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="monitoring_publishers",
        verbose_name=_("企业"),
    )
    publisher = models.CharField(_("发布端"), max_length=100)
    first_seq = models.BigIntegerField(_("首个序号"))
    last_seq = models.BigIntegerField(_("最新序号"))
    messages = models.BigIntegerField(_("收到报文数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"))

    scope_rule = ByEnterprise(enterprise="enterprise")

    class Meta:
        verbose_name = _("发布端序号")
        verbose_name_plural = _("发布端序号")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "publisher"], name="mon_publisher_per_enterprise")
        ]

    @property
    def gaps(self) -> int:
        """Messages numbered but not received (never negative: a redelivery counted twice is not a gain)."""
        return max(0, self.last_seq - self.first_seq + 1 - self.messages)
