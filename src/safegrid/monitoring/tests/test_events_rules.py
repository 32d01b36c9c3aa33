"""Table tests of the event rules (rules/events.py): video offline, overcrowd, overstay, motionless."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.monitoring.rules.alarms import NO_PAUSE, EventKind, Family, Pause, Severity
from safegrid.monitoring.rules.events import (
    EventType,
    SourceEvent,
    SourceState,
    ZoneRules,
    accepts,
    evaluate,
    overcrowd_severity,
    reevaluate,
    tick,
)

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
ZONE = ZoneRules(rated_headcount=10, max_stay_s=600, motionless_s=60)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def run(
    steps: list[tuple[float, EventType, float | None, str]], rules: ZoneRules = ZONE, pause: Pause = NO_PAUSE
):
    state = SourceState()
    seen: list[tuple[EventKind, Family, Severity]] = []
    for seconds, kind, value, person in steps:
        out = evaluate(rules, state, SourceEvent(kind, at(seconds), value, person), pause)
        state = out.state
        seen += [(e.kind, e.family, e.severity) for e in out.events]
    return seen, state


@pytest.mark.parametrize(
    ("kind", "event_type", "ok"),
    [
        ("video", "video_offline", True),
        ("video", "video_online", True),
        ("video", "headcount", False),
        ("zone", "headcount", True),
        ("zone", "enter", True),
        ("zone", "video_offline", False),
        ("level", "headcount", False),
    ],
)
def test_accepts(kind, event_type, ok):
    assert accepts(kind, event_type) is ok


def test_video_offline_raises_repeats_extend_online_clears():
    seen, state = run(
        [
            (0, EventType.VIDEO_ONLINE, None, ""),
            (1, EventType.VIDEO_OFFLINE, None, ""),
            (2, EventType.VIDEO_OFFLINE, None, ""),
            (3, EventType.VIDEO_ONLINE, None, ""),
        ],
        ZoneRules(),
    )
    assert seen == [
        (EventKind.RAISE, Family.VIDEO_OFFLINE, Severity.OFFLINE),
        (EventKind.EXTEND, Family.VIDEO_OFFLINE, Severity.OFFLINE),
        (EventKind.CLEAR, Family.VIDEO_OFFLINE, Severity.OFFLINE),
    ]
    assert state.active == {}


@pytest.mark.parametrize(
    ("rated", "count", "severity"),
    [
        (10, 9, None),
        (10, 10, None),  # at the rated number: no alarm
        (10, 11, Severity.H),
        (10, 12, Severity.H),  # 20 % over: still H
        (10, 13, Severity.HH),
        (5, 6, Severity.H),
        (5, 7, Severity.HH),
        (1, 2, Severity.HH),
    ],
)
def test_overcrowd_severity(rated, count, severity):
    assert overcrowd_severity(rated, count) is severity


def test_headcount_raises_escalates_extends_clears_at_rated():
    seen, state = run(
        [
            (0, EventType.HEADCOUNT, 11, ""),
            (1, EventType.HEADCOUNT, 12, ""),
            (2, EventType.HEADCOUNT, 15, ""),
            (3, EventType.HEADCOUNT, 11, ""),  # still over: extends, keeps HH
            (4, EventType.HEADCOUNT, 10, ""),
        ]
    )
    assert seen == [
        (EventKind.RAISE, Family.OVERCROWD, Severity.H),
        (EventKind.EXTEND, Family.OVERCROWD, Severity.H),
        (EventKind.ESCALATE, Family.OVERCROWD, Severity.HH),
        (EventKind.EXTEND, Family.OVERCROWD, Severity.HH),
        (EventKind.CLEAR, Family.OVERCROWD, Severity.HH),
    ]
    assert state.active == {}


def test_overstay_per_zone_clears_when_the_person_leaves():
    seen, state = run(
        [
            (0, EventType.ENTER, None, "tag-1"),
            (100, EventType.ENTER, None, "tag-2"),
            (599, EventType.HEADCOUNT, 2, ""),  # not yet: 599 s < 600 s
            (600, EventType.HEADCOUNT, 2, ""),  # at the allowed stay: due
            (700, EventType.ENTER, None, "tag-1"),  # a repeat enter extends
            (710, EventType.LEAVE, None, "tag-1"),  # tag-2 is over too (610 s): held
            (720, EventType.LEAVE, None, "tag-2"),
        ]
    )
    assert seen == [
        (EventKind.RAISE, Family.OVERSTAY, Severity.H),
        (EventKind.EXTEND, Family.OVERSTAY, Severity.H),
        (EventKind.CLEAR, Family.OVERSTAY, Severity.H),
    ]
    assert state.present == {} and state.active == {}


def test_overstay_falls_due_with_time_alone():
    state = evaluate(ZONE, SourceState(), SourceEvent(EventType.ENTER, at(0), None, "tag-1")).state
    assert tick(ZONE, state, at(599)).events == ()
    due = tick(ZONE, state, at(600))
    assert [(e.kind, e.family, e.value, e.limit) for e in due.events] == [
        (EventKind.RAISE, Family.OVERSTAY, 600.0, 600.0)
    ]
    assert tick(ZONE, due.state, at(660)).events == ()  # a tick is no repeat


def test_motionless_raises_highest_and_clears_on_movement():
    seen, _ = run(
        [
            (0, EventType.MOTIONLESS, 30, "tag-1"),  # still 30 s < 60 s
            (30, EventType.MOTIONLESS, None, "tag-1"),  # still since 0 s: 60 s, due
            (40, EventType.MOVING, None, "tag-1"),
        ]
    )
    assert seen == [
        (EventKind.RAISE, Family.MOTIONLESS, Severity.HH),
        (EventKind.CLEAR, Family.MOTIONLESS, Severity.HH),
    ]


def test_motionless_value_over_threshold_raises_at_once_and_leave_clears():
    seen, state = run([(0, EventType.MOTIONLESS, 90, "tag-9"), (5, EventType.LEAVE, None, "tag-9")])
    assert seen == [
        (EventKind.RAISE, Family.MOTIONLESS, Severity.HH),
        (EventKind.CLEAR, Family.MOTIONLESS, Severity.HH),
    ]
    assert state.still == {}


def test_paused_raises_nothing_but_clears():
    paused = Pause(families=frozenset({Family.OVERCROWD}))
    seen, _ = run([(0, EventType.HEADCOUNT, 20, "")], pause=paused)
    assert seen == []
    state = SourceState(active={Family.OVERCROWD: Severity.H})
    out = evaluate(ZONE, state, SourceEvent(EventType.HEADCOUNT, at(0), 3), paused)
    assert [e.kind for e in out.events] == [EventKind.CLEAR]


def test_a_zone_without_the_numbers_raises_nothing():
    seen, _ = run(
        [
            (0, EventType.HEADCOUNT, 50, ""),
            (0, EventType.ENTER, None, "t"),
            (9999, EventType.MOTIONLESS, 9999, "t"),
        ],
        ZoneRules(),
    )
    assert seen == []


@pytest.mark.parametrize(
    ("severities", "state"),
    [((), "normal"), (("OFFLINE",), "offline"), (("H",), "H"), (("H", "HH"), "HH")],
)
def test_an_event_source_on_the_wall_is_coloured_by_its_alarms_only(severities, state):
    from safegrid.monitoring.rules.points import Limits
    from safegrid.monitoring.rules.wall import point_state

    found = point_state(
        limits=Limits(),
        value=None,
        received_at=None,
        offline_timeout_s=300,
        now=T0,
        active_severities=severities,
        event_source=True,
    )
    assert found == state


H, HH = Severity.H, Severity.HH
RAISE, CLEAR = EventKind.RAISE, EventKind.CLEAR
PRESENT = {"t": at(0)}  # entered at 0


@pytest.mark.parametrize(
    ("rules", "active", "headcount", "present", "still", "expected"),
    [
        # the rated headcount raised past the count: the overcrowd alarm clears
        (ZoneRules(rated_headcount=20), {Family.OVERCROWD: H}, 15, {}, {}, [(CLEAR, Family.OVERCROWD, H)]),
        # lowered under the last count: raised now (12 over 10 is H, 13 is HH)
        (ZoneRules(rated_headcount=10), {}, 12, {}, {}, [(RAISE, Family.OVERCROWD, H)]),
        (ZoneRules(rated_headcount=10), {}, 13, {}, {}, [(RAISE, Family.OVERCROWD, HH)]),
        # still over: nothing (not extended: no new report); an HH keeps HH
        (ZoneRules(rated_headcount=12), {Family.OVERCROWD: HH}, 14, {}, {}, []),
        # count exactly at the new rated number clears
        (ZoneRules(rated_headcount=15), {Family.OVERCROWD: H}, 15, {}, {}, [(CLEAR, Family.OVERCROWD, H)]),
        # no longer monitored: clears; never reported: nothing to raise
        (ZoneRules(), {Family.OVERCROWD: H}, 15, {}, {}, [(CLEAR, Family.OVERCROWD, H)]),
        (ZoneRules(rated_headcount=1), {}, None, {}, {}, []),
        # the allowed stay shortened under the 700 s the person has been in: raised; lengthened: cleared
        (ZoneRules(max_stay_s=600), {}, None, PRESENT, {}, [(RAISE, Family.OVERSTAY, H)]),
        (ZoneRules(max_stay_s=700), {}, None, PRESENT, {}, [(RAISE, Family.OVERSTAY, H)]),
        (ZoneRules(max_stay_s=701), {Family.OVERSTAY: H}, None, PRESENT, {}, [(CLEAR, Family.OVERSTAY, H)]),
        # the motionless threshold raised past the stillness: cleared
        (
            ZoneRules(motionless_s=900),
            {Family.MOTIONLESS: HH},
            None,
            {},
            PRESENT,
            [(CLEAR, Family.MOTIONLESS, HH)],
        ),
        (ZoneRules(motionless_s=60), {}, None, {}, PRESENT, [(RAISE, Family.MOTIONLESS, HH)]),
    ],
)
def test_changed_zone_numbers_are_applied_at_once(rules, active, headcount, present, still, expected):
    state = SourceState(active=active, present=present, still=still)
    out = reevaluate(rules, state, headcount, at(700))
    assert [(e.kind, e.family, e.severity) for e in out.events] == expected
    assert all(e.kind is not EventKind.EXTEND for e in out.events)


def test_changed_zone_numbers_raise_nothing_while_paused_but_clear():
    paused = Pause(families=frozenset({Family.OVERCROWD}))
    assert reevaluate(ZoneRules(rated_headcount=10), SourceState(), 30, at(0), paused).events == ()
    out = reevaluate(
        ZoneRules(rated_headcount=40), SourceState(active={Family.OVERCROWD: H}), 30, at(0), paused
    )
    assert [e.kind for e in out.events] == [CLEAR]
