"""Alarm quality rules: floods (> 10 in 10 minutes), chattering (≥ 3 in 1 minute), offline rate."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.monitoring.rules import quality as q

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def at(*seconds: float) -> list[dt.datetime]:
    return [T0 + dt.timedelta(seconds=s) for s in seconds]


def spread(n: int, over_seconds: float) -> list[dt.datetime]:
    """n raises evenly from T0 to T0 + over_seconds (both ends)."""
    step = over_seconds / (n - 1)
    return at(*(i * step for i in range(n)))


def spread_s(n: int, start: float, over: float) -> list[float]:
    step = over / (n - 1)
    return [start + i * step for i in range(n)]


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        ([], []),
        (spread(10, 60), []),  # 10 in a minute: not more than 10
        (spread(11, 600), [(0, 600, 11)]),  # 11 within exactly 10 minutes (both ends count)
        (spread(11, 601), []),  # 11 within 10 min 1 s: no window holds 11
        (spread(11, 0), [(0, 0, 11)]),  # all at once
        (spread(20, 60) + at(3600), [(0, 60, 20)]),  # a straggler an hour later is not part of it
        (spread(11, 60) + at(3600, *spread_s(11, 3600, 60)), [(3600, 3660, 12), (0, 60, 11)]),  # newest first
    ],
)
def test_floods(times, expected):
    found = q.floods_by((7, t) for t in times)
    assert [
        ((f.start - T0).total_seconds(), (f.end - T0).total_seconds(), f.count) for f in found
    ] == expected
    assert all(f.key == 7 for f in found)


def test_floods_are_per_key():
    six_each = [(key, t) for key in ("a", "b") for t in spread(6, 60)]
    assert q.floods_by(six_each) == []  # 12 raises, but 6 per enterprise
    assert len(q.floods_by([("a", t) for t in spread(11, 60)] + six_each)) == 1


@pytest.mark.parametrize(
    ("seconds", "burst", "chatters"),
    [
        ((0, 30), 2, False),  # two raises: not chattering
        ((0, 30, 60), 3, True),  # three within exactly a minute
        ((0, 30, 61), 2, False),  # the third 61 s after the first
        ((0, 1, 2, 3, 300), 4, True),
        ((0, 100, 200, 300), 1, False),  # regular but slow
    ],
)
def test_chattering(seconds, burst, chatters):
    assert q.max_in_window(at(*seconds), q.CHATTER_WINDOW) == burst
    found = q.chattering((("p1", "high"), t) for t in at(*seconds))
    assert bool(found) is chatters
    if chatters:
        assert found[0].key == ("p1", "high") and found[0].burst == burst and found[0].raises == len(seconds)


def test_chattering_is_per_point_and_rule():
    raises = [(("p1", "high"), t) for t in at(0, 20)] + [(("p1", "low"), t) for t in at(40)]
    assert q.chattering(raises) == []  # the same point, but two rules
    worst_first = q.chattering(
        [(("p1", "high"), t) for t in at(0, 10, 20)] + [(("p2", "low"), t) for t in at(0, 5, 10, 15)]
    )
    assert [c.key for c in worst_first] == [("p2", "low"), ("p1", "high")]


@pytest.mark.parametrize(
    ("offline", "points", "rate"),
    [(0, 0, None), (0, 10, 0.0), (1, 4, 0.25), (4, 4, 1.0), (5, 4, 1.0)],
)
def test_offline_rate(offline, points, rate):
    assert q.offline_rate(offline, points) == rate


def test_offline_rate_refuses_negative():
    with pytest.raises(ValueError):
        q.offline_rate(-1, 3)
