"""Schedules of the enterprises app (autodiscovered by safegrid.jobs)."""

from safegrid.jobs import schedule

schedule(
    "enterprises.certificate_expiry_scan",
    cron="0 6 * * *",  # every day at 06:00 county time, before the working day
    job_kind="enterprises.certificate_expiry_scan",
    title="证照到期检查",
)
