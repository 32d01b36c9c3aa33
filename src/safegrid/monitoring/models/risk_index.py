"""Each enterprise's latest dynamic risk index (动态风险指数) with every term, so a value is explained line
by line; recomputed for the whole county by `services.risk_index.risk_index_recompute` (schedule every
5 minutes). The formula and its configuration: `rules.risk_index`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise


class RiskIndexColour(models.TextChoices):
    RED = "red", _("红色（高）")
    ORANGE = "orange", _("橙色（较高）")
    YELLOW = "yellow", _("黄色（一般）")
    BLUE = "blue", _("蓝色（低）")


class EnterpriseRiskIndex(models.Model):
    enterprise = models.OneToOneField(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("企业"),
    )
    division_code = models.CharField(_("区划代码"), max_length=12)
    value = models.PositiveSmallIntegerField(_("动态风险指数"))
    colour = models.CharField(_("预警颜色"), max_length=8, choices=RiskIndexColour.choices)
    version = models.CharField(_("计算方法"), max_length=40)
    # the inputs
    static_level = models.PositiveSmallIntegerField(_("固有风险等级"), null=True, blank=True)
    open_general = models.PositiveIntegerField(_("未销号一般隐患"), default=0)
    open_major = models.PositiveIntegerField(_("未销号重大隐患"), default=0)
    active_alarms = models.PositiveIntegerField(_("报警中"), default=0)
    unacknowledged_alarms = models.PositiveIntegerField(_("未确认报警"), default=0)
    overdue = models.PositiveIntegerField(_("逾期未整改隐患"), default=0)
    enforcement_cases = models.PositiveIntegerField(_("执法记录"), default=0)
    # the points of each term (after its cap)
    static_points = models.PositiveSmallIntegerField(_("固有风险分"), default=0)
    hazard_points = models.PositiveSmallIntegerField(_("隐患分"), default=0)
    alarm_points = models.PositiveSmallIntegerField(_("报警分"), default=0)
    overdue_points = models.PositiveSmallIntegerField(_("逾期分"), default=0)
    enforcement_points = models.PositiveSmallIntegerField(_("执法分"), default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("企业动态风险指数")
        verbose_name_plural = _("企业动态风险指数")
        ordering = ["-value", "enterprise_id"]
        indexes = [
            models.Index(fields=["-value", "enterprise"], name="mon_riskidx_value_idx"),
            models.Index(
                fields=["division_code"], name="mon_riskidx_div_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.value} {self.colour}"
