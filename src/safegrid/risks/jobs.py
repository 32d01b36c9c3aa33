"""The risks app's background jobs (autodiscovered by safegrid.jobs, so every worker knows them)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from safegrid.jobs import JobContext, JobFailed, job

from .models.filing import RiskRegisterFiling
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
