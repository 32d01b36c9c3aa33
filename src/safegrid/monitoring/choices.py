from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules.alarms import Family, Level, Severity
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
    VIDEO = PointKind.VIDEO, _("视频通道")
    ZONE = PointKind.ZONE, _("人员定位区域")


class AlarmRule(models.TextChoices):
    """rules.alarms.Family with its labels: one active alarm per point and rule."""

    HIGH = Family.HIGH.value, _("高限报警")
    LOW = Family.LOW.value, _("低限报警")
    RATE = Family.RATE.value, _("变化速率报警")
    OFFLINE = Family.OFFLINE.value, _("离线报警")
    VIDEO_OFFLINE = Family.VIDEO_OFFLINE.value, _("视频通道离线")
    OVERCROWD = Family.OVERCROWD.value, _("超员")
    OVERSTAY = Family.OVERSTAY.value, _("超时滞留")
    MOTIONLESS = Family.MOTIONLESS.value, _("人员静止")


class AlarmSeverity(models.TextChoices):
    H = Severity.H.value, _("高报")
    HH = Severity.HH.value, _("高高报")
    L = Severity.L.value, _("低报")
    LL = Severity.LL.value, _("低低报")
    RATE = Severity.RATE.value, _("速率超限")
    OFFLINE = Severity.OFFLINE.value, _("离线")


class AlarmStatus(models.TextChoices):
    """Active/cleared × acknowledged/unacknowledged, then closed (消警) once disposed of and cleared."""

    ACTIVE_UNACK = "active_unack", _("报警中·未确认")
    ACTIVE_ACK = "active_ack", _("报警中·已确认")
    CLEARED_UNACK = "cleared_unack", _("已恢复·未确认")
    CLEARED_ACK = "cleared_ack", _("已恢复·已确认")
    CLOSED = "closed", _("已消警")


ACTIVE_STATUSES = (AlarmStatus.ACTIVE_UNACK, AlarmStatus.ACTIVE_ACK)
UNACK_STATUSES = (AlarmStatus.ACTIVE_UNACK, AlarmStatus.CLEARED_UNACK)
OPEN_STATUSES = (*ACTIVE_STATUSES, AlarmStatus.CLEARED_UNACK, AlarmStatus.CLEARED_ACK)


class DisposalCause(models.TextChoices):
    """The cause a 消警 needs (REFERENCE §6)."""

    REAL = "real", _("真实超限")
    INSTRUMENT = "instrument", _("仪表故障")
    MAINTENANCE = "maintenance", _("检维修")
    FALSE_ALARM = "false_alarm", _("误报")
    COMMUNICATION = "communication", _("通讯中断")


class EscalationLevel(models.IntegerChoices):
    ENTERPRISE = Level.ENTERPRISE.value, _("企业")
    TOWN = Level.TOWN.value, _("镇街")
    COUNTY = Level.COUNTY.value, _("县级")


class BypassStatus(models.TextChoices):
    REQUESTED = "requested", _("待批准")
    APPROVED = "approved", _("生效中")
    REJECTED = "rejected", _("已驳回")
    EXPIRED = "expired", _("已到期")
    REVOKED = "revoked", _("已撤销")
