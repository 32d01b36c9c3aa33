"""REFERENCE §6: gas-detector defaults and the order of the limits."""

from __future__ import annotations

import math

import pytest

from safegrid.monitoring.rules.points import GasDefaults, Limits, PointKind, default_limits, limit_errors


@pytest.mark.parametrize(
    ("kind", "oel", "expected"),
    [
        (PointKind.GAS_COMBUSTIBLE, None, Limits(h=25.0, hh=50.0)),
        (PointKind.GAS_TOXIC, 10.0, Limits(h=10.0, hh=20.0)),  # 100 % / 200 % of the OEL
        (PointKind.GAS_TOXIC, None, Limits()),  # no OEL on record: nothing to default to
        (PointKind.OXYGEN, None, Limits(l=19.5, h=23.5)),
        (PointKind.LEVEL, None, Limits()),  # process points: the enterprise's limits only
        (PointKind.PRESSURE, None, Limits()),
    ],
)
def test_default_limits(kind, oel, expected):
    assert default_limits(kind, oel_ppm=oel) == expected


def test_gas_defaults_are_configurable():
    assert default_limits(PointKind.GAS_COMBUSTIBLE, gas=GasDefaults(combustible_first_lel=20.0)).h == 20.0


@pytest.mark.parametrize(
    ("limits", "errors"),
    [
        (Limits(ll=0.5, l=1.0, h=8.0, hh=9.0), []),
        (Limits(h=8.0), []),
        (Limits(), []),
        (Limits(l=1.0, hh=1.0), [("hh", "HH 必须大于 L")]),  # equal is not above
        (Limits(ll=2.0, l=1.0), [("l", "L 必须大于 LL")]),
        (Limits(h=9.0, hh=8.0), [("hh", "HH 必须大于 H")]),
        (Limits(h=math.inf), [("h", "限值必须是有限的数")]),
        (Limits(l=math.nan, h=3.0), [("l", "限值必须是有限的数")]),
    ],
)
def test_limit_errors(limits, errors):
    assert limit_errors(limits) == errors
