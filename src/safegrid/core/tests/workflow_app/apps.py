from django.apps import AppConfig


class WorkflowAppConfig(AppConfig):
    """A test-only app (installed by the test profile) with a small model that the workflow kit moves."""

    name = "safegrid.core.tests.workflow_app"
    label = "workflow_app"
