from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "safegrid.jobs"
    label = "jobs"
    verbose_name = "SafeGrid background jobs"

    def ready(self) -> None:
        # Every app's `jobs.py` (job functions) and `schedules.py` (cron schedules) register themselves,
        # so a worker process knows every kind before it runs its first task.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs", "schedules")
