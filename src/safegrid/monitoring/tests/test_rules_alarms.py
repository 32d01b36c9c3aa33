"""The alarm rules as tables: limit crossings with their boundaries, deadband, H→HH, rate, offline, pause,
and the escalation ladder."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.monitoring.rules.alarms import (
    EventKind,
    Family,
    Ladder,
    Level,
    Pause,
    PointRules,
    PointState,
    Reading,
    Severity,
    escalation_due,
    evaluate,
    is_offline,
    offline_event,
    rate_per_minute,
    with_offline,
)
from safegrid.monitoring.rules.points import Limits

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
RULES = PointRules(limits=Limits(ll=1.0, l=2.0, h=8.0, hh=9.0), deadband=0.5)
E, R, X, C = EventKind.ESCALATE, EventKind.RAISE, EventKind.EXTEND, EventKind.CLEAR
H, HH, L, LL = Severity.H, Severity.HH, Severity.L, Severity.LL


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def kinds(evaluation):
    return [(e.kind, e.family, e.severity) for e in evaluation.events]


@pytest.mark.parametrize(
    ("active", "value", "expected", "after"),
    [
        # no alarm yet: the limit is the set point (at H is an alarm), just below is not
        ({}, 7.999, [], {}),
        ({}, 8.0, [(R, Family.HIGH, H)], {Family.HIGH: H}),
        ({}, 8.5, [(R, Family.HIGH, H)], {Family.HIGH: H}),
        ({}, 9.0, [(R, Family.HIGH, HH)], {Family.HIGH: HH}),  # straight to HH
        ({}, 2.0, [(R, Family.LOW, L)], {Family.LOW: L}),
        ({}, 2.001, [], {}),
        ({}, 1.0, [(R, Family.LOW, LL)], {Family.LOW: LL}),
        ({}, 5.0, [], {}),
        # active H: a repeat extends, HH escalates, inside the deadband it is held, past it clears
        ({Family.HIGH: H}, 8.2, [(X, Family.HIGH, H)], {Family.HIGH: H}),
        ({Family.HIGH: H}, 9.0, [(E, Family.HIGH, HH)], {Family.HIGH: HH}),
        ({Family.HIGH: H}, 7.9, [], {Family.HIGH: H}),  # below H, within the deadband: held, no repeat
        ({Family.HIGH: H}, 7.5, [], {Family.HIGH: H}),  # exactly H − deadband: still held
        ({Family.HIGH: H}, 7.49, [(C, Family.HIGH, H)], {}),
        # active HH keeps its severity until it clears, and clears past H − deadband (not HH)
        ({Family.HIGH: HH}, 8.5, [(X, Family.HIGH, HH)], {Family.HIGH: HH}),
        ({Family.HIGH: HH}, 8.9, [(X, Family.HIGH, HH)], {Family.HIGH: HH}),
        ({Family.HIGH: HH}, 7.6, [], {Family.HIGH: HH}),
        ({Family.HIGH: HH}, 7.4, [(C, Family.HIGH, HH)], {}),
        # low side mirrors it
        ({Family.LOW: L}, 1.0, [(E, Family.LOW, LL)], {Family.LOW: LL}),
        ({Family.LOW: L}, 2.5, [], {Family.LOW: L}),
        ({Family.LOW: L}, 2.51, [(C, Family.LOW, L)], {}),
        # a swing from high to low clears one family and raises the other
        ({Family.HIGH: H}, 1.5, [(C, Family.HIGH, H), (R, Family.LOW, L)], {Family.LOW: L}),
    ],
)
def test_limit_crossings(active, value, expected, after):
    result = evaluate(RULES, PointState(active=active), Reading(T0, value))
    assert kinds(result) == expected
    assert dict(result.state.active) == after


def test_only_hh_configured_clears_past_hh_minus_deadband():
    rules = PointRules(limits=Limits(hh=50.0), deadband=2.0)
    assert kinds(evaluate(rules, PointState(), Reading(T0, 50.0))) == [(R, Family.HIGH, HH)]
    held = evaluate(rules, PointState(active={Family.HIGH: HH}), Reading(T0, 48.0))
    assert kinds(held) == []
    cleared = evaluate(rules, PointState(active={Family.HIGH: HH}), Reading(T0, 47.9))
    assert kinds(cleared) == [(C, Family.HIGH, HH)]


def test_no_limits_no_alarm():
    assert kinds(evaluate(PointRules(), PointState(), Reading(T0, 1e9))) == []


def test_event_carries_limit_and_value():
    (event,) = evaluate(RULES, PointState(), Reading(T0, 9.3)).events
    assert (event.value, event.limit, event.ts) == (9.3, 9.0, T0)


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (Reading(at(0), 5.0), Reading(at(60), 6.0), 1.0),
        (Reading(at(0), 5.0), Reading(at(30), 4.0), 2.0),  # falling counts too, per minute
        (Reading(at(0), 5.0), Reading(at(0), 6.0), None),  # same time: not used
        (Reading(at(10), 5.0), Reading(at(0), 6.0), None),  # older: not used
    ],
)
def test_rate_per_minute(previous, current, expected):
    assert rate_per_minute(previous, current) == expected


RATE = PointRules(rate_limit=1.0)


@pytest.mark.parametrize(
    ("active", "previous", "current", "expected"),
    [
        ({}, Reading(at(0), 5.0), Reading(at(60), 6.0), []),  # exactly the limit: allowed
        ({}, Reading(at(0), 5.0), Reading(at(60), 6.01), [(R, Family.RATE, Severity.RATE)]),
        (
            {Family.RATE: Severity.RATE},
            Reading(at(0), 5.0),
            Reading(at(60), 7.0),
            [(X, Family.RATE, Severity.RATE)],
        ),
        (
            {Family.RATE: Severity.RATE},
            Reading(at(0), 5.0),
            Reading(at(60), 6.0),
            [(C, Family.RATE, Severity.RATE)],
        ),
        ({}, None, Reading(at(60), 100.0), []),  # no previous reading: no rate
        ({}, Reading(at(60), 5.0), Reading(at(60), 100.0), []),  # duplicate time
    ],
)
def test_rate_of_change(active, previous, current, expected):
    assert kinds(evaluate(RATE, PointState(active=active, last=previous), current)) == expected


def test_rate_event_carries_the_rate():
    result = evaluate(RATE, PointState(last=Reading(at(0), 0.0)), Reading(at(30), 3.0))
    assert result.events[0].value == 6.0 and result.events[0].limit == 1.0


def test_state_keeps_newest_reading():
    state = evaluate(RULES, PointState(last=Reading(at(10), 5.0)), Reading(at(5), 5.5)).state
    assert state.last == Reading(at(10), 5.0)
    state = evaluate(RULES, state, Reading(at(20), 5.5)).state
    assert state.last == Reading(at(20), 5.5)


def test_rate_alarm_clears_when_rate_limit_removed():
    result = evaluate(PointRules(), PointState(active={Family.RATE: Severity.RATE}), Reading(T0, 1.0))
    assert kinds(result) == [(C, Family.RATE, Severity.RATE)]


@pytest.mark.parametrize(
    ("pause", "active", "value", "expected"),
    [
        (Pause(shutdown=True), {}, 9.5, []),
        (Pause(whole_point=True), {}, 9.5, []),
        (Pause(families=frozenset({Family.HIGH})), {}, 9.5, []),
        (Pause(families=frozenset({Family.LOW})), {}, 9.5, [(R, Family.HIGH, HH)]),
        (Pause(families=frozenset({Family.HIGH})), {}, 0.5, [(R, Family.LOW, LL)]),
        # paused: an active alarm is neither extended nor escalated, but it still clears
        (Pause(shutdown=True), {Family.HIGH: H}, 9.5, []),
        (Pause(shutdown=True), {Family.HIGH: H}, 3.0, [(C, Family.HIGH, H)]),
    ],
)
def test_pause(pause, active, value, expected):
    assert kinds(evaluate(RULES, PointState(active=active), Reading(T0, value), pause)) == expected


def test_reading_clears_offline():
    result = evaluate(RULES, with_offline(PointState()), Reading(T0, 5.0))
    assert kinds(result) == [(C, Family.OFFLINE, Severity.OFFLINE)]
    assert Family.OFFLINE not in result.state.active


@pytest.mark.parametrize(("elapsed", "offline"), [(299, False), (300, False), (300.001, True), (1000, True)])
def test_offline_boundary(elapsed, offline):
    assert is_offline(300, T0, at(elapsed)) is offline


def test_offline_event():
    rules = PointRules(offline_timeout_s=60)
    event = offline_event(rules, PointState(), T0, at(61))
    assert event is not None and (event.kind, event.family, event.value) == (R, Family.OFFLINE, None)
    assert offline_event(rules, PointState(), T0, at(60)) is None
    assert offline_event(rules, with_offline(PointState()), T0, at(600)) is None  # already active
    assert offline_event(rules, PointState(), T0, at(600), Pause(shutdown=True)) is None
    assert (
        offline_event(rules, PointState(), T0, at(600), Pause(families=frozenset({Family.OFFLINE}))) is None
    )


LADDER = Ladder(town_minutes=15, county_minutes=30, reminder_minutes=10)


def minutes(m: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=m)


@pytest.mark.parametrize(
    ("now", "level", "last_reminder", "expected"),
    [
        (minutes(5), Level.ENTERPRISE, None, None),
        (minutes(10), Level.ENTERPRISE, None, (Level.ENTERPRISE, False)),  # reminder at 10 minutes
        (minutes(12), Level.ENTERPRISE, minutes(10), None),
        (minutes(14.99), Level.ENTERPRISE, minutes(10), None),
        (minutes(15), Level.ENTERPRISE, minutes(10), (Level.TOWN, True)),  # the town at exactly 15
        (minutes(20), Level.TOWN, minutes(15), None),
        (minutes(25), Level.TOWN, minutes(15), (Level.TOWN, False)),
        (minutes(30), Level.TOWN, minutes(25), (Level.COUNTY, True)),
        (minutes(45), Level.ENTERPRISE, None, (Level.COUNTY, True)),  # missed runs: straight to the county
        (minutes(39), Level.COUNTY, minutes(30), None),
        (minutes(40), Level.COUNTY, minutes(30), (Level.COUNTY, False)),
    ],
)
def test_escalation_ladder(now, level, last_reminder, expected):
    step = escalation_due(T0, now, level, last_reminder, LADDER)
    assert (None if step is None else (step.level, step.escalated)) == expected


@pytest.mark.parametrize(
    ("ladder", "problems"),
    [
        (Ladder(), []),
        (Ladder(town_minutes=0), ["town_minutes"]),
        (Ladder(town_minutes=30, county_minutes=30), ["county_minutes"]),
        (Ladder(reminder_minutes=-1), ["reminder_minutes"]),
    ],
)
def test_ladder_problems(ladder, problems):
    assert ladder.problems() == problems


def test_ladder_from_settings():
    from safegrid.monitoring.rules.alarms import ladder_from

    assert ladder_from(None) == Ladder()
    assert ladder_from({"town_minutes": 5}).town_minutes == 5
    for bad in ({"town": 5}, {"town_minutes": "5"}, {"town_minutes": 40}, {"reminder_minutes": 0}):
        with pytest.raises(ValueError):
            ladder_from(bad)
