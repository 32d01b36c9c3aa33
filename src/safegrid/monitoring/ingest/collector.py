"""The ingest process's garbage collector, tuned for a stream of short-lived objects.

Every MQTT message becomes a handful of dicts, lists and tuples that die a few microseconds later through
reference counting; almost none are in cycles. With CPython's default thresholds (700, 10, 10) the cyclic
collector still runs a young collection every 700 new containers and, every hundred of those, a full one
that walks every object the process holds — Django, the point directory, the alarm engine's state. At
100,000 readings/s that is thousands of collections a second for nothing found.

`tune` moves everything alive after start-up into the permanent generation (`gc.freeze`: those objects are
never scanned again) and raises the young threshold so a collection runs once per `gen0` new containers.
Cycles are still collected, later. `make bench-ingest` prints the setting and the ingest's resident memory
over the run; the figures measured are in docs/monitoring.md.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Collector:
    """What `tune` did, for the start-up log line."""

    frozen: int
    thresholds: tuple[int, int, int]


def tune(gen0: int) -> Collector | None:
    """Freeze the start-up heap and set the young threshold to `gen0`; 0 leaves Python's defaults."""
    if gen0 <= 0:
        return None
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(gen0, gen1, gen2)
    return Collector(frozen=gc.get_freeze_count(), thresholds=gc.get_threshold())


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None)  # glibc only
    except OSError:
        return None


_trim = _malloc_trim()


def release_freed_memory() -> bool:
    """Hand the C allocator's freed pages back to the system (glibc `malloc_trim`); False where there is no
    such call. The messages in flight go through far more memory than is alive at any moment, and without
    this the process keeps the high-water mark."""
    if _trim is None:
        return False
    _trim(0)
    return True
