"""Background jobs of the major-hazards app (registered with safegrid.jobs; autodiscovered)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from safegrid.jobs import JobContext, job

from .services import lifecycle
from .services import work as work_services


@job("majorhazards.lifecycle_watch")
def lifecycle_watch(ctx: JobContext, *, today: str = "") -> dict[str, Any]:
    """Re-assessment reminders (90/30/0 days), late filings, overdue drills and tests, each sent once
    (`services.lifecycle.lifecycle_watch`). `today` (ISO date) pins the county day for a re-run."""
    ctx.progress(0, 1, "正在检查重大危险源备案、评估、演练和检测期限…")
    day = dt.date.fromisoformat(today) if today else None
    result = lifecycle.lifecycle_watch(today=day, actor=ctx.actor)
    ctx.progress(1, 1, "检查完成")
    return {**result.as_dict(), "url": reverse("majorhazards:lifecycle_due"), "url_label": "查看到期事项"}


# ---- work: the daily commitment's missing list -------------------------------------------------------------


@job("majorhazards.commitment_watch")
def commitment_watch(ctx: JobContext) -> dict[str, Any]:
    """After the commitment deadline: tell the enterprises that have not posted today (once a day) and
    their regulators; the regulator's day page lists them (see `services.work.commitment_watch`)."""
    ctx.progress(0, 1, "正在检查今日安全承诺公告…")
    result = work_services.commitment_watch(actor=ctx.actor)
    ctx.progress(1, 1, "检查完成")
    return {**result.as_dict(), "url": reverse("majorhazards:commitments"), "url_label": "查看安全承诺公告"}
