"""Schedules of the hazards app (autodiscovered by safegrid.jobs)."""

from django.utils.translation import gettext_noop

from safegrid.jobs import schedule

schedule(
    "hazards.deadline_scan",
    cron="30 6 * * *",  # every day at 06:30 county time: reminders and escalations before the working day
    job_kind="hazards.deadline_scan",
    title=gettext_noop("隐患整改期限检查与逾期升级"),
)
