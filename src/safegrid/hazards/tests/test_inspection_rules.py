"""Table tests of inspection occurrence rules (hazards/rules/inspection.py), boundaries included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from safegrid.hazards.rules import inspection as r

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date
T = dt.time
MON = D(2026, 3, 2)  # a Monday


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, T(hour, minute), tzinfo=TZ)


def spans(windows: list[r.Window]) -> list[tuple[str, str]]:
    return [(w.start.strftime("%m-%d %H:%M"), w.end.strftime("%m-%d %H:%M")) for w in windows]


@pytest.mark.parametrize(
    ("cycle", "day", "expected"),
    [
        # hourly: every 2 h inside 08:00–18:00; every 4 h cut at the end; every hour of the whole day
        (
            r.Cycle(2, r.HOUR, MON, work_start=T(8), work_end=T(18)),
            MON,
            [
                ("03-02 08:00", "03-02 10:00"),
                ("03-02 10:00", "03-02 12:00"),
                ("03-02 12:00", "03-02 14:00"),
                ("03-02 14:00", "03-02 16:00"),
                ("03-02 16:00", "03-02 18:00"),
            ],
        ),
        (
            r.Cycle(4, r.HOUR, MON, work_start=T(8), work_end=T(18)),
            MON,
            [("03-02 08:00", "03-02 12:00"), ("03-02 12:00", "03-02 16:00"), ("03-02 16:00", "03-02 18:00")],
        ),
        (r.Cycle(24, r.HOUR, MON), MON, [("03-02 00:00", "03-03 00:00")]),
        (
            r.Cycle(8, r.HOUR, MON, work_start=T(16)),  # no end: until midnight
            MON,
            [("03-02 16:00", "03-03 00:00")],
        ),
        # hourly on working days: nothing on Saturday
        (r.Cycle(2, r.HOUR, MON, r.WORKING_DAYS, T(8), T(10)), MON + dt.timedelta(days=5), []),
        (r.Cycle(2, r.HOUR, MON, r.NON_WORKING_DAYS, T(8), T(10)), MON, []),
        (
            r.Cycle(2, r.HOUR, MON, r.NON_WORKING_DAYS, T(8), T(10)),
            MON + dt.timedelta(days=6),
            [("03-08 08:00", "03-08 10:00")],
        ),
        # daily: every day; every 3 days from the start (day 0 and 3, not 1, 2); before the start nothing
        (r.Cycle(1, r.DAY, MON), MON, [("03-02 00:00", "03-03 00:00")]),
        (r.Cycle(3, r.DAY, MON), MON + dt.timedelta(days=3), [("03-05 00:00", "03-08 00:00")]),
        (r.Cycle(3, r.DAY, MON), MON + dt.timedelta(days=2), []),
        (r.Cycle(1, r.DAY, MON), MON - dt.timedelta(days=1), []),
        (
            r.Cycle(1, r.DAY, MON, r.WORKING_DAYS),
            MON + dt.timedelta(days=4),
            [("03-06 00:00", "03-07 00:00")],
        ),
        (r.Cycle(1, r.DAY, MON, r.WORKING_DAYS), MON + dt.timedelta(days=5), []),
        # weekly on the start's weekday, lasting 7·N days
        (r.Cycle(1, r.WEEK, MON), MON + dt.timedelta(days=7), [("03-09 00:00", "03-16 00:00")]),
        (r.Cycle(2, r.WEEK, MON), MON + dt.timedelta(days=7), []),
        (r.Cycle(2, r.WEEK, MON), MON + dt.timedelta(days=14), [("03-16 00:00", "03-30 00:00")]),
        # monthly on the start's day; the 31st falls on the month's last day; quarterly = every 3 months
        (r.Cycle(1, r.MONTH, D(2026, 1, 31)), D(2026, 2, 28), [("02-28 00:00", "03-31 00:00")]),
        (r.Cycle(1, r.MONTH, D(2026, 1, 31)), D(2026, 2, 27), []),
        (r.Cycle(3, r.MONTH, D(2026, 1, 15)), D(2026, 4, 15), [("04-15 00:00", "07-15 00:00")]),
        (r.Cycle(3, r.MONTH, D(2026, 1, 15)), D(2026, 3, 15), []),
        (
            r.Cycle(1, r.MONTH, D(2026, 1, 15), r.WORKING_DAYS),
            D(2026, 3, 15),
            [("03-15 00:00", "04-15 00:00")],
        ),
        # yearly; 29 Feb → 28 Feb in a common year
        (r.Cycle(1, r.YEAR, D(2024, 2, 29)), D(2025, 2, 28), [("02-28 00:00", "02-28 00:00")]),
        (r.Cycle(1, r.YEAR, D(2025, 6, 1)), D(2026, 6, 1), [("06-01 00:00", "06-01 00:00")]),
        (r.Cycle(2, r.YEAR, D(2025, 6, 1)), D(2026, 6, 1), []),
        # unusable cycles generate nothing
        (r.Cycle(0, r.DAY, MON), MON, []),
        (r.Cycle(1, "季", MON), MON, []),
        (r.Cycle(25, r.HOUR, MON), MON, []),
    ],
)
def test_windows_on(cycle: r.Cycle, day: dt.date, expected: list[tuple[str, str]]) -> None:
    assert spans(r.windows_on(cycle, day, TZ)) == expected


def test_yearly_window_lasts_until_next_year() -> None:
    (w,) = r.windows_on(r.Cycle(1, r.YEAR, D(2024, 2, 29)), D(2025, 2, 28), TZ)
    assert (w.start.date(), w.end.date()) == (D(2025, 2, 28), D(2026, 2, 28))


def test_windows_are_in_county_time() -> None:
    (w,) = r.windows_on(r.Cycle(1, r.DAY, MON), MON, TZ)
    assert w.start.astimezone(dt.UTC) == dt.datetime(2026, 3, 1, 16, 0, tzinfo=dt.UTC)


def test_calendar_holidays_and_swapped_working_days() -> None:
    cal = r.WorkCalendar(
        holidays=frozenset({MON}), extra_working_days=frozenset({MON + dt.timedelta(days=5)})
    )
    cycle = r.Cycle(1, r.DAY, MON, r.WORKING_DAYS)
    assert r.windows_on(cycle, MON, TZ, cal) == []
    assert len(r.windows_on(cycle, MON + dt.timedelta(days=5), TZ, cal)) == 1


W = r.Window(at(MON, 8), at(MON, 10))


@pytest.mark.parametrize(
    ("shutdowns", "expected"),
    [
        ([], False),
        ([r.Interval(at(MON, 10), at(MON, 12))], False),  # starts as the window ends
        ([r.Interval(at(MON, 6), at(MON, 8))], False),  # ends as the window starts
        ([r.Interval(at(MON, 6), at(MON, 8, 1))], True),
        ([r.Interval(at(MON, 9, 59), None)], True),  # still shut down
        ([r.Interval(at(MON, 0), at(MON, 1)), r.Interval(at(MON, 9), at(MON, 9, 30))], True),
    ],
)
def test_suspended(shutdowns: list[r.Interval], expected: bool) -> None:
    assert r.suspended(W, shutdowns) is expected


GRACE = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("now", "done_at", "is_suspended", "expected"),
    [
        (at(MON, 7, 59), None, False, r.UPCOMING),
        (at(MON, 8), None, False, r.DUE),
        (at(MON, 9, 59), None, False, r.DUE),
        (at(MON, 10), None, False, r.OVERDUE),
        (at(MON, 10, 59), None, False, r.OVERDUE),
        (at(MON, 11), None, False, r.MISSED),
        (at(MON, 11), at(MON, 10, 30), False, r.DONE),
        (at(MON, 11), None, True, r.SUSPENDED),
        (at(MON, 11), at(MON, 9), True, r.DONE),
    ],
)
def test_state(now: dt.datetime, done_at: dt.datetime | None, is_suspended: bool, expected: str) -> None:
    assert r.state(W, now, done_at=done_at, grace=GRACE, is_suspended=is_suspended) == expected


@pytest.mark.parametrize(
    ("done_at", "expected"),
    [(None, False), (at(MON, 9, 59), True), (at(MON, 10), False), (at(MON, 8), True)],
)
def test_on_time(done_at: dt.datetime | None, expected: bool) -> None:
    assert r.on_time(W, done_at) is expected


@pytest.mark.parametrize(
    ("on_time", "ended", "suspended", "percent"),
    [
        (0, 0, 0, None),
        (0, 5, 5, None),  # all suspended: nothing counted
        (9, 10, 0, Decimal("90.0")),
        (2, 3, 0, Decimal("66.7")),
        (1, 3, 0, Decimal("33.3")),
        (10, 10, 0, Decimal("100.0")),
        (0, 10, 0, Decimal("0.0")),
        (4, 10, 2, Decimal("50.0")),
    ],
)
def test_on_time_rate(on_time: int, ended: int, suspended: int, percent: Decimal | None) -> None:
    assert r.on_time_rate(on_time, ended, suspended).percent == percent


@pytest.mark.parametrize(("on_time", "ended", "suspended"), [(3, 5, 5), (6, 5, 0), (-1, 5, 0)])
def test_on_time_rate_refuses_impossible_counts(on_time: int, ended: int, suspended: int) -> None:
    with pytest.raises(ValueError):
        r.on_time_rate(on_time, ended, suspended)


def scheduled(cycle: r.Cycle, first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """Every (start, end) day of the cycle's windows starting between `first` and `last`."""
    found = []
    day = first
    while day <= last:
        found += [
            (w.start.strftime("%Y-%m-%d"), w.end.strftime("%Y-%m-%d")) for w in r.windows_on(cycle, day, TZ)
        ]
        day += dt.timedelta(days=1)
    return found


@pytest.mark.parametrize(
    ("cycle", "first", "last", "expected"),
    [
        # monthly on the 31st from a task started on the 10th: 31 Jan, 28 Feb (common year), 31 Mar, 30 Apr
        (
            r.Cycle(1, r.MONTH, D(2026, 1, 10), anchor_day=31),
            D(2026, 1, 1),
            D(2026, 4, 30),
            [
                ("2026-01-31", "2026-02-28"),
                ("2026-02-28", "2026-03-31"),
                ("2026-03-31", "2026-04-30"),
                ("2026-04-30", "2026-05-31"),
            ],
        ),
        # a leap year: 29 February
        (
            r.Cycle(1, r.MONTH, D(2028, 1, 31), anchor_day=31),
            D(2028, 2, 1),
            D(2028, 3, 1),
            [("2028-02-29", "2028-03-31")],
        ),
        # the anchor before the start day in the start's month: the first window is the next month's
        (
            r.Cycle(1, r.MONTH, D(2026, 1, 20), anchor_day=5),
            D(2026, 1, 1),
            D(2026, 2, 28),
            [("2026-02-05", "2026-03-05")],
        ),
        # the anchor day itself is the first day (boundary) and quarterly counts from the start's month
        (
            r.Cycle(3, r.MONTH, D(2026, 1, 5), anchor_day=5),
            D(2026, 1, 1),
            D(2026, 7, 31),
            [("2026-01-05", "2026-04-05"), ("2026-04-05", "2026-07-05"), ("2026-07-05", "2026-10-05")],
        ),
        # yearly on 29 Feb: 28 Feb in common years, 29 Feb in 2028; none before the start
        (
            r.Cycle(1, r.YEAR, D(2026, 6, 1), anchor_day=29, anchor_month=2),
            D(2026, 1, 1),
            D(2028, 12, 31),
            [("2027-02-28", "2028-02-29"), ("2028-02-29", "2029-02-28")],
        ),
        # yearly on 15 Sep, every 2 years, counted from the start's year
        (
            r.Cycle(2, r.YEAR, D(2026, 3, 1), anchor_day=15, anchor_month=9),
            D(2026, 1, 1),
            D(2029, 12, 31),
            [("2026-09-15", "2028-09-15"), ("2028-09-15", "2030-09-15")],
        ),
        # yearly with a day only: the start's month
        (
            r.Cycle(1, r.YEAR, D(2026, 5, 2), anchor_day=20),
            D(2026, 1, 1),
            D(2027, 12, 31),
            [("2026-05-20", "2027-05-20"), ("2027-05-20", "2028-05-20")],
        ),
        # an impossible anchor generates nothing
        (r.Cycle(1, r.MONTH, D(2026, 1, 1), anchor_day=32), D(2026, 1, 1), D(2026, 3, 1), []),
        (r.Cycle(1, r.YEAR, D(2026, 1, 1), anchor_day=30, anchor_month=2), D(2026, 1, 1), D(2027, 3, 1), []),
    ],
)
def test_monthly_and_yearly_anchor(
    cycle: r.Cycle, first: dt.date, last: dt.date, expected: list[tuple[str, str]]
) -> None:
    assert scheduled(cycle, first, last) == expected


@pytest.mark.parametrize(
    ("day", "month", "problems"),
    [
        (None, None, []),
        (1, None, []),
        (31, None, []),
        (0, None, ["anchor_day"]),
        (32, None, ["anchor_day"]),
        (29, 2, []),
        (30, 2, ["anchor_day"]),
        (31, 4, ["anchor_day"]),
        (30, 4, []),
        (1, 0, ["anchor_month"]),
        (1, 13, ["anchor_month"]),
    ],
)
def test_anchor_problems(day: int | None, month: int | None, problems: list[str]) -> None:
    assert r.anchor_problems(day, month) == problems
