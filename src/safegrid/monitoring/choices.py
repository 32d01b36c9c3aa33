from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules.points import PointKind


class PointKindChoices(models.TextChoices):
    LEVEL = PointKind.LEVEL, _("液位")
    TEMPERATURE = PointKind.TEMPERATURE, _("温度")
    PRESSURE = PointKind.PRESSURE, _("压力")
    GAS_COMBUSTIBLE = PointKind.GAS_COMBUSTIBLE, _("可燃气体")
    GAS_TOXIC = PointKind.GAS_TOXIC, _("有毒气体")
    OXYGEN = PointKind.OXYGEN, _("氧含量")
    FLOW = PointKind.FLOW, _("流量")
    INTERLOCK = PointKind.INTERLOCK, _("联锁状态")
    OTHER = PointKind.OTHER, _("其他")
