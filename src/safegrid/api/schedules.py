"""Schedules of the API base (autodiscovered by safegrid.jobs)."""

from django.utils.translation import gettext_noop

from safegrid.jobs import schedule

schedule(
    "api.idempotency_purge",
    cron="20 3 * * *",  # every day at 03:20 county time
    job_kind="api.idempotency_purge",
    title=gettext_noop("清理过期的幂等键"),
)
