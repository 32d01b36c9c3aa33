from .alarms import Alarm, AlarmComment, AlarmCount, AlarmTransition, BypassTransition, PointBypass
from .deactivations import DeactivationStatus, PointDeactivation, PointDeactivationTransition
from .events import EventSource, SourceEvent, ZonePresence
from .latest import LatestValue
from .limits import LimitChange, LimitChangeKind, LimitChangeStatus, LimitChangeTransition
from .points import MonitoringPoint
from .readings import DeadLetter, DeadLetterReason, PublisherSequence, Reading, ReadingRollup, RollupPeriod
from .risk_index import EnterpriseRiskIndex, RiskIndexColour  # noqa: F401 - dynamic risk index

__all__ = [
    "Alarm",
    "AlarmComment",
    "AlarmCount",
    "AlarmTransition",
    "BypassTransition",
    "DeadLetter",
    "DeadLetterReason",
    "DeactivationStatus",
    "EventSource",
    "LatestValue",
    "LimitChange",
    "LimitChangeKind",
    "LimitChangeStatus",
    "LimitChangeTransition",
    "MonitoringPoint",
    "PointBypass",
    "PointDeactivation",
    "PointDeactivationTransition",
    "PublisherSequence",
    "Reading",
    "ReadingRollup",
    "RollupPeriod",
    "SourceEvent",
    "ZonePresence",
]
