from .alarms import Alarm, AlarmComment, AlarmCount, AlarmTransition, BypassTransition, PointBypass
from .latest import LatestValue
from .points import MonitoringPoint
from .readings import DeadLetter, DeadLetterReason, PublisherSequence, Reading, ReadingRollup, RollupPeriod

__all__ = [
    "Alarm",
    "AlarmComment",
    "AlarmCount",
    "AlarmTransition",
    "BypassTransition",
    "DeadLetter",
    "DeadLetterReason",
    "LatestValue",
    "MonitoringPoint",
    "PointBypass",
    "PublisherSequence",
    "Reading",
    "ReadingRollup",
    "RollupPeriod",
]
