"""Schedules of the monitoring app (autodiscovered by safegrid.jobs), by area."""

from django.utils.translation import gettext_noop

from safegrid.jobs import schedule

# limits
schedule(
    "monitoring.limits_watch",
    cron="*/5 * * * *",  # every 5 minutes: a temporary limit ends within 5 minutes of its expiry
    job_kind="monitoring.limits_watch",
    title=gettext_noop("监测限值变更生效与到期恢复"),
)
