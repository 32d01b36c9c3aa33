"""Background jobs of the hazards app (registered with safegrid.jobs; autodiscovered)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from safegrid.jobs import JobContext, job

from . import deadline_watch


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
