"""Background jobs of the risks app (registered with safegrid.jobs; autodiscovered)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from safegrid.jobs import JobContext, JobFailed, job

from .services import regional, register_import


@job(register_import.JOB_KIND)
def import_register(ctx: JobContext, *, upload_id: int) -> dict[str, Any]:
    """Import one uploaded risk register workbook (see `services.register_import`)."""
    return register_import.register_import_run(ctx, upload_id)


# ---------------------------------------------------------------------------------------------
# Regional risk: the yearly proposal for every town and village, kept current (risks/schedules.py).


@job("risks.regional_propose")
def regional_propose(ctx: JobContext, *, year: int = 0) -> dict[str, Any]:
    """Propose the regional risk level of every town and village for `year` (default: this year)
    through `services.regional.regional_propose`; levels a person decided keep their final level."""
    year = year or timezone.localdate().year
    ctx.progress(0, 1, "正在计算区域风险建议…")
    try:
        result = regional.regional_propose(actor=ctx.actor, year=year)
    except ValidationError as exc:
        raise JobFailed("；".join(exc.messages)) from exc
    ctx.progress(1, 1, "计算完成")
    return {
        "year": result.year,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "by_level": {str(level): n for level, n in result.by_level.items()},
        "summary": f"{result.year} 年度区域风险建议：新建 {result.created}，更新 {result.updated}，"
        f"未变 {result.unchanged}",
        "url": reverse("risks:regional_list"),
        "url_label": "查看区域风险",
    }
