"""GB 18218-2018 as tables (REFERENCE §5): α bands, grade bands, named substances vs their category, the
worked check, and the refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from safegrid.majorhazards.rules import gb18218
from safegrid.majorhazards.rules.gb18218 import TermIn, grade_unit

D = Decimal


@pytest.mark.parametrize(
    ("people", "alpha", "band"),
    [
        (0, "0.5", "0人"),
        (1, "1.0", "1～29人"),
        (29, "1.0", "1～29人"),
        (30, "1.2", "30～49人"),
        (49, "1.2", "30～49人"),
        (50, "1.5", "50～99人"),
        (99, "1.5", "50～99人"),
        (100, "2.0", "100人以上"),
        (5000, "2.0", "100人以上"),
    ],
)
def test_alpha_by_population_band(people: int, alpha: str, band: str) -> None:
    assert gb18218.alpha_for(people) == D(alpha)
    assert gb18218.population_band(people) == band


@pytest.mark.parametrize(
    ("r", "grade"),
    [
        ("100", 1),
        ("1000", 1),
        ("99.999999", 2),
        ("50", 2),
        ("49.999999", 3),
        ("10", 3),
        ("9.999999", 4),
        ("0.5", 4),
    ],
)
def test_grade_bands(r: str, grade: int) -> None:
    assert gb18218.grade_for(D(r)) == grade


def _one(q: str, critical: str, beta: str, people: int) -> gb18218.Grading:
    return grade_unit(people, [TermIn("x", D(q), D(critical), D(beta))])


@pytest.mark.parametrize(
    ("q", "people", "r", "grade"),
    [
        # one substance Q 10, β 1: R = α · q/10; the boundaries hit exactly with α 1.0 (1 person) or 2.0
        ("100", 1, "10", 3),  # R exactly 10 → grade 3
        ("99.99", 1, "9.999", 4),  # just below 10 → grade 4
        ("500", 1, "50", 2),  # exactly 50 → grade 2
        ("499.99", 1, "49.999", 3),
        ("500", 100, "100", 1),  # 2.0 × 50 = 100 → grade 1
        ("499.99", 100, "99.998", 2),
    ],
)
def test_grade_boundaries_through_grade_unit(q: str, people: int, r: str, grade: int) -> None:
    result = _one(q, "10", "1", people)
    assert result.r == D(r)
    assert result.grade == grade


def test_major_threshold_is_s_at_least_one() -> None:
    exactly = _one("10", "10", "1", 0)
    assert exactly.s == 1 and exactly.is_major and exactly.grade == 4
    below = _one("9.999", "10", "1", 0)
    assert not below.is_major and below.grade is None
    # S < 1 although R would grade it: not a major hazard source, so no grade
    assert grade_unit(100, [TermIn("x", D("0.9"), D("1"), D("20"))]).grade is None


def test_worked_check_chlorine_and_methanol() -> None:
    chlorine = gb18218.find_named("氯")[0]
    methanol = gb18218.find_named("甲醇")[0]
    assert (chlorine.q, chlorine.beta) == (D(5), D(4))
    assert (methanol.q, methanol.category, methanol.beta) == (D(500), "W5.3", D(1))
    result = grade_unit(
        60,
        [
            TermIn(chlorine.name, D(20), chlorine.q, chlorine.beta),
            TermIn(methanol.name, D(100), methanol.q, methanol.beta),
        ],
    )
    assert result.s == D("4.2") and result.is_major
    assert result.alpha == D("1.5")
    assert result.weighted_sum == D("16.2")
    assert result.r == D("24.3") and result.grade == 3
    assert result.standard == "GB 18218-2018"
    assert [t.as_dict() for t in result.terms] == [
        {"substance": "氯", "q": "20", "Q": "5", "beta": "4", "q_over_Q": "4"},
        {"substance": "甲醇", "q": "100", "Q": "500", "beta": "1", "q_over_Q": "0.2"},
    ]
    assert gb18218.shown(result.r) == "24.30" and gb18218.shown(result.s) == "4.20"


@pytest.mark.parametrize(
    ("name", "q", "category", "beta"),
    [
        # named substances use their own Q; β is the named toxic gas's own, else the category's
        ("氯", "5", "J3", "4"),  # category J3 would give Q 50, β 2
        ("氨", "10", "J3", "2"),
        ("光气", "0.3", "J1", "20"),  # J1 would give Q 5, β 4
        ("硫化氢", "5", "J3", "5"),
        ("氰化氢", "1", "J1", "10"),
        ("氯化氢", "20", "J3", "3"),
        ("环氧乙烷", "10", "W2", "2"),  # a named toxic gas although flammable: β 2, not 1.5
        ("液化石油气", "50", "W2", "1.5"),  # W2 would give Q 10
        ("苯", "50", "W5.3", "1"),  # W5.3 would give Q 1000
        ("汽油", "200", "W5.1", "1.5"),
        ("甲苯", "500", "W5.3", "1"),
        ("异氰酸甲酯", "0.75", "J1", "20"),
    ],
)
def test_named_substance_against_its_category(name: str, q: str, category: str, beta: str) -> None:
    [row] = gb18218.find_named(name)
    assert row.q == D(q) and row.category == category and row.beta == D(beta)


@pytest.mark.parametrize(
    ("code", "q", "beta"),
    [
        ("J1", "5", "4"),
        ("J2", "50", "1"),
        ("J3", "50", "2"),
        ("J4", "50", "2"),
        ("J5", "500", "1"),
        ("W1.1", "1", "2"),
        ("W1.2", "10", "2"),
        ("W1.3", "50", "2"),
        ("W2", "10", "1.5"),
        ("W3", "150", "1"),
        ("W4", "50", "1"),
        ("W5.1", "10", "1.5"),
        ("W5.2", "50", "1"),
        ("W5.3", "1000", "1"),
        ("W5.4", "5000", "1"),
        ("W6.1", "10", "1.5"),
        ("W6.2", "50", "1"),
        ("W7.1", "10", "1.5"),
        ("W7.2", "50", "1"),
        ("W8", "50", "1"),
        ("W9.1", "50", "1"),
        ("W9.2", "200", "1"),
        ("W10", "200", "1"),
        ("W11", "200", "1"),
    ],
)
def test_category_table(code: str, q: str, beta: str) -> None:
    category = gb18218.CATEGORY_BY_CODE[code]
    assert (category.q, category.beta) == (D(q), D(beta))


def test_table_is_consistent() -> None:
    assert len(gb18218.CATEGORIES) == 24
    for row in gb18218.NAMED:
        assert row.category in gb18218.CATEGORY_BY_CODE, row.name
        assert row.q > 0
    keys = [(r.name, r.variant) for r in gb18218.NAMED]
    assert len(keys) == len(set(keys))
    with_cas = [(r.cas, r.variant) for r in gb18218.NAMED if r.cas]
    assert len(with_cas) == len(set(with_cas))
    # ammonium nitrate: three rows, one CAS, told apart by their variant
    assert {r.q for r in gb18218.find_named("硝酸铵")} == {D(5), D(50), D(200)}


def test_aliases_and_spelling() -> None:
    assert gb18218.find_named("液氨")[0].name == "氨"
    assert gb18218.find_named("天然气")[0].name == "甲烷"
    assert gb18218.find_named(" lpg ")[0].name == "液化石油气"
    assert gb18218.find_named("氯化氢(无水)")[0].name == "氯化氢"
    assert gb18218.find_named("水") == []


def test_a_county_substance_with_a_toxic_gas_cas_gets_its_beta() -> None:
    assert gb18218.substance_beta("7803-51-2", "J1") == D(20)  # phosphine
    assert gb18218.substance_beta("", "W2") == D("1.5")
    assert gb18218.substance_beta("100-42-5", "W5.4") == D(1)


def test_full_precision_is_kept_and_rounding_only_shows() -> None:
    # three thirds make exactly 1: decided on exact values, so the unit is major
    result = grade_unit(1, [TermIn("x", D(1), D(3), D(1))] * 3)
    assert result.s == 1 and result.is_major
    # R exactly 10 from thirds: α 1.0 × (β 10 × 1/3) × 3
    assert grade_unit(1, [TermIn("x", D(1), D(3), D(10))] * 3).grade == 3
    third = grade_unit(1, [TermIn("x", D(10), D(3), D(1))])
    assert third.s == D(10) / D(3)
    assert gb18218.stored(third.s) == D("3.333333")
    assert gb18218.shown(third.s) == "3.33"
    assert gb18218.shown(D("0.005")) == "0.01"  # half up


@pytest.mark.parametrize(
    "terms",
    [
        [TermIn("x", D(0), D(10), D(1))],
        [TermIn("x", D(-1), D(10), D(1))],
        [TermIn("x", D(1), D(0), D(1))],
    ],
)
def test_refusals(terms: list[TermIn]) -> None:
    with pytest.raises(ValueError):
        grade_unit(1, terms)


def test_negative_population_refused() -> None:
    with pytest.raises(ValueError):
        grade_unit(-1, [TermIn("x", D(1), D(1), D(1))])
    with pytest.raises(ValueError):
        gb18218.alpha_for(-1)


def test_no_substances_is_not_major() -> None:
    result = grade_unit(10, [])
    assert result.s == 0 and not result.is_major and result.grade is None


@pytest.mark.parametrize(
    ("cas", "ok"),
    [("7782-50-5", True), ("67-56-1", True), ("7782-50-4", False), ("7782505", False), ("1-11-1", False)],
)
def test_cas_check_digit(cas: str, ok: bool) -> None:
    assert gb18218.cas_valid(cas) is ok


def test_every_shipped_cas_is_valid() -> None:
    assert [r.cas for r in gb18218.NAMED if r.cas and not gb18218.cas_valid(r.cas)] == []
