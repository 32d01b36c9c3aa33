"""The ingest's collector tuning: frozen start-up heap, raised young threshold, or Python's defaults."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from safegrid.monitoring.ingest import collector


@pytest.fixture
def restore_collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_zero_leaves_the_defaults(restore_collector: None) -> None:
    before = gc.get_threshold()
    assert collector.tune(0) is None
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_tune_freezes_the_heap_and_raises_the_young_threshold(restore_collector: None) -> None:
    kept = [[n] for n in range(1000)]
    _, gen1, gen2 = gc.get_threshold()
    tuned = collector.tune(50_000)
    assert tuned is not None
    assert gc.get_threshold() == (50_000, gen1, gen2) == tuned.thresholds
    assert tuned.frozen == gc.get_freeze_count() >= len(kept)
    # Frozen objects are in no generation the collector scans.
    assert gc.is_tracked(kept)
    assert not any(o is kept for g in range(3) for o in gc.get_objects(generation=g))


def test_freed_memory_is_handed_back_where_the_c_library_can(monkeypatch):
    import platform

    from safegrid.monitoring.ingest import collector

    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        assert collector.release_freed_memory() is True
    monkeypatch.setattr(collector, "_trim", None)  # musl, macOS: nothing to call, nothing fails
    assert collector.release_freed_memory() is False
