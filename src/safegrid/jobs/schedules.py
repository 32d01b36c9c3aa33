"""Schedules of the platform's core (autodiscovered by safegrid.jobs)."""

from django.conf import settings
from django.utils.translation import gettext_noop

from .registry import schedule

schedule(
    "core.audit_anchor",
    cron=settings.SAFEGRID_AUDIT_ANCHOR_CRON,  # hourly at :07 by default
    job_kind="core.audit_anchor",
    title=gettext_noop("写入审计链锚点"),
)
