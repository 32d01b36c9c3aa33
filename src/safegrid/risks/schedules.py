"""Schedules of the risks app (autodiscovered by safegrid.jobs)."""

from django.utils.translation import gettext_noop

from safegrid.jobs import schedule

# The proposal is per year; recomputing it monthly keeps the current year's proposal in step with the
# registers (the 1st of January starts the new year's). Levels a person decided are kept.
schedule(
    "risks.regional_propose",
    cron="30 2 1 * *",  # the 1st of every month at 02:30 county time
    job_kind="risks.regional_propose",
    title=gettext_noop("区域风险建议（本年度）"),
)

# Red and orange regions are reviewed quarterly: tell the county and the town 14 days before, and when due.
schedule(
    "risks.regional_review_reminders",
    cron="40 6 * * *",  # daily at 06:40 county time
    job_kind="risks.regional_review_reminders",
    title=gettext_noop("区域风险复核提醒"),
)
