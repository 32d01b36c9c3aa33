from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "safegrid.hazards"
    label = "hazards"
    verbose_name = _("隐患排查治理")

    def ready(self) -> None:
        from safegrid.core import webapp

        from . import map_layer

        map_layer.register()  # the open major hazards on the risk map (risks cannot import hazards)
        # The phone pages that work without signal (the service worker keeps them; core/webapp.py).
        webapp.register(
            pages=[r"^/hazards/checks/$", r"^/hazards/checks/\d+/$", r"^/hazards/report/$"],
            start=[("hazards:my_checks", _("我的检查任务")), ("hazards:report", _("登记隐患"))],
            static=["hazards/check.js"],
        )
