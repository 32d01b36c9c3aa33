"""The alarm rules of a monitoring point, pure: a reading and the point's state in, alarm events out.

One alarm per point and rule *family* (REFERENCE §6, "one active alarm per (point, rule)"):

- ``high``: severity H, escalating to HH; ``low``: L, escalating to LL;
- ``rate``: the change per minute over the previous reading above the point's rate limit;
- ``offline``: no data within the point's offline timeout (evaluated by the minute schedule, cleared by
  the next reading).

Boundaries (decided here, tested in ``tests/test_rules_alarms.py``):

- A limit is the alarm *set point*: a value **at** H (or HH) is an alarm, a value at L (or LL) is an alarm
  (GB/T 50493-2019 speaks of the concentration *reaching* the set value).
- An active alarm clears only when the value has returned past its family's first limit by the deadband:
  high clears when ``value < H − deadband``, low when ``value > L + deadband``. Between the limit and the
  deadband the alarm stays active and no repeat is counted (no chattering).
- A repeat is a reading that would raise the alarm again while it is active: it *extends* the alarm
  (count, last value, peak), never a second alarm.
- An alarm keeps the highest severity it reached until it clears (an H alarm that went to HH stays HH:
  the operator must see that HH was reached). Escalating to HH makes it unacknowledged again (services).
- Rate of change: ``|Δvalue| / Δminutes`` against the previous reading; **above** the limit is an alarm
  (the limit is the largest change allowed), equal is not. A reading not newer than the previous one is
  not used for the rate. The rate alarm clears at the first reading whose rate is within the limit.
- Offline: a point is offline when **more** than ``offline_timeout_s`` seconds passed since its last
  reading arrived (since its creation when it never reported); at exactly the timeout it is not.
- While the point is paused (its enterprise is in a recorded shutdown, 停用检修) or bypassed (the whole
  point, or the family masked), nothing is raised, extended or escalated for the paused families; active
  alarms may still clear, and the state (previous reading) keeps following the readings.

The escalation ladder (unacknowledged alarms pushed enterprise → town → county) and its reminders are at
the end; its defaults are configuration (``SAFEGRID_ALARM_ESCALATION``), not law.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from typing import Protocol

from .points import Limits


class Family(StrEnum):
    HIGH = "high"
    LOW = "low"
    RATE = "rate"
    OFFLINE = "offline"
    # event alarms of video channels and personnel-positioning zones (rules/events.py)
    VIDEO_OFFLINE = "video_off"
    OVERCROWD = "overcrowd"
    OVERSTAY = "overstay"
    MOTIONLESS = "motionless"


class Severity(StrEnum):
    H = "H"
    HH = "HH"
    L = "L"
    LL = "LL"
    RATE = "RATE"
    OFFLINE = "OFFLINE"


# Higher is worse within a family; across families the page sorts HH/LL before the rest.
SEVERITY_RANK: Mapping[Severity, int] = {
    Severity.H: 1,
    Severity.L: 1,
    Severity.RATE: 1,
    Severity.OFFLINE: 1,
    Severity.HH: 2,
    Severity.LL: 2,
}


class EventKind(StrEnum):
    RAISE = "raise"  # a new alarm
    EXTEND = "extend"  # a repeat of the active alarm: count, last value, peak
    ESCALATE = "escalate"  # H → HH, L → LL
    CLEAR = "clear"  # the value returned past the deadband (or data came back)


@dataclass(frozen=True)
class PointRules:
    """What a point's readings are held to (from MonitoringPoint)."""

    limits: Limits = Limits()
    deadband: float = 0.0
    rate_limit: float | None = None  # per minute; None: not monitored
    offline_timeout_s: int = 300


@dataclass(frozen=True, slots=True)
class Reading:
    ts: dt.datetime
    value: float


class Sample(Protocol):
    """What the quiet path reads of a reading: a `Reading`, or the ingest's accepted reading as it is (no
    copy made of each of a hundred thousand readings a second)."""

    @property
    def ts(self) -> dt.datetime: ...

    @property
    def value(self) -> float: ...


@dataclass(frozen=True, slots=True)
class PointState:
    """What the engine remembers of a point between readings."""

    active: Mapping[Family, Severity] = field(default_factory=dict)
    last: Sample | None = None


@dataclass(frozen=True)
class Pause:
    """Why nothing is raised: a shutdown of the enterprise, or a bypass of the point or some families."""

    shutdown: bool = False
    whole_point: bool = False
    families: frozenset[Family] = frozenset()

    def paused(self, family: Family) -> bool:
        return self.shutdown or self.whole_point or family in self.families


NO_PAUSE = Pause()


@dataclass(frozen=True)
class AlarmEvent:
    kind: EventKind
    family: Family
    severity: Severity
    ts: dt.datetime
    value: float | None  # None for offline
    limit: float | None = None  # the limit crossed (or the rate limit), for the alarm's text


@dataclass(frozen=True)
class Evaluation:
    events: tuple[AlarmEvent, ...]
    state: PointState


def _high_severity(limits: Limits, value: float) -> tuple[Severity, float] | None:
    if limits.hh is not None and value >= limits.hh:
        return Severity.HH, limits.hh
    if limits.h is not None and value >= limits.h:
        return Severity.H, limits.h
    return None


def _low_severity(limits: Limits, value: float) -> tuple[Severity, float] | None:
    if limits.ll is not None and value <= limits.ll:
        return Severity.LL, limits.ll
    if limits.l is not None and value <= limits.l:
        return Severity.L, limits.l
    return None


def _high_cleared(limits: Limits, deadband: float, value: float) -> bool:
    first = limits.h if limits.h is not None else limits.hh
    return first is None or value < first - deadband


def _low_cleared(limits: Limits, deadband: float, value: float) -> bool:
    first = limits.l if limits.l is not None else limits.ll
    return first is None or value > first + deadband


def rate_per_minute(previous: Sample, current: Sample) -> float | None:
    """|Δvalue| per minute from the previous reading; None when the reading is not newer."""
    seconds = (current.ts - previous.ts).total_seconds()
    if seconds <= 0:
        return None
    return abs(current.value - previous.value) * 60.0 / seconds


def _limit_family(
    family: Family,
    severity_now: tuple[Severity, float] | None,
    cleared: bool,
    active: Severity | None,
    reading: Reading,
    paused: bool,
) -> tuple[list[AlarmEvent], Severity | None]:
    events: list[AlarmEvent] = []
    if active is None:
        if severity_now is not None and not paused:
            severity, limit = severity_now
            events.append(AlarmEvent(EventKind.RAISE, family, severity, reading.ts, reading.value, limit))
            return events, severity
        return events, None
    if cleared:
        events.append(AlarmEvent(EventKind.CLEAR, family, active, reading.ts, reading.value))
        return events, None
    if severity_now is None or paused:
        return events, active  # between the limit and the deadband, or paused: held, not a repeat
    severity, limit = severity_now
    if SEVERITY_RANK[severity] > SEVERITY_RANK[active]:
        events.append(AlarmEvent(EventKind.ESCALATE, family, severity, reading.ts, reading.value, limit))
        return events, severity
    events.append(AlarmEvent(EventKind.EXTEND, family, active, reading.ts, reading.value, limit))
    return events, active


def quiet_band(rules: PointRules) -> tuple[float, float]:
    """The open interval of values that raise no limit alarm: below the first high limit reached (H, else
    HH) and above the first low one (L, else LL)."""
    highs = [x for x in (rules.limits.h, rules.limits.hh) if x is not None]
    lows = [x for x in (rules.limits.l, rules.limits.ll) if x is not None]
    return (max(lows) if lows else -math.inf, min(highs) if highs else math.inf)


def is_quiet(rules: PointRules, band: tuple[float, float], state: PointState, reading: Sample) -> bool:
    """True when `evaluate` would return no event and only move the previous reading: the point has no
    active alarm, the value is inside `band` (`quiet_band(rules)`) and its rate of change is within the
    limit. The ingest's fast path for the ordinary reading (tests/test_rules_alarms.py holds it to
    `evaluate`)."""
    if state.active or not band[0] < reading.value < band[1]:
        return False
    if rules.rate_limit is None or state.last is None:
        return True
    rate = rate_per_minute(state.last, reading)
    return rate is None or rate <= rules.rate_limit


def moved(state: PointState, reading: Sample) -> PointState:
    """The state after a quiet reading: the previous reading is the newer of the two."""
    if state.last is None or reading.ts > state.last.ts:
        return PointState(active=state.active, last=reading)
    return state


def evaluate(rules: PointRules, state: PointState, reading: Reading, pause: Pause = NO_PAUSE) -> Evaluation:
    """The events one reading causes, and the point's state after it."""
    active = dict(state.active)
    events: list[AlarmEvent] = []
    if Family.OFFLINE in active:
        events.append(
            AlarmEvent(EventKind.CLEAR, Family.OFFLINE, active.pop(Family.OFFLINE), reading.ts, None)
        )
    limits, value = rules.limits, reading.value
    for family, severity_now, cleared in (
        (Family.HIGH, _high_severity(limits, value), _high_cleared(limits, rules.deadband, value)),
        (Family.LOW, _low_severity(limits, value), _low_cleared(limits, rules.deadband, value)),
    ):
        found, now = _limit_family(
            family, severity_now, cleared, active.get(family), reading, pause.paused(family)
        )
        events.extend(found)
        if now is None:
            active.pop(family, None)
        else:
            active[family] = now
    rate = rate_per_minute(state.last, reading) if state.last is not None else None
    if rules.rate_limit is not None and rate is not None:
        over = rate > rules.rate_limit
        found, now = _limit_family(
            Family.RATE,
            (Severity.RATE, rules.rate_limit) if over else None,
            not over,
            active.get(Family.RATE),
            Reading(reading.ts, rate),
            pause.paused(Family.RATE),
        )
        events.extend(found)
        if now is None:
            active.pop(Family.RATE, None)
        else:
            active[Family.RATE] = now
    elif rules.rate_limit is None and Family.RATE in active:
        # the rate limit was removed: nothing holds the alarm any more
        events.append(AlarmEvent(EventKind.CLEAR, Family.RATE, active.pop(Family.RATE), reading.ts, value))
    newer = state.last is None or reading.ts > state.last.ts
    return Evaluation(tuple(events), PointState(active=active, last=reading if newer else state.last))


def is_offline(timeout_s: int, since: dt.datetime, now: dt.datetime) -> bool:
    """No data for more than the timeout since `since` (the last arrival, or the point's creation)."""
    return (now - since).total_seconds() > timeout_s


def offline_event(
    rules: PointRules, state: PointState, since: dt.datetime, now: dt.datetime, pause: Pause = NO_PAUSE
) -> AlarmEvent | None:
    """The offline alarm to raise at `now`, if any (the schedule's rule; a reading clears it)."""
    if Family.OFFLINE in state.active or pause.paused(Family.OFFLINE):
        return None
    if not is_offline(rules.offline_timeout_s, since, now):
        return None
    return AlarmEvent(
        EventKind.RAISE, Family.OFFLINE, Severity.OFFLINE, now, None, float(rules.offline_timeout_s)
    )


def with_offline(state: PointState) -> PointState:
    return replace(state, active={**state.active, Family.OFFLINE: Severity.OFFLINE})


# ---- escalation of unacknowledged alarms -------------------------------------------------------------------


class Level(IntEnum):
    ENTERPRISE = 0
    TOWN = 1
    COUNTY = 2


@dataclass(frozen=True)
class Ladder:
    """Minutes unacknowledged before an alarm is pushed to the next level, and between reminders.

    Defaults (**L**, configurable through SAFEGRID_ALARM_ESCALATION): no statute fixes them. EEMUA 191 /
    ISA-18.2 take about one alarm per operator per 10 minutes as manageable, so an alarm nobody at the
    enterprise acknowledged within 15 minutes is not being handled: the town is told; after 30 minutes
    the county. Reminders every 10 minutes to the current level until someone acknowledges.
    """

    town_minutes: int = 15
    county_minutes: int = 30
    reminder_minutes: int = 10

    SOURCES = {
        "town_minutes": "L：可配置默认值，EEMUA 191 / ISA-18.2 每名操作员约 10 分钟 1 条报警可处置",
        "county_minutes": "L：可配置默认值，镇街推送后仍无人确认再上报县级",
        "reminder_minutes": "L：可配置默认值，未确认期间每 10 分钟重复提醒",
    }

    def problems(self) -> list[str]:
        found = [
            name
            for name in ("town_minutes", "county_minutes", "reminder_minutes")
            if getattr(self, name) <= 0
        ]
        if self.county_minutes <= self.town_minutes:
            found.append("county_minutes")
        return found


@dataclass(frozen=True)
class EscalationStep:
    level: Level  # the level to notify now
    escalated: bool  # True: a new level is reached; False: a reminder to the current level


def escalation_due(
    raised_at: dt.datetime,
    now: dt.datetime,
    level: Level,
    last_reminder_at: dt.datetime | None,
    ladder: Ladder = Ladder(),
) -> EscalationStep | None:
    """What an unacknowledged alarm needs at `now`: the next level, a reminder, or nothing.

    The level is reached **at** its minute (15 minutes unacknowledged → the town). A level skipped while
    the schedule was down is caught up at once (straight to the county), never stepped through twice.
    """
    minutes = (now - raised_at).total_seconds() / 60.0
    target = Level.ENTERPRISE
    if minutes >= ladder.county_minutes:
        target = Level.COUNTY
    elif minutes >= ladder.town_minutes:
        target = Level.TOWN
    if target > level:
        return EscalationStep(target, escalated=True)
    since = last_reminder_at or raised_at
    if (now - since).total_seconds() / 60.0 >= ladder.reminder_minutes:
        return EscalationStep(level, escalated=False)
    return None


def ladder_from(overrides: Mapping[str, object] | None) -> Ladder:
    """The default ladder with `overrides` applied; an unknown name or a bad value is refused (ValueError)."""
    if not overrides:
        return Ladder()
    names = {"town_minutes", "county_minutes", "reminder_minutes"}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ValueError(f"unknown alarm escalation settings: {', '.join(unknown)}")
    values: dict[str, int] = {}
    for name, value in overrides.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"alarm escalation setting {name} must be a whole number of minutes")
        values[name] = value
    ladder = replace(Ladder(), **values)
    if ladder.problems():
        raise ValueError(f"alarm escalation settings out of order: {', '.join(ladder.problems())}")
    return ladder
