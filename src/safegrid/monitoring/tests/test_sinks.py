from __future__ import annotations

import datetime as dt

from safegrid.monitoring.ingest import sinks


def test_every_registered_sink_gets_each_batch_once(monkeypatch):
    monkeypatch.setattr(sinks, "_sinks", [])
    got: list[list[float]] = []

    def sink(batch):
        got.append([r.value for r in batch])

    sinks.register(sink)
    sinks.register(sink)  # registering twice (a reloaded app) does not deliver twice
    now = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    sinks.deliver([sinks.AcceptedReading(1, 1, now, 2.5, now)])
    sinks.deliver([])
    assert got == [[2.5]]
    assert sinks.registered() == (sink,)
