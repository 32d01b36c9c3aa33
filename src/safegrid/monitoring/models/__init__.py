from .latest import LatestValue
from .points import MonitoringPoint
from .readings import DeadLetter, DeadLetterReason, PublisherSequence, Reading, ReadingRollup, RollupPeriod

__all__ = [
    "DeadLetter",
    "DeadLetterReason",
    "LatestValue",
    "MonitoringPoint",
    "PublisherSequence",
    "Reading",
    "ReadingRollup",
    "RollupPeriod",
]
