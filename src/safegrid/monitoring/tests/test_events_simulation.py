"""The simulated events of the demo's video channels and positioning zones (rules/simulation_events.py)."""

from __future__ import annotations

import json

from safegrid.monitoring.rules.events import EventType
from safegrid.monitoring.rules.points import PointKind
from safegrid.monitoring.rules.simulation_events import EventRates, EventSimulator, SimSource

SOURCES = [
    SimSource("91330000000000000A", "CAM-01", PointKind.VIDEO),
    SimSource("91330000000000000A", "ZONE-01", PointKind.ZONE, rated_headcount=4, motionless_s=60),
]
BUSY = EventRates(video_offline=0.01, enter=0.2, leave_each=0.01, crowd=0.005, motionless=0.01)


def run(seed: int, seconds: int = 3000) -> list[dict]:
    sim = EventSimulator(SOURCES, seed=seed, rates=BUSY)
    events: list[dict] = []
    for t in range(seconds):
        for message in sim.tick(1_796_212_800_000 + t * 1000, 1.0):
            assert message.enterprise == "91330000000000000A"
            body = json.loads(message.payload)
            assert message.events == len(body["events"])
            events += body["events"]
    assert sim.sent == len(events)
    return events


def test_every_event_type_is_sent_in_the_documented_shape_and_runs_repeat_for_a_seed():
    events = run(3)
    assert {e["type"] for e in events} == {t.value for t in EventType}
    for e in events:
        assert set(e) <= {"source", "ts", "type", "value", "person"}
        if e["type"] in ("enter", "leave", "motionless", "moving"):
            assert e["person"].startswith("P-")
    assert any(e["type"] == "headcount" and e["value"] > 4 for e in events)  # a crowd above the rated number
    assert run(3) == events
    keys = [(e["source"], e["type"], e["ts"], e.get("person", "")) for e in events]
    assert len(keys) == len(set(keys))  # no event is a duplicate of another
