from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MajorHazardsConfig(AppConfig):
    name = "safegrid.majorhazards"
    label = "majorhazards"
    verbose_name = _("重大危险源")

    def ready(self) -> None:
        # work: today's high-risk works on the risk map (risks cannot import majorhazards)
        from .views import work

        work.register_map_layer()
