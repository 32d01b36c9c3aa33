"""Background jobs of the major-hazards app (registered with safegrid.jobs; autodiscovered)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from safegrid.jobs import JobContext, job

from .services import lifecycle


@job("majorhazards.lifecycle_watch")
def lifecycle_watch(ctx: JobContext, *, today: str = "") -> dict[str, Any]:
    """Re-assessment reminders (90/30/0 days), late filings, overdue drills and tests, each sent once
    (`services.lifecycle.lifecycle_watch`). `today` (ISO date) pins the county day for a re-run."""
    ctx.progress(0, 1, "正在检查重大危险源备案、评估、演练和检测期限…")
    day = dt.date.fromisoformat(today) if today else None
    result = lifecycle.lifecycle_watch(today=day, actor=ctx.actor)
    ctx.progress(1, 1, "检查完成")
    return {**result.as_dict(), "url": reverse("majorhazards:lifecycle_due"), "url_label": "查看到期事项"}
