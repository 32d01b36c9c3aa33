from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safegrid.core"
    label = "core"
    verbose_name = "SafeGrid core"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401
