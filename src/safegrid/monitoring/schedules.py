"""Schedules of the monitoring app (autodiscovered by safegrid.jobs)."""

from django.utils.translation import gettext_noop

from safegrid.jobs import schedule

# alarms
schedule(
    "monitoring.alarm_watch",
    cron="* * * * *",  # every minute: offline timeouts are minutes, the escalation ladder counts minutes
    job_kind="monitoring.alarm_watch",
    title=gettext_noop("监测报警离线检查、逐级推送和旁路到期"),
)
