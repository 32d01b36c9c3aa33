from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "safegrid.enterprises"
    label = "enterprises"

    def ready(self) -> None:
        from safegrid.regions import occupants

        from . import selectors

        occupants.register_enterprises(selectors.enterprise_list)
