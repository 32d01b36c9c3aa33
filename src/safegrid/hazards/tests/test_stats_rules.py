"""The statistics rules: each hazard's contribution and the rates, zero denominators included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from safegrid.hazards.rules import stats
from safegrid.hazards.rules.stats import HazardFacts, OccurrenceFacts

D = dt.date
F = HazardFacts


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (0, 0, None),
        (0, 5, Decimal("0.0")),
        (5, 5, Decimal("100.0")),
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (1, 8, Decimal("12.5")),
    ],
)
def test_percent(numerator: int, denominator: int, expected: Decimal | None) -> None:
    assert stats.percent(numerator, denominator) == expected


@pytest.mark.parametrize(("numerator", "denominator"), [(-1, 2), (1, -2), (3, 2)])
def test_percent_refuses_impossible_counts(numerator: int, denominator: int) -> None:
    with pytest.raises(ValueError):
        stats.percent(numerator, denominator)


@pytest.mark.parametrize(
    ("closed", "confirmed", "expected"),
    [(0, 0, None), (0, 4, Decimal("0.0")), (3, 4, Decimal("75.0")), (4, 4, Decimal("100.0"))],
)
def test_rectification_rate(closed: int, confirmed: int, expected: Decimal | None) -> None:
    assert stats.rectification_rate(closed, confirmed) == expected


@pytest.mark.parametrize(
    ("late", "open_overdue", "closed_deadline", "open_deadline", "expected"),
    [
        (0, 0, 0, 0, None),  # nothing had a deadline (all fixed on the spot): no rate, not 0 %
        (0, 0, 5, 0, Decimal("0.0")),
        (1, 0, 4, 0, Decimal("25.0")),
        (0, 2, 0, 4, Decimal("50.0")),
        (1, 1, 2, 2, Decimal("50.0")),
        (2, 2, 2, 2, Decimal("100.0")),
    ],
)
def test_overdue_rate(
    late: int, open_overdue: int, closed_deadline: int, open_deadline: int, expected: Decimal | None
) -> None:
    assert stats.overdue_rate(late, open_overdue, closed_deadline, open_deadline) == expected


def test_overdue_rate_refuses_more_overdue_than_deadlines() -> None:
    with pytest.raises(ValueError):
        stats.overdue_rate(0, 3, 0, 2)


@pytest.mark.parametrize(
    ("total", "closed", "expected"),
    [
        (0, 0, None),
        (0, 3, Decimal("0.0")),
        (10, 4, Decimal("2.5")),
        (10, 3, Decimal("3.3")),
        (5, 1, Decimal("5.0")),
    ],
)
def test_average_days(total: int, closed: int, expected: Decimal | None) -> None:
    assert stats.average_days(total, closed) == expected


@pytest.mark.parametrize(
    ("on_time", "late", "missed", "expected"),
    [
        (0, 0, 0, None),  # nothing due (e.g. the whole month under shutdown): no rate
        (9, 0, 1, Decimal("90.0")),
        (8, 1, 1, Decimal("80.0")),
        (0, 2, 2, Decimal("0.0")),
        (3, 0, 0, Decimal("100.0")),
    ],
)
def test_on_time_inspection_rate(on_time: int, late: int, missed: int, expected: Decimal | None) -> None:
    assert stats.on_time_inspection_rate(on_time, late, missed) == expected


REPORTED_ON = D(2026, 3, 17)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (F(1, REPORTED_ON, "general", "reported"), {"reported": 1, "open_reported": 1}),
        (F(1, REPORTED_ON, "general", "rejected"), {"reported": 1, "rejected": 1}),
        (F(1, REPORTED_ON, "major", "confirmed"), {"reported": 1, "confirmed": 1, "open_confirmed": 1}),
        (
            F(1, REPORTED_ON, "general", "rectifying", deadline=D(2026, 4, 1)),
            {"reported": 1, "confirmed": 1, "open_rectifying": 1, "open_with_deadline": 1},
        ),
        (
            F(1, REPORTED_ON, "general", "extension", deadline=D(2026, 4, 1)),
            {"reported": 1, "confirmed": 1, "open_extension": 1, "open_with_deadline": 1},
        ),
        (
            F(1, REPORTED_ON, "general", "awaiting", deadline=D(2026, 4, 1)),
            {"reported": 1, "confirmed": 1, "open_awaiting": 1, "open_with_deadline": 1},
        ),
        (
            F(1, REPORTED_ON, "general", "closed", "on_the_spot", None, REPORTED_ON, 0),
            {"reported": 1, "confirmed": 1, "closed": 1, "closed_on_spot": 1},
        ),
        (
            F(1, REPORTED_ON, "general", "closed", "by_deadline", D(2026, 4, 1), D(2026, 4, 1), 15),
            {"reported": 1, "confirmed": 1, "closed": 1, "closed_on_time": 1, "days_to_close": 15},
        ),
        (
            F(1, REPORTED_ON, "major", "closed", "by_deadline", D(2026, 4, 1), D(2026, 4, 2), 16),
            {"reported": 1, "confirmed": 1, "closed": 1, "closed_late": 1, "days_to_close": 16},
        ),
    ],
)
def test_hazard_counts(facts: HazardFacts, expected: dict[str, int]) -> None:
    assert stats.hazard_counts(facts) == expected
    assert set(expected) <= set(stats.HAZARD_COUNTERS)


def test_keys_are_the_report_month_and_the_running_deadline() -> None:
    running = F(7, REPORTED_ON, "major", "rectifying", deadline=D(2026, 5, 3))
    assert running.month_key == (7, D(2026, 3, 1), "major")
    assert running.deadline_key == (7, D(2026, 3, 1), "major", D(2026, 5, 3))
    assert F(7, REPORTED_ON, "major", "confirmed").deadline_key is None
    assert F(7, REPORTED_ON, "major", "closed", deadline=D(2026, 5, 3)).deadline_key is None


@pytest.mark.parametrize(
    ("status", "on_time", "counter"),
    [
        ("due", False, "pending"),
        ("suspended", False, "suspended"),
        ("missed", False, "missed"),
        ("done", True, "on_time"),
        ("done", False, "late"),
    ],
)
def test_occurrence_counter(status: str, on_time: bool, counter: str) -> None:
    facts = OccurrenceFacts(3, D(2026, 2, 28), status, on_time)
    assert stats.occurrence_counter(facts) == counter
    assert facts.key == (3, D(2026, 2, 1))


def test_difference_keeps_only_changes() -> None:
    old = {"reported": 1, "open_reported": 1}
    new = {"reported": 1, "confirmed": 1, "open_confirmed": 1}
    assert stats.difference(old, new) == {"confirmed": 1, "open_confirmed": 1, "open_reported": -1}
