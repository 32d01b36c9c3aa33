"""Test helpers: run queued jobs in the test process, the way a worker would (claim, heartbeat, run).

In a test wrapped in a transaction the on-commit send never happens, so the Job rows stay queued;
`run_queued()` executes them through the worker's own `runner.execute`. Tests that must prove the
real path start `safegrid worker` subprocesses instead (see tests/test_worker_processes.py).
"""

from __future__ import annotations

from .choices import JobStatus
from .models import Job
from .runner import execute


def run_queued(*kinds: str) -> list[str | None]:
    """Run every queued job (of `kinds`, if given) once, oldest first; their new statuses."""
    queued = Job.objects.filter(status=JobStatus.QUEUED).order_by("id")
    if kinds:
        queued = queued.filter(kind__in=kinds)
    return [execute(str(uuid)) for uuid in queued.values_list("uuid", flat=True)]
