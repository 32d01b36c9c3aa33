"""Scheduled work of the platform's core (core sits below jobs and cannot declare jobs itself)."""

from __future__ import annotations

from typing import Any

from safegrid.core import audit_anchor

from .registry import JobContext, JobFailed, job


@job("core.audit_anchor")
def audit_anchor_write(ctx: JobContext) -> dict[str, Any]:
    """Append the audit chain's head to the anchor file outside the database (core/audit_anchor.py)."""
    try:
        anchor = audit_anchor.write()
    except audit_anchor.AnchorError as exc:
        # Nothing was written: the chain no longer extends the last anchor (or the file was altered).
        raise JobFailed(f"审计链锚点未写入：{exc}")
    ctx.progress(1, 1, "锚点已写入")
    return {
        "summary": f"审计链锚点：{anchor.count} 条，末条 #{anchor.last_id}",
        "count": anchor.count,
        "last_id": anchor.last_id,
        "hash": anchor.hash,
    }
