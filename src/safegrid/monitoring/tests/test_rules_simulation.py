"""The simulator's value models and messages (rules/simulation.py): seeded → deterministic, values within the
normal band without injections, excursions above H and HH that come back, offline gaps, duplicates (same
seq) and each kind of malformed message."""

from __future__ import annotations

import json

import pytest

from safegrid.monitoring.rules.points import PointKind
from safegrid.monitoring.rules.simulation import Malformed, Rates, SimPoint, Simulator, Walker, band

QUIET = Rates(excursion_h=0, excursion_hh=0, offline=0, duplicate=0, malformed=0)
LEVEL = SimPoint("E1", "T101-LT-01", PointKind.LEVEL, ll=0.7, l=1.4, h=11.9, hh=12.6)
TEMP = SimPoint("E1", "R101-TT-01", PointKind.TEMPERATURE, l=210.0, h=275.0, hh=285.0)
GAS = SimPoint("E2", "GC-01", PointKind.GAS_COMBUSTIBLE, h=25.0, hh=50.0)
OXY = SimPoint("E2", "O2-01", PointKind.OXYGEN, l=19.5, h=23.5)
POINTS = [LEVEL, TEMP, GAS, OXY]


def run(sim: Simulator, rounds: int, dt: float = 1.0):
    return [m for i in range(rounds) for m in sim.tick(1_000_000 + i * 1000, dt)]


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        (LEVEL, (1.4 + 0.2 * 10.5, 11.9 - 0.2 * 10.5)),
        (TEMP, (223.0, 262.0)),
        (GAS, (0.0, 3.0)),
        (OXY, (20.8, 21.0)),
        (SimPoint("E", "X", PointKind.PRESSURE, h=1.0, hh=1.2), (0.2, 0.8)),  # no low limit: from zero
        (SimPoint("E", "X", PointKind.FLOW), (40.0, 60.0)),
    ],
)
def test_band(point, expected):
    assert band(point) == pytest.approx(expected)


def test_seeded_runs_are_identical():
    a = run(Simulator(POINTS, "sim-a", seed=5, rates=Rates(malformed=0.05, duplicate=0.05)), 200)
    b = run(Simulator(POINTS, "sim-a", seed=5, rates=Rates(malformed=0.05, duplicate=0.05)), 200)
    assert [m.payload for m in a] == [m.payload for m in b]
    c = run(Simulator(POINTS, "sim-a", seed=6, rates=Rates(malformed=0.05, duplicate=0.05)), 200)
    assert [m.payload for m in a] != [m.payload for m in c]


def test_quiet_values_stay_between_l_and_h():
    sim = Simulator(POINTS, "sim", seed=3, rates=QUIET)
    values: dict[str, list[float]] = {}
    for message in run(sim, 3600):
        for r in json.loads(message.payload)["readings"]:
            values.setdefault(r["point"], []).append(r["value"])
    assert min(values["T101-LT-01"]) > 1.4 and max(values["T101-LT-01"]) < 11.9
    assert min(values["R101-TT-01"]) > 210 and max(values["R101-TT-01"]) < 275
    assert min(values["GC-01"]) >= 0 and max(values["GC-01"]) < 25
    assert min(values["O2-01"]) > 19.5 and max(values["O2-01"]) < 23.5
    level = values["T101-LT-01"]
    assert max(abs(b - a) for a, b in zip(level, level[1:], strict=False)) < 0.5  # a tank moves slowly


def test_one_message_per_enterprise_numbered_by_the_publisher():
    sim = Simulator(POINTS, "sim-x", seed=1, rates=QUIET)
    messages = run(sim, 3)
    assert [(m.enterprise, m.seq, m.readings) for m in messages] == [
        ("E1", 1, 2), ("E2", 2, 2), ("E1", 3, 2), ("E2", 4, 2), ("E1", 5, 2), ("E2", 6, 2),
    ]  # fmt: skip
    body = json.loads(messages[0].payload)
    assert body["publisher"] == "sim-x" and body["seq"] == 1
    assert body["readings"][0] == {
        "point": "T101-LT-01",
        "ts": 1_000_000,
        "value": body["readings"][0]["value"],
    }


@pytest.mark.parametrize("above_hh", [False, True])
def test_excursion_crosses_and_comes_back(above_hh):
    import random

    rng = random.Random(2)
    walker = Walker.start(TEMP, rng)
    assert walker.excursion(rng, above_hh=above_hh, seconds=60)
    seen = [walker.step(rng, 1.0) for _ in range(60)]
    peak = max(seen)
    if above_hh:
        assert peak > 285.0
    else:
        assert 275.0 < peak < 285.0 + 3  # above H, around the band below HH
    after = [walker.step(rng, 1.0) for _ in range(300)]
    assert after[-1] < 275.0  # back to normal


def test_no_excursion_without_the_limit():
    import random

    rng = random.Random(1)
    walker = Walker.start(SimPoint("E", "X", PointKind.FLOW), rng)
    assert not walker.excursion(rng, above_hh=True, seconds=10)


def test_injections_at_their_rates():
    sim = Simulator(POINTS, "sim", seed=9, rates=Rates(excursion_h=0.01, excursion_hh=0.005, offline=0.002,
                                                       duplicate=0.05, malformed=0.03))  # fmt: skip
    messages = run(sim, 2000)
    c = sim.counters
    assert c.excursions_h > 0 and c.excursions_hh > 0 and c.offline_gaps > 0
    duplicates = [m for m in messages if m.duplicate]
    assert len(duplicates) == c.duplicates > 0
    originals = {m.seq: m.payload for m in messages if not m.duplicate and m.malformed is None}
    assert all(originals[d.seq] == d.payload for d in duplicates)  # the same message again
    kinds = {m.malformed for m in messages if m.malformed is not None}
    assert kinds == set(Malformed)
    for m in messages:
        if m.malformed is Malformed.TRUNCATED:
            with pytest.raises(json.JSONDecodeError):
                json.loads(m.payload)
        elif m.malformed is Malformed.NOT_FINITE:
            assert b"Infinity" in m.payload
    seqs = [m.seq for m in messages if not m.duplicate and m.malformed is None]
    assert seqs == list(range(1, len(seqs) + 1))  # no gap: loss is countable by the receiver


def test_offline_point_sends_nothing_for_longer_than_its_timeout():
    point = SimPoint("E", "P1", PointKind.PRESSURE, h=1.0, hh=1.2, offline_timeout_s=30)
    other = SimPoint("E", "P2", PointKind.PRESSURE, h=1.0, hh=1.2, offline_timeout_s=30)
    sim = Simulator([point, other], "sim", seed=4, rates=QUIET)
    sim.walkers[0].offline_left = 45.0
    present = [any(r["point"] == "P1" for r in json.loads(m.payload)["readings"]) for m in run(sim, 60)]
    assert present[:45] == [False] * 45 and all(present[45:])
