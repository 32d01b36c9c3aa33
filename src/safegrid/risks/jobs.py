"""The risks app's background jobs (autodiscovered by safegrid.jobs, so every worker knows them)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from safegrid.jobs import JobContext, JobFailed, job

from .models.filing import RiskRegisterFiling
from .services import regional, register_import
from .services.filing import filing_book_render


@job("risks.render_filing_book")
def render_filing_book(ctx: JobContext, *, filing_id: int, status: str) -> dict[str, Any]:
    """Render one version of the 一企一册 PDF book (seconds of CPU) for the status it was queued for."""
    if not RiskRegisterFiling.objects.filter(pk=filing_id).exists():
        raise JobFailed("该版一企一册已不存在，无需生成册子")
    ctx.progress(0, 1, "正在生成册子 PDF")
    name = filing_book_render(actor=ctx.actor, filing_id=filing_id, status=status, job_id=ctx.job_id)
    ctx.progress(1, 1, "册子已生成" if name else "已有更新的生成任务，本次结果未采用")
    return {
        "summary": "册子已生成" if name else "已由更新的任务生成",
        "url": reverse("risks:filing_pdf", args=[filing_id]),
        "url_label": "下载 PDF",
        "file": name,
    }


@job(register_import.PREVIEW_JOB)
def preview_register(ctx: JobContext, *, upload_id: int, retire_missing: bool = False) -> dict[str, Any]:
    """Check one uploaded risk register workbook and keep what importing it would change (no writes)."""
    return register_import.register_preview_run(
        ctx, upload_id, retire_missing=retire_missing, job_id=ctx.job_id
    )


@job(register_import.JOB_KIND)
def import_register(ctx: JobContext, *, upload_id: int) -> dict[str, Any]:
    """Write one confirmed risk register import (see `services.register_import`)."""
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


@job("risks.regional_review_reminders")
def regional_review_reminders(ctx: JobContext) -> dict[str, Any]:
    """Remind the county and the town of red/orange regions whose review is due (once per threshold)."""
    ctx.progress(0, 1, "正在检查区域风险复核日期…")
    sent = regional.regional_review_reminders_send(day=timezone.localdate())
    ctx.progress(1, 1, "检查完成")
    return {
        "sent": {str(days): n for days, n in sent.items()},
        "summary": f"区域风险复核提醒：提前 14 天 {sent.get(14, 0)} 条，到期 {sent.get(0, 0)} 条",
        "url": reverse("risks:regional_list") + "?view=alert",
        "url_label": "查看预警清单",
    }
