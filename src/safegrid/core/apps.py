from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safegrid.core"
    label = "core"
