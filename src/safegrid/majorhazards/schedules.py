"""Schedules of the major-hazards app (autodiscovered by safegrid.jobs)."""

from django.utils.translation import gettext_noop

from safegrid.jobs import schedule

schedule(
    "majorhazards.lifecycle_watch",
    cron="50 6 * * *",  # daily 06:50 county time, after the hazards deadline scan, before the working day
    job_kind="majorhazards.lifecycle_watch",
    title=gettext_noop("重大危险源备案、重新评估、演练和检测到期提醒"),
)
