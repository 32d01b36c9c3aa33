"""Background jobs of the API base (registered with safegrid.jobs; autodiscovered)."""

from __future__ import annotations

from typing import Any

from safegrid.jobs import JobContext, job

from . import idempotency


@job("api.idempotency_purge")
def idempotency_purge(ctx: JobContext) -> dict[str, Any]:
    """Delete the Idempotency-Key records whose retention has ended."""
    deleted = idempotency.purge_expired()
    ctx.progress(1, 1, "清理完成")
    return {"deleted": deleted, "summary": f"清理过期的幂等键 {deleted} 条"}
