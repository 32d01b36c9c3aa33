from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "safegrid.hazards"
    label = "hazards"
    verbose_name = _("隐患排查治理")

    def ready(self) -> None:
        from . import map_layer

        map_layer.register()  # the open major hazards on the risk map (risks cannot import hazards)
