"""Schedules of the monitoring app (autodiscovered by safegrid.jobs), by area."""

from django.utils.translation import gettext_noop

from safegrid.jobs import schedule

# ingest

schedule(
    "monitoring.rollup",
    cron="*/5 * * * *",  # every 5 minutes; each run re-sums the last 15 (late readings still counted)
    job_kind="monitoring.rollup",
    title=gettext_noop("监测数据分钟、小时汇总"),
)
schedule(
    "monitoring.readings_maintain",
    cron="20 1 * * *",  # daily 01:20 county time: partitions ahead, expired readings, events, dead letters purged
    job_kind="monitoring.readings_maintain",
    title=gettext_noop("监测数据分区维护与过期清理"),
)

# alarms
schedule(
    "monitoring.alarm_watch",
    cron="* * * * *",  # every minute: offline timeouts are minutes, the escalation ladder counts minutes
    job_kind="monitoring.alarm_watch",
    title=gettext_noop("监测报警离线检查、逐级推送和旁路到期"),
)

# limits
schedule(
    "monitoring.limits_watch",
    cron="*/5 * * * *",  # every 5 minutes: a temporary limit ends within 5 minutes of its expiry
    job_kind="monitoring.limits_watch",
    title=gettext_noop("监测限值变更生效与到期恢复"),
)

# risk index
schedule(
    "monitoring.risk_index",
    cron="*/5 * * * *",  # every 5 minutes: the index follows new alarms and hazards within 5 minutes
    job_kind="monitoring.risk_index",
    title=gettext_noop("企业动态风险指数计算"),
)
