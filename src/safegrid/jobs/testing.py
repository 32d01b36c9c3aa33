"""The jobs app's part of the test world (see safegrid.testworld): a job started by town B's officer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safegrid.core.testing import Leaks

from . import services
from .registry import job_kinds

if TYPE_CHECKING:
    from safegrid.testworld import World

JOB_TITLE = "乙镇街证照到期检查任务（测试标记）"


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
