"""Background jobs of the major-hazard-sources app (registered with safegrid.jobs; autodiscovered)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from safegrid.jobs import JobContext, job

# ---- work: the daily commitment's missing list -------------------------------------------------------------
from .services import work as work_services


@job("majorhazards.commitment_watch")
def commitment_watch(ctx: JobContext) -> dict[str, Any]:
    """After the commitment deadline: tell the enterprises that have not posted today (once a day) and
    their regulators; the regulator's day page lists them (see `services.work.commitment_watch`)."""
    ctx.progress(0, 1, "正在检查今日安全承诺公告…")
    result = work_services.commitment_watch(actor=ctx.actor)
    ctx.progress(1, 1, "检查完成")
    return {**result.as_dict(), "url": reverse("majorhazards:commitments"), "url_label": "查看安全承诺公告"}
