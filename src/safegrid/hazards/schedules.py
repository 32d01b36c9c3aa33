"""Schedules of the hazards app (autodiscovered by safegrid.jobs)."""

from django.utils.translation import gettext_noop

from safegrid.jobs import schedule

schedule(
    "hazards.deadline_scan",
    cron="30 6 * * *",  # every day at 06:30 county time: reminders and escalations before the working day
    job_kind="hazards.deadline_scan",
    title=gettext_noop("隐患整改期限检查与逾期升级"),
)

schedule(
    "hazards.inspection_generate",
    cron="5 0 * * *",  # just after midnight county time: the day's occurrences before the first window
    job_kind="hazards.inspection_generate",
    title=gettext_noop("生成当日排查任务"),
)

schedule(
    "hazards.inspection_missed",
    cron="10 * * * *",  # hourly: an hourly patrol's missed window shows within the hour
    job_kind="hazards.inspection_missed",
    title=gettext_noop("标记漏检的排查任务"),
)

schedule(
    "hazards.self_report_watch",
    cron="0 7 * * *",  # daily 07:00 county time: reminders before the due date, missing reports after it
    job_kind="hazards.self_report_watch",
    title=gettext_noop("自查自报报送提醒与逾期未报"),
)
