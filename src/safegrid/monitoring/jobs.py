"""Background jobs of the monitoring app (registered with safegrid.jobs; autodiscovered), by area."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from safegrid.jobs import JobContext, job

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
