"""The wall's state colour of a point: bypass, offline, active alarms, the value against the limits."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.monitoring.rules.points import Limits
from safegrid.monitoring.rules.wall import WallState, by_point, point_state, value_state, worst_severity

LIMITS = Limits(ll=1.0, l=2.0, h=8.0, hh=9.0)
NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5.0, WallState.NORMAL),
        (7.999, WallState.NORMAL),
        (8.0, WallState.H),  # on the limit counts as crossed
        (8.999, WallState.H),
        (9.0, WallState.HH),
        (120.0, WallState.HH),
        (2.001, WallState.NORMAL),
        (2.0, WallState.L),
        (1.001, WallState.L),
        (1.0, WallState.LL),
        (-5.0, WallState.LL),
    ],
)
def test_value_state(value, expected):
    assert value_state(LIMITS, value) is expected


@pytest.mark.parametrize(
    ("limits", "value", "expected"),
    [
        (Limits(), 1e9, WallState.NORMAL),  # no limits: never coloured by value
        (Limits(h=25.0), 30.0, WallState.H),  # only H set (a gas detector's first stage)
        (Limits(h=25.0, hh=50.0), 50.0, WallState.HH),
        (Limits(l=19.5), 19.5, WallState.L),  # oxygen: low only
        (Limits(ll=18.0, l=19.5), 17.0, WallState.LL),
    ],
)
def test_value_state_partial_limits(limits, value, expected):
    assert value_state(limits, value) is expected


def _state(**kw):
    values = {
        "limits": LIMITS,
        "value": 5.0,
        "received_at": NOW - dt.timedelta(seconds=10),
        "offline_timeout_s": 300,
        "now": NOW,
    }
    values.update(kw)
    return point_state(**values)


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, WallState.NORMAL),
        ({"value": None, "received_at": None}, WallState.OFFLINE),  # never reported
        ({"received_at": NOW - dt.timedelta(seconds=300)}, WallState.NORMAL),  # exactly the timeout: online
        ({"received_at": NOW - dt.timedelta(seconds=301)}, WallState.OFFLINE),
        ({"active_severities": ["OFFLINE"]}, WallState.OFFLINE),  # the engine's offline alarm
        ({"value": 7.9, "active_severities": ["H"]}, WallState.H),  # inside the deadband, alarm still on
        ({"value": 9.5, "active_severities": ["H"]}, WallState.HH),  # crossing not yet written
        ({"active_severities": ["H", "HH"]}, WallState.HH),  # the worst alarm wins
        ({"active_severities": ["L", "LL"]}, WallState.LL),
        ({"active_severities": ["HH", "LL"]}, WallState.HH),
        ({"active_severities": ["RATE"]}, WallState.NORMAL),  # rate of change: no band colour
        ({"value": 9.5, "bypassed": True}, WallState.BYPASSED),  # a bypass first
        ({"value": None, "received_at": None, "bypassed": True}, WallState.BYPASSED),
    ],
)
def test_point_state(kw, expected):
    assert _state(**kw) is expected


@pytest.mark.parametrize(
    ("severities", "worst"),
    [([], None), (["H"], "H"), (["RATE", "H"], "H"), (["H", "HH"], "HH"), (["OFFLINE", "RATE"], "RATE"),
     (["L", "LL", "RATE"], "LL")],
)  # fmt: skip
def test_worst_severity(severities, worst):
    assert worst_severity(severities) == worst


def test_by_point_gives_one_row_per_point_worst_first():
    alarms = [(1, "RATE"), (2, "H"), (1, "H"), (3, "OFFLINE"), (2, "HH")]  # newest first
    rows = by_point(alarms, lambda a: a[0], lambda a: a[1])
    assert rows == [[(1, "H"), (1, "RATE")], [(2, "HH"), (2, "H")], [(3, "OFFLINE")]]
