from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "safegrid.regions"
    label = "regions"
