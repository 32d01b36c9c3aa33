"""Inspection task occurrences (隐患排查任务): when a task is due, how an occurrence stands, the on-time rate.

A task's cycle is the national upload's (`checkCycle`, `checkCycleUnit` 小时/天/月/年, plus 周 for ad-hoc
tasks), its `workDayType` (0 every day, 1 working days, 2 non-working days) and, for hourly tasks, the
working hours (`workStartTime`/`workEndTime`). Occurrences are windows [start, end) in the county's time
zone; the daily generation asks `windows_on(cycle, day, tz)` for each task.

Rules kept here:
- hourly: every N hours from the window's start until its end (the last window is cut at the end time);
  a window ending at or before its start means "until midnight". Days are filtered by the work-day type.
- daily: every N days counted from the task's start date; the window lasts N days. Filtered by the
  work-day type (a daily task on working days has no occurrence on a weekend or holiday).
- weekly: every N weeks on the start date's weekday, lasting 7·N days.
- monthly / yearly: every N months / years counted from the start date's month / year, on the task's
  anchor — a day of the month 1–31 (monthly and yearly) and a month (yearly) — or, without one, on the
  start date's day and month; a day past the month's end falls on its last day (31 → 30 April, 28 or
  29 February; 29 Feb yearly → 28 Feb in a common year); none before the start date; each lasts until the
  next one. The work-day type does not move them.
- A window that overlaps a recorded shutdown (停用检修) of the unit is *suspended*: neither due nor missed
  (REFERENCE §4).
- An occurrence is *due* inside its window, *overdue* after it while the late-check grace lasts (a check
  then is recorded, late), and *missed* after that; done on time means done before the window's end.

Working days are Monday–Friday unless a calendar says otherwise (`WorkCalendar`: statutory holidays and
the weekend days worked in exchange, 调休).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal
from zoneinfo import ZoneInfo

HOUR: Final = "小时"
DAY: Final = "天"
WEEK: Final = "周"
MONTH: Final = "月"
YEAR: Final = "年"
UNITS: Final = (HOUR, DAY, WEEK, MONTH, YEAR)

EVERY_DAY: Final = 0
WORKING_DAYS: Final = 1
NON_WORKING_DAYS: Final = 2

DUE: Final = "due"
UPCOMING: Final = "upcoming"
OVERDUE: Final = "overdue"
MISSED: Final = "missed"
DONE: Final = "done"
SUSPENDED: Final = "suspended"
State = Literal["upcoming", "due", "overdue", "missed", "done", "suspended"]


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: Monday–Friday, minus holidays, plus weekend days worked (调休)."""

    holidays: frozenset[dt.date] = frozenset()
    extra_working_days: frozenset[dt.date] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


@dataclass(frozen=True)
class Cycle:
    every: int
    unit: str
    start: dt.date  # the task's first day (taskStartTime); anchors daily/weekly/monthly/yearly cycles
    work_day_type: int = EVERY_DAY
    work_start: dt.time | None = None  # hourly tasks only
    work_end: dt.time | None = None
    anchor_day: int | None = None  # monthly/yearly: the day of the month (1–31), else the start's day
    anchor_month: int | None = None  # yearly: the month (1–12), else the start's month

    def problems(self) -> list[str]:
        """What makes the cycle unusable (empty when it is fine)."""
        found = anchor_problems(self.anchor_day, self.anchor_month)
        if self.every < 1:
            found.append("every")
        if self.unit not in UNITS:
            found.append("unit")
        if self.work_day_type not in (EVERY_DAY, WORKING_DAYS, NON_WORKING_DAYS):
            found.append("work_day_type")
        if self.unit == HOUR and self.every > 24:
            found.append("every")
        return found


def anchor_problems(day: int | None, month: int | None) -> list[str]:
    """What is wrong with an anchor: a day outside 1–31, a month outside 1–12, a day the month never has
    (30 or 31 February, 31 April …; 29 February is fine: it falls on the 28th in a common year)."""
    found = []
    if day is not None and not 1 <= day <= 31:
        found.append("anchor_day")
    if month is not None and not 1 <= month <= 12:
        found.append("anchor_month")
    if not found and day is not None and month is not None and day > calendar.monthrange(2000, month)[1]:
        found.append("anchor_day")
    return found


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Interval:
    """A shutdown (停用检修): from `start` until `end` (None: still shut down)."""

    start: dt.datetime
    end: dt.datetime | None = None


def _at(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz)


def day_counts(work_day_type: int, day: dt.date, cal: WorkCalendar) -> bool:
    """Whether a task of this work-day type has its daily/hourly occurrences on `day`."""
    if work_day_type == EVERY_DAY:
        return True
    working = cal.is_working_day(day)
    return working if work_day_type == WORKING_DAYS else not working


def follows_calendar(unit: str, work_day_type: int) -> bool:
    """Whether the calendar decides a task's days (hourly and daily tasks typed working/non-working days)."""
    return unit in (HOUR, DAY) and work_day_type != EVERY_DAY


def _day_counts(cycle: Cycle, day: dt.date, cal: WorkCalendar) -> bool:
    return day_counts(cycle.work_day_type, day, cal)


def _on_day(year: int, month: int, day: int) -> dt.date:
    """`day` of the month, or the month's last day when it is shorter."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _nth(cycle: Cycle, n: int) -> dt.date:
    """The n-th scheduled day (n ≥ 0) of a monthly/yearly cycle, counted from the start's month/year."""
    day = cycle.anchor_day or cycle.start.day
    if cycle.unit == YEAR and cycle.anchor_month:
        return _on_day(cycle.start.year + n * cycle.every, cycle.anchor_month, day)
    year, month = divmod(cycle.start.year * 12 + cycle.start.month - 1 + n * _month_step(cycle), 12)
    return _on_day(year, month + 1, day)


def _period_index(cycle: Cycle, day: dt.date) -> int | None:
    """Which n a day may be the n-th scheduled day of (None: it is in no scheduled month)."""
    if cycle.unit == YEAR and cycle.anchor_month:
        years = day.year - cycle.start.year
        if day.month != cycle.anchor_month or years % cycle.every:
            return None
        return years // cycle.every
    months = (day.year - cycle.start.year) * 12 + day.month - cycle.start.month
    step = _month_step(cycle)
    return None if months % step else months // step


def _hourly(cycle: Cycle, day: dt.date, tz: ZoneInfo) -> list[Window]:
    begin = _at(day, cycle.work_start or dt.time(0), tz)
    end_time = cycle.work_end or dt.time(0)
    finish = _at(day, end_time, tz)
    if finish <= begin:
        finish = _at(day + dt.timedelta(days=1), dt.time(0), tz)
    step = dt.timedelta(hours=cycle.every)
    windows = []
    start = begin
    while start < finish:
        windows.append(Window(start, min(start + step, finish)))
        start += step
    return windows


def _month_step(cycle: Cycle) -> int:
    return cycle.every * (12 if cycle.unit == YEAR else 1)


def windows_on(cycle: Cycle, day: dt.date, tz: ZoneInfo, cal: WorkCalendar = WorkCalendar()) -> list[Window]:
    """The occurrences whose window starts on `day` (county time), in time order."""
    if cycle.problems() or day < cycle.start:
        return []
    midnight = _at(day, dt.time(0), tz)
    if cycle.unit == HOUR:
        return _hourly(cycle, day, tz) if _day_counts(cycle, day, cal) else []
    if cycle.unit in (DAY, WEEK):
        length = cycle.every * (7 if cycle.unit == WEEK else 1)
        if (day - cycle.start).days % length:
            return []
        if cycle.unit == DAY and not _day_counts(cycle, day, cal):
            return []
        return [Window(midnight, _at(day + dt.timedelta(days=length), dt.time(0), tz))]
    n = _period_index(cycle, day)
    if n is None or n < 0 or _nth(cycle, n) != day:
        return []
    return [Window(midnight, _at(_nth(cycle, n + 1), dt.time(0), tz))]


def suspended(window: Window, shutdowns: Sequence[Interval]) -> bool:
    """Whether the window overlaps a shutdown (its start inclusive, its end exclusive)."""
    return any(s.start < window.end and (s.end is None or s.end > window.start) for s in shutdowns)


def state(
    window: Window,
    now: dt.datetime,
    *,
    done_at: dt.datetime | None = None,
    grace: dt.timedelta = dt.timedelta(0),
    is_suspended: bool = False,
) -> State:
    """How one occurrence stands at `now`."""
    if done_at is not None:
        return DONE
    if is_suspended:
        return SUSPENDED
    if now < window.start:
        return UPCOMING
    if now < window.end:
        return DUE
    if now < window.end + grace:
        return OVERDUE
    return MISSED


def on_time(window: Window, done_at: dt.datetime | None) -> bool:
    return done_at is not None and done_at < window.end


@dataclass(frozen=True)
class Rate:
    """On-time inspection rate over occurrences whose window has ended (suspended ones not counted)."""

    on_time: int
    counted: int
    percent: Decimal | None = field(init=False)

    def __post_init__(self) -> None:
        if self.on_time < 0 or self.counted < 0 or self.on_time > self.counted:
            raise ValueError("on_time must be between 0 and counted")
        value = None
        if self.counted:
            value = (Decimal(100) * self.on_time / self.counted).quantize(Decimal("0.1"), ROUND_HALF_UP)
        object.__setattr__(self, "percent", value)


def on_time_rate(on_time_count: int, ended_count: int, suspended_count: int = 0) -> Rate:
    """`ended_count` occurrences whose window is over, `suspended_count` of them suspended (not counted)."""
    return Rate(on_time_count, ended_count - suspended_count)
