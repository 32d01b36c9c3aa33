"""Background jobs of the monitoring app (registered with safegrid.jobs; autodiscovered)."""

from __future__ import annotations

from typing import Any

from safegrid.jobs import JobContext, job

from .services import storage

# ingest


@job("monitoring.rollup")
def rollup(ctx: JobContext) -> dict[str, Any]:
    """1-minute and 1-hour rollups of the recent readings (trend charts read them)."""
    return storage.rollups_compute(actor=ctx.actor).as_dict()


@job("monitoring.readings_maintain")
def readings_maintain(ctx: JobContext) -> dict[str, Any]:
    """Reading partitions a week ahead; raw readings past retention dropped; old rollups deleted."""
    return storage.readings_maintain(actor=ctx.actor).as_dict()
