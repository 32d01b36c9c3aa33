"""Background jobs and schedules on Django's Tasks API (see docs/architecture.md).

App code uses only what this package exports:

    from safegrid import jobs

    @jobs.job("enterprises.import")
    def run(ctx: jobs.JobContext, *, file_id: int) -> dict: ...

    job = jobs.enqueue("enterprises.import", title="导入企业", actor=user, args={"file_id": 1})

Schedules are declared in an app's `schedules.py` with `jobs.schedule(...)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .registry import JobContext, JobFailed, job, schedule

if TYPE_CHECKING:
    from .models import Job


def enqueue(
    kind: str,
    *,
    title: str,
    actor: Any,
    args: dict[str, Any] | None = None,
    enterprise: Any = None,
    max_attempts: int = 3,
) -> Job:
    """Record a Job (status queued) and enqueue its task when the current transaction commits."""
    from .services import job_enqueue

    return job_enqueue(
        kind=kind, title=title, actor=actor, args=args or {}, enterprise=enterprise, max_attempts=max_attempts
    )


__all__ = ["JobContext", "JobFailed", "enqueue", "job", "schedule"]
