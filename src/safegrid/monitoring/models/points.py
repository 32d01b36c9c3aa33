"""Monitoring points (监测点位): what a sensor measures, where, and the limits its readings are held to.

The limits (LL/L/H/HH, rate of change, deadband) are the enterprise's process control limits, with their
version and source; they are `workflow_fields`, so only the approved limit-change service writes them (every
change needs an approver and is audited: falsifying monitoring data is a crime, 刑法 art. 134-1).
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise

from ..choices import PointKindChoices
from ..rules.points import Limits

LIMIT_FIELDS = ("ll", "l", "h", "hh", "rate_limit", "deadband", "limits_version", "limits_source")


class MonitoringPoint(models.Model):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="monitoring_points",
        verbose_name=_("企业"),
    )
    unit = models.ForeignKey(
        "majorhazards.HazardUnit",
        on_delete=models.PROTECT,
        related_name="monitoring_points",
        null=True,
        blank=True,
        verbose_name=_("重大危险源单元"),
    )
    # The risk analysis unit where the sensor sits: a shutdown (停用检修) of it pauses the point's alarms.
    risk_point = models.ForeignKey(
        "risks.RiskPoint",
        on_delete=models.PROTECT,
        related_name="monitoring_points",
        null=True,
        blank=True,
        verbose_name=_("风险分析单元"),
    )
    # The stable code a gateway sends in its payload ({"point": "<code>", …}); unique in the enterprise.
    code = models.CharField(_("点位编码"), max_length=64)
    name = models.CharField(_("点位名称"), max_length=100)
    kind = models.CharField(_("监测类型"), max_length=24, choices=PointKindChoices.choices)
    measure_unit = models.CharField(_("计量单位"), max_length=16, blank=True)
    location = models.CharField(_("安装位置"), max_length=200, blank=True)
    ll = models.FloatField(_("低低限 LL"), null=True, blank=True)
    l = models.FloatField(_("低限 L"), null=True, blank=True)  # noqa: E741 - the standard's name
    h = models.FloatField(_("高限 H"), null=True, blank=True)
    hh = models.FloatField(_("高高限 HH"), null=True, blank=True)
    rate_limit = models.FloatField(
        _("变化速率限值（每分钟）"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    deadband = models.FloatField(_("死区"), default=0, validators=[MinValueValidator(0)])
    limits_version = models.CharField(_("限值版本"), max_length=40, blank=True)
    limits_source = models.CharField(_("限值来源"), max_length=200, blank=True)
    oel_ppm = models.FloatField(
        _("职业接触限值（ppm）"), null=True, blank=True, validators=[MinValueValidator(0)]
    )  # toxic gas detectors: their default limits are multiples of it
    expected_interval_s = models.PositiveIntegerField(_("上报周期（秒）"), default=10)
    offline_timeout_s = models.PositiveIntegerField(_("离线判定（秒）"), default=300)
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ByEnterprise(enterprise="enterprise")
    # `active` too: taking a point out of use is an approved deactivation (services/deactivations.py)
    workflow_fields = (*LIMIT_FIELDS, "active")

    class Meta:
        verbose_name = _("监测点位")
        verbose_name_plural = _("监测点位")
        ordering = ["enterprise_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "code"], name="mon_point_code_per_enterprise"),
            models.CheckConstraint(
                condition=Q(ll__isnull=True) | Q(l__isnull=True) | Q(ll__lt=models.F("l")),
                name="mon_point_ll_below_l",
            ),
            models.CheckConstraint(
                condition=Q(h__isnull=True) | Q(hh__isnull=True) | Q(h__lt=models.F("hh")),
                name="mon_point_h_below_hh",
            ),
            models.CheckConstraint(
                condition=Q(l__isnull=True) | Q(h__isnull=True) | Q(l__lt=models.F("h")),
                name="mon_point_l_below_h",
            ),
            models.CheckConstraint(
                condition=Q(offline_timeout_s__gt=0) & Q(expected_interval_s__gt=0),
                name="mon_point_intervals_positive",
            ),
        ]
        indexes = [models.Index(fields=["unit"], name="mon_point_unit_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def limits(self) -> Limits:
        return Limits(ll=self.ll, l=self.l, h=self.h, hh=self.hh)
