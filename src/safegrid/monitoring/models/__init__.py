from .points import MonitoringPoint

__all__ = ["MonitoringPoint"]
