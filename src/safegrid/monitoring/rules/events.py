"""Video and personnel-positioning events (视频/人员定位事件) become alarms, pure: an event and the source's
state in, alarm events out (the same `AlarmEvent`s as the limit rules, so one alarm model and lifecycle).

A *source* is a monitoring point of kind ``video`` (a video channel) or ``zone`` (a positioning zone with
its rated headcount 额定人数, the longest allowed stay and the motionless threshold). One active alarm per
source and rule; a repeat of the condition while the alarm is active *extends* it.

- ``video_off`` (视频通道离线): ``video_offline`` raises (severity OFFLINE), ``video_online`` clears.
- ``overcrowd`` (超员): a ``headcount`` **above** the rated number raises; at or below clears. Severity
  (**L**, no statute fixes it): H when the excess is at most 20 % of the rated number, HH beyond
  (``count − rated > 0.2 × rated``; rated 10: 11–12 H, 13+ HH; rated 5: 6 H, 7+ HH). Like H→HH of a limit
  alarm an H alarm escalates to HH and keeps HH until it clears.
- ``overstay`` (超时滞留): a person (tag) who ``enter``-ed the zone and has been in it **at least** the
  allowed stay raises H for the zone (one alarm whatever the number of persons over); it clears when no
  person in the zone is over any more (they ``leave``-d). Time passing alone can make it due: `tick` is
  run with each event and by the minute schedule.
- ``motionless`` (人员静止): a person reported ``motionless`` (``value``: seconds already without
  movement, optional) for **at least** the threshold raises at the highest severity (HH); ``moving`` (or
  ``leave``) clears it when no person is still over the threshold.

While the source is paused (shutdown of the enterprise, bypass of the point or the rule) nothing is raised or
extended; an active alarm may still clear and the presence state keeps following the events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .alarms import NO_PAUSE, SEVERITY_RANK, AlarmEvent, EventKind, Family, Pause, Severity
from .points import PointKind

OVERCROWD_HH_FRACTION = 0.2  # L: more than 20 % over the rated number is HH


class EventType(StrEnum):
    VIDEO_OFFLINE = "video_offline"
    VIDEO_ONLINE = "video_online"
    HEADCOUNT = "headcount"
    ENTER = "enter"
    LEAVE = "leave"
    MOTIONLESS = "motionless"
    MOVING = "moving"


VIDEO_TYPES = frozenset({EventType.VIDEO_OFFLINE, EventType.VIDEO_ONLINE})
ZONE_TYPES = frozenset(set(EventType) - VIDEO_TYPES)
PERSON_TYPES = frozenset({EventType.ENTER, EventType.LEAVE, EventType.MOTIONLESS, EventType.MOVING})
EVENT_FAMILIES = (Family.VIDEO_OFFLINE, Family.OVERCROWD, Family.OVERSTAY, Family.MOTIONLESS)


def accepts(kind: str, event_type: str) -> bool:
    """Whether a source of this point kind sends events of this type."""
    if kind == PointKind.VIDEO:
        return event_type in VIDEO_TYPES
    if kind == PointKind.ZONE:
        return event_type in ZONE_TYPES
    return False


@dataclass(frozen=True)
class ZoneRules:
    """A positioning zone's numbers (None: not monitored). A video channel has none."""

    rated_headcount: int | None = None
    max_stay_s: int | None = None
    motionless_s: int | None = None


@dataclass(frozen=True)
class SourceEvent:
    type: EventType
    ts: dt.datetime
    value: float | None = None
    person: str = ""


@dataclass(frozen=True)
class SourceState:
    active: Mapping[Family, Severity] = field(default_factory=dict)
    present: Mapping[str, dt.datetime] = field(default_factory=dict)  # person → entered at
    still: Mapping[str, dt.datetime] = field(default_factory=dict)  # person → without movement since


@dataclass(frozen=True)
class Outcome:
    events: tuple[AlarmEvent, ...]
    state: SourceState


EVENT_DETAIL = {
    Family.OVERCROWD: ("人数 %(value)s，额定人数 %(limit)s", 1.0),
    Family.OVERSTAY: ("已滞留 %(value)s 分钟，允许 %(limit)s 分钟", 60.0),
    Family.MOTIONLESS: ("已静止 %(value)s 秒，阈值 %(limit)s 秒", 1.0),
}  # an event alarm's value and limit in its text (message, divisor of the stored seconds)

EVENT_UNITS = {
    Family.OVERCROWD: ("人", 1.0),
    Family.OVERSTAY: ("分钟", 60.0),
    Family.MOTIONLESS: ("秒", 1.0),
}  # an event alarm's numbers as shown: (unit, divisor of the stored number); the rules store seconds


def event_number(family: str, stored: float) -> tuple[float, str] | None:
    """An event alarm's stored value or limit in the unit it is shown in (the overstay's seconds as minutes,
    to 0.1), or None when the family is not an event rule with a number (video_off has none)."""
    found = EVENT_UNITS.get(Family(family)) if family in {f.value for f in EVENT_UNITS} else None
    if found is None:
        return None
    unit, per = found
    return round(stored / per, 1), unit


def overcrowd_severity(rated: int, count: float) -> Severity | None:
    if count <= rated:
        return None
    return Severity.HH if count - rated > OVERCROWD_HH_FRACTION * rated else Severity.H


def _longest(since: Mapping[str, dt.datetime], now: dt.datetime) -> float:
    return max(((now - t).total_seconds() for t in since.values()), default=0.0)


def _due(limit_s: int | None, since: Mapping[str, dt.datetime], now: dt.datetime) -> bool:
    return limit_s is not None and bool(since) and _longest(since, now) >= limit_s


def _apply(
    family: Family,
    severity_now: Severity | None,
    active: dict[Family, Severity],
    ts: dt.datetime,
    value: float | None,
    limit: float | None,
    *,
    repeat: bool,
    pause: Pause,
) -> list[AlarmEvent]:
    """One family's step: raise, escalate, extend (only when `repeat`: the event is about this family) or
    clear."""
    current = active.get(family)
    if severity_now is None:
        if current is None:
            return []
        del active[family]
        return [AlarmEvent(EventKind.CLEAR, family, current, ts, value)]
    if pause.paused(family):
        return []
    if current is None:
        active[family] = severity_now
        return [AlarmEvent(EventKind.RAISE, family, severity_now, ts, value, limit)]
    if SEVERITY_RANK[severity_now] > SEVERITY_RANK[current]:
        active[family] = severity_now
        return [AlarmEvent(EventKind.ESCALATE, family, severity_now, ts, value, limit)]
    if repeat:
        return [AlarmEvent(EventKind.EXTEND, family, current, ts, value, limit)]
    return []


def _timed(
    rules: ZoneRules,
    active: dict[Family, Severity],
    present: Mapping[str, dt.datetime],
    still: Mapping[str, dt.datetime],
    now: dt.datetime,
    pause: Pause,
    about: EventType | None,
) -> list[AlarmEvent]:
    events: list[AlarmEvent] = []
    for family, limit_s, since, severity, repeat in (
        (Family.OVERSTAY, rules.max_stay_s, present, Severity.H, about is EventType.ENTER),
        (Family.MOTIONLESS, rules.motionless_s, still, Severity.HH, about is EventType.MOTIONLESS),
    ):
        if limit_s is None and family not in active:
            continue
        due = _due(limit_s, since, now)
        events += _apply(
            family,
            severity if due else None,
            active,
            now,
            round(_longest(since, now), 3) if since else None,
            float(limit_s) if limit_s is not None else None,
            repeat=repeat,
            pause=pause,
        )
    return events


def evaluate(rules: ZoneRules, state: SourceState, event: SourceEvent, pause: Pause = NO_PAUSE) -> Outcome:
    """The alarm events one source event causes, and the source's state after it."""
    active = dict(state.active)
    present = dict(state.present)
    still = dict(state.still)
    events: list[AlarmEvent] = []
    kind = event.type
    if kind in VIDEO_TYPES:
        severity = Severity.OFFLINE if kind is EventType.VIDEO_OFFLINE else None
        events += _apply(
            Family.VIDEO_OFFLINE, severity, active, event.ts, None, None, repeat=True, pause=pause
        )
        return Outcome(tuple(events), SourceState(active, present, still))
    if kind is EventType.HEADCOUNT:
        count = event.value if event.value is not None else 0.0
        if rules.rated_headcount is not None:
            events += _apply(
                Family.OVERCROWD,
                overcrowd_severity(rules.rated_headcount, count),
                active,
                event.ts,
                count,
                float(rules.rated_headcount),
                repeat=True,
                pause=pause,
            )
        elif Family.OVERCROWD in active:
            events += _apply(Family.OVERCROWD, None, active, event.ts, count, None, repeat=False, pause=pause)
    elif kind is EventType.ENTER:
        present.setdefault(event.person, event.ts)
    elif kind is EventType.LEAVE:
        present.pop(event.person, None)
        still.pop(event.person, None)
    elif kind is EventType.MOTIONLESS:
        since = event.ts - dt.timedelta(seconds=max(0.0, event.value or 0.0))
        still[event.person] = min(since, still.get(event.person, since))
    elif kind is EventType.MOVING:
        still.pop(event.person, None)
    events += _timed(rules, active, present, still, event.ts, pause, kind)
    return Outcome(tuple(events), SourceState(active, present, still))


def tick(rules: ZoneRules, state: SourceState, now: dt.datetime, pause: Pause = NO_PAUSE) -> Outcome:
    """What time passing alone makes due at `now` (overstay, motionless): the minute schedule's rule."""
    active = dict(state.active)
    events = _timed(rules, active, state.present, state.still, now, pause, None)
    return Outcome(tuple(events), SourceState(active, state.present, state.still))


def reevaluate(
    rules: ZoneRules, state: SourceState, headcount: float | None, now: dt.datetime, pause: Pause = NO_PAUSE
) -> Outcome:
    """After a zone's numbers changed: what the new numbers make due, or no longer due, at `now`, from the
    last headcount reported (None: none yet) and the persons present and still. Nothing is extended (no
    event repeated); an active alarm keeps its severity unless it clears, as with any other step."""
    active = dict(state.active)
    events: list[AlarmEvent] = []
    rated = rules.rated_headcount
    if Family.OVERCROWD in active or (rated is not None and headcount is not None):
        severity = (
            overcrowd_severity(rated, headcount) if rated is not None and headcount is not None else None
        )
        events += _apply(
            Family.OVERCROWD,
            severity,
            active,
            now,
            headcount,
            float(rated) if rated is not None else None,
            repeat=False,
            pause=pause,
        )
    events += _timed(rules, active, state.present, state.still, now, pause, None)
    return Outcome(tuple(events), SourceState(active, state.present, state.still))
