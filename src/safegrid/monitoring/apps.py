from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "safegrid.monitoring"
    label = "monitoring"
    verbose_name = _("在线监测预警")

    def ready(self) -> None:
        from . import alarm_engine
        from .ingest import sinks

        sinks.register(alarm_engine.sink, flush=alarm_engine.flush)

        from .views.risk_index import register_map_layer

        register_map_layer()  # the 动态风险指数 layer of the risk map (risks cannot import monitoring)
