from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MajorHazardsConfig(AppConfig):
    name = "safegrid.majorhazards"
    label = "majorhazards"
    verbose_name = _("重大危险源")
