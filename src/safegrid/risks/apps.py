from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "safegrid.risks"
    label = "risks"
