"""The ingest's fast path for the ordinary reading (`is_quiet` + `moved`) is held to `evaluate`: whenever
it says a reading is quiet, `evaluate` raises nothing and only moves the previous reading."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safegrid.monitoring.rules.alarms import (
    Family,
    Pause,
    PointRules,
    PointState,
    Reading,
    Severity,
    evaluate,
    is_quiet,
    moved,
    quiet_band,
)
from safegrid.monitoring.rules.points import Limits

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
RULES = PointRules(limits=Limits(ll=1.0, l=2.0, h=8.0, hh=9.0), deadband=0.5, rate_limit=6.0)


def reading(seconds: float, value: float) -> Reading:
    return Reading(T0 + dt.timedelta(seconds=seconds), value)


@pytest.mark.parametrize(
    ("rules", "band"),
    [
        (RULES, (2.0, 8.0)),
        (PointRules(limits=Limits(hh=9.0)), (float("-inf"), 9.0)),
        (PointRules(limits=Limits(ll=1.0)), (1.0, float("inf"))),
        (PointRules(), (float("-inf"), float("inf"))),
    ],
)
def test_the_quiet_band_is_inside_the_first_limits(rules, band):
    assert quiet_band(rules) == band


@pytest.mark.parametrize(
    ("state", "current", "quiet", "why"),
    [
        (PointState(last=reading(0, 5.0)), reading(60, 5.0), True, "inside, no change"),
        (PointState(last=reading(0, 5.0)), reading(60, 8.0), False, "at H is an alarm"),
        (PointState(last=reading(0, 5.0)), reading(60, 2.0), False, "at L is an alarm"),
        (PointState(last=reading(0, 5.0)), reading(60, 7.99), True, "rate 2.99/min, below H"),
        (PointState(last=reading(0, 2.5)), reading(60, 7.5), True, "rate 5/min is within the limit 6"),
        (PointState(last=reading(0, 2.5)), reading(30, 7.5), False, "rate 10/min is over the limit"),
        (PointState(last=reading(0, 2.5)), reading(60, 8.5), False, "rate 6/min equal, but above H"),
        (PointState(last=reading(60, 5.0)), reading(0, 7.0), True, "older than the last: no rate"),
        (PointState(), reading(0, 5.0), True, "first reading"),
        (PointState(active={Family.HIGH: Severity.H}), reading(0, 5.0), False, "an active alarm may clear"),
    ],
)
def test_quiet_readings(state, current, quiet, why):
    assert is_quiet(RULES, quiet_band(RULES), state, current) is quiet, why


def test_a_quiet_reading_moves_only_the_previous_reading():
    state = PointState(last=reading(60, 5.0))
    assert moved(state, reading(0, 6.0)) is state  # not newer: kept
    assert moved(state, reading(120, 6.0)) == PointState(last=reading(120, 6.0))


limits = st.lists(st.floats(-100, 100, allow_nan=False), min_size=4, max_size=4).map(sorted)
maybe = st.booleans()


@st.composite
def cases(draw):
    ll, low, high, hh = draw(limits)
    rules = PointRules(
        limits=Limits(
            ll=ll if draw(maybe) else None,
            l=low if draw(maybe) else None,
            h=high if draw(maybe) else None,
            hh=hh if draw(maybe) else None,
        ),
        deadband=draw(st.floats(0, 5)),
        rate_limit=draw(st.none() | st.floats(0, 50)),
    )
    active = draw(
        st.dictionaries(
            st.sampled_from([Family.HIGH, Family.LOW, Family.RATE, Family.OFFLINE]),
            st.sampled_from(list(Severity)),
            max_size=2,
        )
    )
    last = draw(st.none() | st.builds(reading, st.floats(0, 600), st.floats(-120, 120)))
    pause = Pause(shutdown=draw(maybe))
    return (
        rules,
        PointState(active=active, last=last),
        draw(st.builds(reading, st.floats(0, 600), st.floats(-120, 120))),
        pause,
    )


@settings(max_examples=2000, deadline=None)
@given(cases())
def test_quiet_means_evaluate_does_nothing_else(case):
    rules, state, current, pause = case
    if is_quiet(rules, quiet_band(rules), state, current):
        evaluation = evaluate(rules, state, current, pause)
        assert evaluation.events == ()
        assert evaluation.state == moved(state, current)
