from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "safegrid.risks"
    label = "risks"
    verbose_name = "风险分级管控"

    def ready(self) -> None:
        from .services import revision

        revision.connect()
