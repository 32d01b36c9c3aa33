from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MajorHazardsConfig(AppConfig):
    name = "safegrid.majorhazards"
    label = "majorhazards"
    verbose_name = _("重大危险源")

    def ready(self) -> None:
        from safegrid.risks import map_layers

        from .views import sources

        # sources: the major hazard sources on the risk map, coloured by grade (risks cannot import this app).
        map_layers.register(
            map_layers.MapLayer(
                key="major-hazard-sources",
                label=_("重大危险源"),
                url_name="majorhazards:map_sources",
                colour="#d63939",
                symbol="diamond",
                order=20,
                visible=sources.map_visible,
            )
        )
        # work: today's high-risk works on the risk map (risks cannot import majorhazards)
        from .views import work

        work.register_map_layer()
