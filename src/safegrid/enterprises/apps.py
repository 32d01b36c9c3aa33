from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "safegrid.enterprises"
    label = "enterprises"
