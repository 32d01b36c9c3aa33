from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo county generator; an app only for its `safegrid demo` and `demo_logins` commands."""

    name = "safegrid.demo"
    label = "demo"
    verbose_name = "SafeGrid demo county"
