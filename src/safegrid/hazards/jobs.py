"""Background jobs of the hazards app (registered with safegrid.jobs; autodiscovered)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from safegrid.jobs import JobContext, job

from . import deadline_watch, inspections, selfreport_watch
from .national import export_job


@job("hazards.deadline_scan")
def deadline_scan(ctx: JobContext, *, today: str = "") -> dict[str, Any]:
    """Deadline reminders and step-by-step escalation of overdue hazards (see `deadline_watch`).

    `today` (ISO date) pins the county day for a re-run; by default the county's current date. A second
    run the same day sends nothing new.
    """
    ctx.progress(0, 1, "正在检查隐患整改期限…")
    day = dt.date.fromisoformat(today) if today else None
    result = deadline_watch.deadline_scan(today=day, actor=ctx.actor)
    ctx.progress(1, 1, "检查完成")
    return {**result.as_dict(), "url": reverse("hazards:overdue"), "url_label": "查看逾期隐患"}


@job("hazards.inspection_generate")
def inspection_generate(ctx: JobContext, *, day: str = "") -> dict[str, Any]:
    """Today's inspection occurrences for every active task (`day` ISO date pins the county day)."""
    ctx.progress(0, 1, "正在生成排查任务…")
    result = inspections.occurrences_generate(
        day=dt.date.fromisoformat(day) if day else timezone.localdate(), actor=ctx.actor
    )
    ctx.progress(1, 1, "生成完成")
    return {**result.as_dict(), "url": reverse("hazards:my_checks"), "url_label": "查看排查任务"}


@job("hazards.inspection_missed")
def inspection_missed(ctx: JobContext) -> dict[str, Any]:
    """Due occurrences past their window and grace become missed."""
    count = inspections.occurrences_mark_missed(actor=ctx.actor)
    return {"missed": count, "summary": f"标记漏检 {count} 个"}


@job("hazards.self_report_watch")
def self_report_watch(ctx: JobContext, *, today: str = "") -> dict[str, Any]:
    """Self-report reminders before the due date and the missing markers after it (`selfreport_watch`).

    `today` (ISO date) pins the county day for a re-run; a second run the same day sends nothing new.
    """
    ctx.progress(0, 1, "正在检查自查自报报送情况…")
    day = dt.date.fromisoformat(today) if today else None
    result = selfreport_watch.self_report_watch(today=day, actor=ctx.actor)
    ctx.progress(1, 1, "检查完成")
    return {**result.as_dict(), "url": reverse("hazards:self_reports_missing"), "url_label": "查看逾期未报"}


@job(export_job.JOB_KIND)
def national_export(ctx: JobContext, *, enterprise_id: int, profile: str, format: str) -> dict[str, Any]:  # noqa: A002
    """An enterprise's data in the national format, as a file to download (`national.export_job`)."""
    return export_job.run(ctx, enterprise_id=enterprise_id, profile=profile, format=format)
