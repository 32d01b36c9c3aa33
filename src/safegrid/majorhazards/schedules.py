"""Schedules of the major-hazards app (autodiscovered by safegrid.jobs)."""

from django.utils.translation import gettext_noop

from safegrid.jobs import schedule

from . import work_config

schedule(
    "majorhazards.lifecycle_watch",
    cron="50 6 * * *",  # daily 06:50 county time, after the hazards deadline scan, before the working day
    job_kind="majorhazards.lifecycle_watch",
    title=gettext_noop("重大危险源备案、重新评估、演练和检测到期提醒"),
)

# ---- work ------------------------------------------------------------------------------------------------

_deadline = work_config.commitment_deadline()
_after = (_deadline.hour * 60 + _deadline.minute + 5) % (24 * 60)

schedule(
    "majorhazards.commitment_watch",
    # daily, 5 minutes after the county's commitment deadline (SAFEGRID_SPECIAL_WORK, default 10:00)
    cron=f"{_after % 60} {_after // 60} * * *",
    job_kind="majorhazards.commitment_watch",
    title=gettext_noop("安全承诺公告逾期未发布提醒"),
)
