"""A batch spilled to disk comes back whole, also from a file the earlier layout wrote (readings as maps)."""

from __future__ import annotations

import datetime as dt

import msgspec

from safegrid.monitoring.ingest import spill
from safegrid.monitoring.ingest.sinks import AcceptedReading
from safegrid.monitoring.ingest.writer import Batch

TS = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def test_a_batch_round_trips() -> None:
    batch = Batch(readings=[AcceptedReading(7, 3, TS, 41.5, TS), AcceptedReading(8, 3, TS, -2.0, TS)])
    back = spill._decode(spill._encode(batch))
    assert back.readings == batch.readings and all(isinstance(r, AcceptedReading) for r in back.readings)


def test_a_file_of_the_earlier_layout_is_still_replayed() -> None:
    earlier = {
        "readings": [
            {"point_id": 7, "enterprise_id": 3, "ts": TS, "value": 41.5, "received_at": TS},
        ],
        "dead": [],
        "sequences": [[3, "gw-1", 1, 4, 4]],
    }
    back = spill._decode(msgspec.msgpack.encode(earlier))
    assert back.readings == [AcceptedReading(7, 3, TS, 41.5, TS)]
    assert back.sequences[(3, "gw-1")].last == 4
