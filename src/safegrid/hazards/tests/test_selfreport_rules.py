"""The self-report's periods, due dates and lateness (rules.selfreport), table-tested at the boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.hazards.rules import selfreport as rules
from safegrid.hazards.rules.deadlines import Deadlines, deadlines_from

D = dt.date
CONFIG = Deadlines()


@pytest.mark.parametrize(
    ("day", "kind", "expected"),
    [
        (D(2026, 1, 1), rules.QUARTER, rules.quarter(2026, 1)),
        (D(2026, 3, 31), rules.QUARTER, rules.quarter(2026, 1)),
        (D(2026, 4, 1), rules.QUARTER, rules.quarter(2026, 2)),
        (D(2026, 9, 30), rules.QUARTER, rules.quarter(2026, 3)),
        (D(2026, 12, 31), rules.QUARTER, rules.quarter(2026, 4)),
        (D(2026, 12, 31), rules.YEAR, rules.annual(2026)),
        (D(2027, 1, 1), rules.YEAR, rules.annual(2027)),
    ],
)
def test_period_of(day, kind, expected):
    assert rules.period_of(day, kind) == expected


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (rules.quarter(2026, 1), D(2026, 1, 1), D(2026, 3, 31)),
        (rules.quarter(2024, 1), D(2024, 1, 1), D(2024, 3, 31)),  # leap year: irrelevant to quarter ends
        (rules.quarter(2026, 2), D(2026, 4, 1), D(2026, 6, 30)),
        (rules.quarter(2026, 3), D(2026, 7, 1), D(2026, 9, 30)),
        (rules.quarter(2026, 4), D(2026, 10, 1), D(2026, 12, 31)),
        (rules.annual(2026), D(2026, 1, 1), D(2026, 12, 31)),
    ],
)
def test_period_bounds(period, start, end):
    assert (period.start, period.end) == (start, end)
    assert period.months[0] == start and period.months[-1] == end.replace(day=1)
    assert len(period.months) == (12 if period.kind == rules.YEAR else 3)


@pytest.mark.parametrize(
    ("period", "due"),
    [
        (rules.quarter(2026, 1), D(2026, 4, 15)),
        (rules.quarter(2026, 2), D(2026, 7, 15)),
        (rules.quarter(2026, 3), D(2026, 10, 15)),
        (rules.quarter(2026, 4), D(2027, 1, 15)),  # across the year end
        (rules.annual(2026), D(2027, 1, 31)),
    ],
)
def test_due_date_defaults(period, due):
    assert rules.due_date(period, CONFIG) == due


def test_due_date_is_configurable():
    config = deadlines_from({"quarterly_report_day": 10, "annual_report_month": 2, "annual_report_day": 28})
    assert rules.due_date(rules.quarter(2026, 4), config) == D(2027, 1, 10)
    assert rules.due_date(rules.annual(2026), config) == D(2027, 2, 28)


@pytest.mark.parametrize(
    ("period", "submitted", "late"),
    [
        (rules.quarter(2026, 3), D(2026, 10, 1), 0),
        (rules.quarter(2026, 3), D(2026, 10, 15), 0),  # the due day itself is on time
        (rules.quarter(2026, 3), D(2026, 10, 16), 1),  # the next day is late
        (rules.quarter(2026, 4), D(2027, 1, 15), 0),
        (rules.quarter(2026, 4), D(2027, 1, 16), 1),
        (rules.annual(2026), D(2027, 1, 31), 0),
        (rules.annual(2026), D(2027, 2, 1), 1),
        (rules.annual(2026), D(2027, 3, 3), 31),
    ],
)
def test_days_late(period, submitted, late):
    assert rules.days_late(period, submitted, CONFIG) == late
    assert rules.is_overdue(period, submitted, CONFIG) is (late > 0)


@pytest.mark.parametrize(
    ("today", "ended"),
    [(D(2026, 9, 30), False), (D(2026, 10, 1), True)],
)
def test_a_period_is_reported_once_it_has_ended(today, ended):
    assert rules.has_ended(rules.quarter(2026, 3), today) is ended


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 10, 1), ["2026-Q3"]),
        (D(2026, 12, 31), ["2026-Q3"]),
        (D(2027, 1, 1), ["2026-Y", "2026-Q4"]),
        (D(2027, 1, 31), ["2026-Y", "2026-Q4"]),
        (D(2027, 2, 1), ["2026-Q4"]),  # the year's due date has passed: it is late, listed elsewhere
    ],
)
def test_current_periods(today, expected):
    assert [p.key for p in rules.current_periods(today, CONFIG)] == expected


@pytest.mark.parametrize(
    ("today", "kind", "expected"),
    [
        (D(2026, 10, 15), rules.QUARTER, "2026-Q2"),  # Q3 is still due today
        (D(2026, 10, 16), rules.QUARTER, "2026-Q3"),
        (D(2027, 1, 31), rules.YEAR, "2025-Y"),
        (D(2027, 2, 1), rules.YEAR, "2026-Y"),
    ],
)
def test_latest_overdue(today, kind, expected):
    assert rules.latest_overdue(today, kind, CONFIG).key == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 9, 30), None),  # the quarter has not ended
        (D(2026, 10, 7), None),  # 8 days left: before the first threshold
        (D(2026, 10, 8), 7),
        (D(2026, 10, 10), 7),  # a missed day is caught up with the nearest threshold
        (D(2026, 10, 12), 3),
        (D(2026, 10, 14), 1),
        (D(2026, 10, 15), None),  # no 0-day reminder configured
        (D(2026, 10, 16), None),  # past due: missing, not reminded
    ],
)
def test_reminder_due(today, expected):
    period = rules.quarter(2026, 3)
    assert rules.reminder_due(period, today, CONFIG.self_report_reminder_days, CONFIG) == expected


@pytest.mark.parametrize(
    ("registered", "closed", "start", "expected"),
    [
        (D(2026, 9, 30), False, None, True),  # registered on the last day: a partial period counts
        (D(2026, 10, 1), False, None, False),
        (D(2025, 1, 1), True, None, False),
        (D(2025, 1, 1), False, D(2026, 10, 1), False),  # before the county's start date
        (D(2025, 1, 1), False, D(2026, 9, 30), True),
    ],
)
def test_must_report(registered, closed, start, expected):
    assert rules.must_report(rules.quarter(2026, 3), registered, closed, start) is expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("2026-Q3", rules.quarter(2026, 3)),
        ("2026-Y", rules.annual(2026)),
        ("2026-Q5", None),
        ("2026-Q0", None),
        ("26-Q1", None),
        ("1999-Y", None),
        ("", None),
        ("2026-q1", None),
    ],
)
def test_parse_period(key, expected):
    assert rules.parse_period(key) == expected
    if expected is not None:
        assert expected.key == key


def test_due_periods_newest_first_with_years():
    keys = [p.key for p in rules.due_periods(D(2027, 2, 1), count=5)]
    assert keys == ["2026-Y", "2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1", "2025-Y", "2025-Q4"]


def test_bad_periods_refused():
    with pytest.raises(ValueError):
        rules.Period(2026, 5, rules.QUARTER)
    with pytest.raises(ValueError):
        rules.Period(2026, 1, rules.YEAR)
    with pytest.raises(ValueError):
        rules.period_of(D(2026, 1, 1), "month")


def test_reminder_days_setting_sorted():
    config = deadlines_from({"self_report_reminder_days": [1, 10, 5, 5]})
    assert config.self_report_reminder_days == (10, 5, 1)
