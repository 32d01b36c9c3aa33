"""Background jobs of the monitoring app (registered with safegrid.jobs; autodiscovered), by area."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from safegrid.jobs import JobContext, job

from .services import alarms as alarm_services
from .services import events as event_services
from .services import storage

# ingest


@job("monitoring.rollup")
def rollup(ctx: JobContext) -> dict[str, Any]:
    """1-minute and 1-hour rollups of the recent readings (trend charts read them)."""
    return storage.rollups_compute(actor=ctx.actor).as_dict()


@job("monitoring.readings_maintain")
def readings_maintain(ctx: JobContext) -> dict[str, Any]:
    """Reading partitions a week ahead; raw readings past retention dropped; old rollups deleted; stored events
    and dead letters past their retention deleted (`storage.records_purge`)."""
    return storage.readings_maintain(actor=ctx.actor).as_dict()


# alarms


@job("monitoring.alarm_watch")
def alarm_watch(ctx: JobContext) -> dict[str, Any]:
    """Each minute: offline alarms raised and cleared, unacknowledged alarms pushed up the ladder and
    reminded, bypasses past their end expired."""
    ctx.progress(0, 3, "正在检查离线点位…")
    offline = alarm_services.offline_scan()
    ctx.progress(1, 3, "正在推送未确认的报警…")
    escalation = alarm_services.escalation_scan(actor=ctx.actor)
    ctx.progress(2, 3, "正在检查到期的旁路…")
    expired = alarm_services.bypass_expire(actor=ctx.actor)
    # overstay and motionless alarms that time alone made due (video and positioning events)
    event_moves = event_services.events_tick()
    ctx.progress(3, 3, "检查完成")
    offline.escalated, offline.reminded, offline.expired = escalation.escalated, escalation.reminded, expired
    return {
        **offline.as_dict(),
        "event_alarms": event_moves,
        "url": reverse("monitoring:alarms"),
        "url_label": "查看报警",
    }


# limits


@job("monitoring.limits_watch")
def limits_watch(ctx: JobContext) -> dict[str, Any]:
    """Approved limit changes whose start has come take effect; temporary ones whose end has passed expire
    and the limits in force before them come back (`services.limits.limits_watch`)."""
    from .services import limits

    ctx.progress(0, 1, "正在检查限值变更的生效和到期…")
    counts = limits.limits_watch(actor=ctx.actor)
    ctx.progress(1, 1, "检查完成")
    return {
        **counts,
        "summary": f"生效 {counts['applied']} 项，到期恢复 {counts['expired']} 项",
        "url": reverse("monitoring:limit_changes"),
        "url_label": "查看限值变更",
    }


@job("monitoring.import_points")
def import_points(ctx: JobContext, *, upload_id: int) -> dict[str, Any]:
    """An Excel file of points with their limits (services/points_import.py)."""
    from .services import points_import

    return points_import.run_upload(ctx, upload_id)


# risk index


@job("monitoring.risk_index")
def risk_index(ctx: JobContext) -> dict[str, Any]:
    """Every enterprise's dynamic risk index recomputed (a few grouped queries and one bulk upsert)."""
    from .services.risk_index import risk_index_recompute

    ctx.progress(0, 1, "正在计算企业动态风险指数…")
    result = risk_index_recompute(actor=ctx.actor).as_dict()
    ctx.progress(1, 1, "计算完成")
    return {**result, "url": reverse("monitoring:risk_index"), "url_label": "查看动态风险指数"}
