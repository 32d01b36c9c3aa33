from .latest import LatestValue
from .limits import LimitChange, LimitChangeKind, LimitChangeStatus, LimitChangeTransition
from .points import MonitoringPoint

__all__ = [
    "LatestValue",
    "LimitChange",
    "LimitChangeKind",
    "LimitChangeStatus",
    "LimitChangeTransition",
    "MonitoringPoint",
]
