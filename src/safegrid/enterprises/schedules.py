"""Schedules of the enterprises app (autodiscovered by safegrid.jobs)."""

from django.utils.translation import gettext_noop

from safegrid.jobs import schedule

schedule(
    "enterprises.certificate_expiry_scan",
    cron="0 6 * * *",  # every day at 06:00 county time, before the working day
    job_kind="enterprises.certificate_expiry_scan",
    title=gettext_noop("证照到期检查"),
)
