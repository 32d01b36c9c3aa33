from .latest import LatestValue
from .points import MonitoringPoint

__all__ = ["LatestValue", "MonitoringPoint"]
