from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safegrid.api"
    label = "api"
