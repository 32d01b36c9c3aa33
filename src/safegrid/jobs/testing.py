"""Test helpers of the jobs app.

`run_queued()` runs queued jobs in the test process, the way a worker would (claim, heartbeat, run): in a
test wrapped in a transaction the on-commit send never happens, so the Job rows stay queued; it executes
them through the worker's own `runner.execute`. Tests that must prove the real path start `safegrid
worker` subprocesses instead (see jobs/tests/test_worker_processes.py).

`extend_world()` is the jobs app's part of the test world (see safegrid.testworld): a job started by
town B's officer, walked by the scope walk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from safegrid.core.testing import Leaks

from . import services
from .choices import JobStatus
from .models import Job
from .registry import job_kinds
from .runner import execute

if TYPE_CHECKING:
    from safegrid.testworld import World

JOB_TITLE = "乙镇街证照到期检查任务（测试标记）"


def run_queued(*kinds: str) -> list[str | None]:
    """Run every queued job (of `kinds`, if given) once, oldest first; their new statuses."""
    queued = Job.objects.filter(status=JobStatus.QUEUED).order_by("id")
    if kinds:
        queued = queued.filter(kind__in=kinds)
    return [execute(str(uuid)) for uuid in queued.values_list("uuid", flat=True)]


def extend_world(world: World) -> Leaks:
    """Queue a job as town_b (not run: the test transaction never commits); its uuid is walked."""
    job = services.job_enqueue(
        kind=job_kinds()[0],
        title=JOB_TITLE,
        actor=world.user("town_b"),
        args={},
        enterprise=None,
        max_attempts=1,
    )
    return Leaks(markers=[JOB_TITLE], ids={"uuid": [job.uuid]})
