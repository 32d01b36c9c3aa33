"""Table tests for the regional risk method (REGIONAL/2), including the boundaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from safegrid.risks.rules import regional as rr
from safegrid.risks.rules.regional import Rule

D = Decimal
# Defaults: weights 1 / 0.5 / 0.2 / 0, thresholds red 0.3, orange 0.18, yellow 0.1, base floor 5.


@pytest.mark.parametrize(
    ("counts", "unassessed", "index", "level", "rule"),
    [
        ({}, 0, "0", 4, Rule.NO_DATA),
        ({}, 7, "0", 4, Rule.NO_DATA),  # enterprises exist but none is assessed
        ({4: 0, 3: 0}, 2, "0", 4, Rule.NO_DATA),  # zero counts are no data
        ({4: 5}, 0, "0", 4, Rule.INDEX_BLUE),  # low risk weighs nothing
        ({3: 2}, 0, "0.08", 4, Rule.INDEX_BLUE),  # 0.4 / base floor 5
        ({3: 9, 4: 11}, 0, "0.09", 4, Rule.INDEX_BLUE),
        ({3: 10, 4: 10}, 0, "0.1", 3, Rule.INDEX_YELLOW),  # exactly the yellow threshold
        ({3: 8, 4: 2}, 0, "0.16", 3, Rule.INDEX_YELLOW),
        ({3: 9, 4: 1}, 0, "0.18", 2, Rule.INDEX_ORANGE),  # exactly the orange threshold
        ({3: 10, 2: 1}, 0, "0.2273", 2, Rule.INDEX_ORANGE),  # 2.5 / 11, rounded to 4 places
        ({1: 29, 4: 71}, 0, "0.29", 2, Rule.INDEX_ORANGE),
        ({1: 30, 4: 70}, 0, "0.3", 1, Rule.INDEX_RED),  # exactly the red threshold
        ({2: 3, 4: 2}, 0, "0.3", 1, Rule.INDEX_RED),  # 1.5 / base floor 5
        ({1: 1, 2: 2, 4: 1}, 0, "0.4", 1, Rule.INDEX_RED),  # 2 / base floor 5
        ({1: 5, 2: 4}, 0, "0.7778", 1, Rule.INDEX_RED),  # a cluster of major risks in a village
        # one level-1 enterprise alone is not red: the base floor, then density
        ({1: 1}, 0, "0.2", 2, Rule.INDEX_ORANGE),
        ({1: 1, 4: 19}, 0, "0.05", 3, Rule.SERIOUS_PRESENT),  # never blue with a major risk in it
        ({1: 1, 4: 99}, 3, "0.01", 3, Rule.SERIOUS_PRESENT),
        ({2: 1}, 0, "0.1", 3, Rule.INDEX_YELLOW),  # one large risk in a tiny village: 0.5 / 5
        ({2: 1, 3: 3, 4: 40}, 0, "0.025", 3, Rule.SERIOUS_PRESENT),
        ({3: 1, 4: 40}, 0, "0.0049", 4, Rule.INDEX_BLUE),  # 0.2 / 41 rounded half up
        ({1: 11, 2: 59, 3: 195, 4: 311}, 0, "0.138", 3, Rule.INDEX_YELLOW),  # the demo county at scale 1
    ],
)
def test_propose_table(counts: dict[int, int], unassessed: int, index: str, level: int, rule: Rule) -> None:
    proposal = rr.propose(counts, unassessed=unassessed)
    assert (proposal.index, proposal.level, proposal.rule) == (D(index), level, rule)
    assert proposal.unassessed == unassessed


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("0.3", 1),
        ("0.2999", 2),
        ("0.18", 2),
        ("0.1799", 3),
        ("0.1", 3),
        ("0.0999", 4),
        ("0", 4),
        ("3", 1),
    ],
)
def test_index_on_a_threshold_goes_to_the_more_dangerous_colour(value: str, level: int) -> None:
    assert rr.index_level(D(value), rr.DEFAULT_THRESHOLDS) == level


def test_index_is_rounded_before_it_is_compared() -> None:
    # 1 / 3 = 0.33333 → 0.3333; with yellow at 0.3333 that is exactly on the threshold.
    config = rr.RegionalConfig(thresholds=(D("0.9"), D("0.5"), D("0.3333")), min_base=1)
    proposal = rr.propose({1: 1, 4: 2}, config=config)
    assert (proposal.index, proposal.level, proposal.rule) == (D("0.3333"), 3, Rule.INDEX_YELLOW)


def test_county_configuration_changes_the_colour() -> None:
    counts = {2: 2, 3: 1}  # index 1.2 / base floor 5 = 0.24 with the defaults: orange
    assert rr.propose(counts).level == 2
    stricter = rr.RegionalConfig(thresholds=(D("0.2"), D("0.15"), D("0.05")))
    assert rr.propose(counts, config=stricter).level == 1
    small_base = rr.RegionalConfig(min_base=1)  # 1.2 / 3 = 0.4
    assert rr.propose(counts, config=small_base).rule == Rule.INDEX_RED
    heavier = rr.RegionalConfig(weights=(D("2"), D("1"), D("0.5"), D("0")))
    assert rr.propose({3: 2}, config=heavier).index == D("0.2")


def test_basis_holds_inputs_index_thresholds_and_the_deciding_clause() -> None:
    basis = rr.propose({2: 2, 4: 3}, unassessed=1).basis()
    assert basis == {
        "method": "REGIONAL/2",
        "rule": "index_orange",
        "enterprises": {"1": 0, "2": 2, "3": 0, "4": 3},
        "assessed": 5,
        "unassessed": 1,
        "weights": {"1": "1", "2": "0.5", "3": "0.2", "4": "0"},
        "min_base": 5,
        "base": 5,
        "index": "0.2",
        "thresholds": {"1": "0.3", "2": "0.18", "3": "0.1"},
        "index_level": 2,
        "terms": {"major_hazard_sources": None, "accidents": None},
    }


def test_extra_terms_are_recorded_and_weighted_only_when_supplied() -> None:
    plain = rr.propose({3: 5})
    assert plain.basis()["terms"] == {"major_hazard_sources": None, "accidents": None}
    connected = rr.propose({3: 5}, extra={rr.ExtraTerm.MAJOR_HAZARD_SOURCES: 2})
    assert connected.index == plain.index  # weight 0 until the county sets one
    assert connected.basis()["terms"]["major_hazard_sources"] == {"count": 2, "weight": "0"}
    weighted = rr.RegionalConfig(extra_weights={rr.ExtraTerm.MAJOR_HAZARD_SOURCES: D("0.5")})
    proposal = rr.propose({3: 5}, extra={rr.ExtraTerm.MAJOR_HAZARD_SOURCES: 2}, config=weighted)
    assert (proposal.index, proposal.level) == (D("0.4"), 1)  # (1 + 1) / 5
    only_hazards = rr.propose({}, extra={rr.ExtraTerm.ACCIDENTS: 1})
    assert only_hazards.rule == Rule.INDEX_BLUE  # data present, so not "no data"


@pytest.mark.parametrize(
    ("counts", "kwargs"),
    [
        ({0: 1}, {}),
        ({5: 1}, {}),
        ({3: -1}, {}),
        ({3: 1}, {"unassessed": -1}),
        ({3: 1}, {"extra": {rr.ExtraTerm.ACCIDENTS: -1}}),
    ],
)
def test_propose_refuses_bad_input(counts: dict[int, int], kwargs: dict[str, Any]) -> None:
    with pytest.raises(rr.InvalidInput):
        rr.propose(counts, **kwargs)


@pytest.mark.parametrize(
    ("config", "part"),
    [
        (rr.RegionalConfig(weights=(D("0"), D("0"), D("0"), D("0"))), "weights"),
        (rr.RegionalConfig(weights=(D("1"), D("-0.5"), D("0.2"), D("0"))), "weights"),
        (rr.RegionalConfig(weights=(D("0.5"), D("1"), D("0.2"), D("0"))), "weights"),  # large > major
        (rr.RegionalConfig(weights=(D("1"), D("0.5"), D("0.2"), D("0.3"))), "weights"),
        (rr.RegionalConfig(extra_weights={rr.ExtraTerm.ACCIDENTS: D("-1")}), "weights"),
        (rr.RegionalConfig(thresholds=(D("0.4"), D("0.4"), D("0.2"))), "thresholds"),
        (rr.RegionalConfig(thresholds=(D("0.5"), D("0.4"), D("0"))), "thresholds"),
        (rr.RegionalConfig(thresholds=(D("0.3"), D("0.4"), D("0.2"))), "thresholds"),
        (rr.RegionalConfig(min_base=0), "min_base"),
    ],
)
def test_configuration_problems_name_their_part(config: rr.RegionalConfig, part: str) -> None:
    found = config.check()
    assert found is not None and found[0] == part
    with pytest.raises(rr.InvalidInput):
        rr.propose({3: 1}, config=config)


def test_default_configuration_is_valid_and_known_as_default() -> None:
    assert rr.DEFAULT_CONFIG.check() is None and rr.DEFAULT_CONFIG.is_default
    assert not rr.RegionalConfig(min_base=1).is_default


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
