"""Table tests for the regional risk method (REGIONAL/1), including the boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.risks.rules import regional as rr
from safegrid.risks.rules.regional import Rule


@pytest.mark.parametrize(
    ("counts", "unassessed", "n", "level", "rule"),
    [
        ({}, 0, 3, 4, Rule.NO_DATA),
        ({}, 7, 3, 4, Rule.NO_DATA),  # enterprises exist but none is assessed
        ({4: 0, 3: 0}, 2, 3, 4, Rule.NO_DATA),  # zero counts are no data
        ({4: 5}, 0, 3, 4, Rule.LOW_ONLY),
        ({3: 1}, 0, 3, 3, Rule.LEVEL3_PRESENT),
        ({3: 2, 4: 9}, 0, 3, 3, Rule.LEVEL3_PRESENT),  # one below the threshold
        ({3: 3}, 0, 3, 2, Rule.LEVEL3_MANY),  # exactly the threshold
        ({3: 4, 4: 1}, 0, 3, 2, Rule.LEVEL3_MANY),
        ({3: 1}, 0, 1, 2, Rule.LEVEL3_MANY),  # threshold configured to 1
        ({3: 4}, 0, 5, 3, Rule.LEVEL3_PRESENT),  # threshold configured to 5
        ({2: 1}, 0, 3, 2, Rule.LEVEL2_PRESENT),
        ({2: 1, 3: 10, 4: 10}, 3, 3, 2, Rule.LEVEL2_PRESENT),
        ({1: 1}, 0, 3, 1, Rule.LEVEL1_PRESENT),
        ({1: 1, 2: 5, 3: 5, 4: 5}, 0, 3, 1, Rule.LEVEL1_PRESENT),
    ],
)
def test_propose_table(counts: dict[int, int], unassessed: int, n: int, level: int, rule: Rule) -> None:
    proposal = rr.propose(counts, unassessed=unassessed, level3_for_orange=n)
    assert (proposal.level, proposal.rule) == (level, rule)
    assert proposal.unassessed == unassessed


def test_basis_holds_every_level_and_the_method() -> None:
    basis = rr.propose({1: 2, 4: 3}, unassessed=1).basis()
    assert basis == {
        "method": "REGIONAL/1",
        "rule": "level1_present",
        "enterprises": {"1": 2, "2": 0, "3": 0, "4": 3},
        "assessed": 5,
        "unassessed": 1,
        "level3_for_orange": rr.DEFAULT_LEVEL3_FOR_ORANGE,
    }


@pytest.mark.parametrize(
    ("counts", "kwargs"),
    [
        ({0: 1}, {}),
        ({5: 1}, {}),
        ({3: -1}, {}),
        ({3: 1}, {"level3_for_orange": 0}),
        ({3: 1}, {"unassessed": -1}),
    ],
)
def test_propose_refuses_bad_input(counts: dict[int, int], kwargs: dict[str, int]) -> None:
    with pytest.raises(rr.InvalidInput):
        rr.propose(counts, **kwargs)


@pytest.mark.parametrize(
    ("levels", "expected"),
    [([], None), ([None], None), ([None, 4], 4), ([4, 3], 3), ([2, 4, None, 1], 1), ([3, 3], 3)],
)
def test_enterprise_level_is_the_most_dangerous(levels: list[int | None], expected: int | None) -> None:
    assert rr.enterprise_level(levels) == expected


def test_enterprise_level_refuses_unknown_level() -> None:
    with pytest.raises(rr.InvalidInput):
        rr.enterprise_level([0])


@pytest.mark.parametrize(
    ("level", "decided", "due"),
    [
        (1, dt.date(2026, 1, 15), dt.date(2026, 4, 15)),  # red: quarterly
        (2, dt.date(2026, 11, 30), dt.date(2027, 2, 28)),  # orange: clamped to February's end
        (2, dt.date(2027, 11, 30), dt.date(2028, 2, 29)),  # leap year
        (3, dt.date(2026, 3, 1), dt.date(2027, 3, 1)),  # yellow: yearly
        (4, dt.date(2028, 2, 29), dt.date(2029, 2, 28)),  # blue: yearly from a leap day
    ],
)
def test_next_review(level: int, decided: dt.date, due: dt.date) -> None:
    assert rr.next_review(level, decided) == due


def test_review_months_refuses_unknown_level() -> None:
    with pytest.raises(rr.InvalidInput):
        rr.review_months(0)


@pytest.mark.parametrize(
    ("due", "overdue"), [(None, False), (dt.date(2026, 5, 1), True), (dt.date(2026, 5, 2), False)]
)
def test_overdue_boundary(due: dt.date | None, overdue: bool) -> None:
    assert rr.is_overdue(due, dt.date(2026, 5, 2)) is overdue


@pytest.mark.parametrize(("level", "alert"), [(1, True), (2, True), (3, False), (4, False), (None, False)])
def test_alert_levels(level: int | None, alert: bool) -> None:
    assert rr.is_alert(level) is alert
