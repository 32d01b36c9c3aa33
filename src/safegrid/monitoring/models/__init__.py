from .alarms import Alarm, AlarmComment, AlarmCount, AlarmTransition, BypassTransition, PointBypass
from .latest import LatestValue
from .points import MonitoringPoint

__all__ = [
    "Alarm",
    "AlarmComment",
    "AlarmCount",
    "AlarmTransition",
    "BypassTransition",
    "LatestValue",
    "MonitoringPoint",
    "PointBypass",
]
