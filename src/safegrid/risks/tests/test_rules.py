"""Table-driven tests of the pure grading rules: every band boundary of every method and variant."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safegrid.risks.choices import ControlTier, RiskLevel
from safegrid.risks.rules import assessment as rules
from safegrid.risks.rules import methods

D = Decimal


# --- LEC ----------------------------------------------------------------------------------------

LEC_CASES = [
    # (L, E, C, D, level)
    (10, 10, 100, 10000, 1),
    (D("0.5"), 10, 100, 500, 1),
    (D("0.2"), 10, 100, 200, 2),  # D = 200 is in 160 ≤ D < 320
    (D("0.5"), 6, 100, 300, 2),  # 300 < 320
    (6, 6, 15, 540, 1),
    (6, 3, 15, 270, 2),  # 270 → 2
    (1, 6, 40, 240, 2),
    (D("0.2"), 2, 100, 40, 4),
    (D("0.5"), 2, 40, 40, 4),
    (1, 10, 40, 400, 1),
    (D("0.2"), 10, 40, 80, 3),
    (1, 2, 40, 80, 3),
    (3, 6, 7, 126, 3),
    (D("0.5"), 3, 100, 150, 3),  # 150 → 3
    (10, 1, 15, 150, 3),
    (10, 2, 7, 140, 3),
    (1, 10, 7, 70, 3),  # exactly 70 → 3 (threshold goes to the more dangerous band)
    (3, 3, 7, 63, 4),  # 63 → 4
    (10, 6, 1, 60, 4),
    (D("0.1"), D("0.5"), 1, D("0.05"), 4),
]


@pytest.mark.parametrize(("L", "E", "C", "score", "level"), LEC_CASES)
def test_lec_table(L, E, C, score, level) -> None:
    result = rules.assess_lec(L, E, C)
    assert result.score == D(score)
    assert result.level == level
    assert result.colour == methods.LEVEL_COLOURS[level]
    assert result.level_name == methods.LEVEL_NAMES[level]
    assert result.method_version == "LEC/DB37T2882-2016"


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (320, 1),
        (D("319.99"), 2),
        (270, 2),
        (160, 2),
        (D("159.99"), 3),
        (150, 3),
        (70, 3),
        (D("69.99"), 4),
        (63, 4),
    ],
)
def test_lec_band_boundaries(score, level) -> None:
    assert rules.level_for(D(score), rules.LecThresholds().bands()) == level


def test_lec_on_thresholds_reachable() -> None:
    # Of the default thresholds only 70 (1 × 10 × 7) is an exact product; whichever are must band up.
    reachable = {
        rules.assess_lec(L, E, C).score: rules.assess_lec(L, E, C).level
        for L, E, C in itertools.product(methods.LEC_L, methods.LEC_E, methods.LEC_C)
    }
    for threshold, level in ((D(320), 1), (D(160), 2), (D(70), 3)):
        if threshold in reachable:
            assert reachable[threshold] == level
    assert reachable[D(70)] == 3  # 1 × 10 × 7


def test_lec_custom_thresholds_and_version() -> None:
    thresholds = rules.LecThresholds(major=D(300), large=D(150), general=D(60))
    result = rules.assess_lec(D("0.5"), 6, 100, thresholds)  # 300
    assert result.level == 1
    assert result.method_version == "LEC/DB37T2882-2016;bands=300/150/60"
    assert rules.assess_lec(3, 3, 7, thresholds).level == 3  # 63 ≥ 60
    assert rules.assess_lec(D("0.5"), 3, 100, thresholds).level == 2  # 150 on the threshold


def test_lec_thresholds_must_descend() -> None:
    with pytest.raises(ValueError, match="重大 > 较大 > 一般"):
        rules.assess_lec(6, 6, 15, rules.LecThresholds(major=D(100), large=D(160), general=D(70)))


# --- LS -----------------------------------------------------------------------------------------

LS_CASES = {
    "A": [(25, 1), (20, 1), (16, 2), (15, 2), (12, 3), (10, 3), (9, 3), (8, 4), (6, 4), (1, 4)],
    "B": [(25, 1), (20, 1), (16, 2), (15, 2), (12, 3), (10, 3), (9, 3), (8, 3), (6, 4), (5, 4), (1, 4)],
    "C": [
        (25, 1),
        (20, 1),
        (16, 2),
        (15, 2),
        (12, 2),
        (10, 2),
        (9, 2),
        (8, 3),
        (6, 3),
        (4, 3),
        (3, 4),
        (1, 4),
    ],
}


def _ls_pair(product: int) -> tuple[int, int]:
    for likelihood, severity in itertools.product(range(1, 6), repeat=2):
        if likelihood * severity == product:
            return likelihood, severity
    raise AssertionError(f"{product} is not a product of two 1–5 integers")


@pytest.mark.parametrize(
    ("variant", "score", "level"), [(v, s, lv) for v, cases in LS_CASES.items() for s, lv in cases]
)
def test_ls_table(variant: str, score: int, level: int) -> None:
    likelihood, severity = _ls_pair(score)
    result = rules.assess_ls(likelihood, severity, variant)
    assert result.score == score
    assert result.level == level
    assert result.method_version == f"LS-{variant}/DB37T2882-2016"


@pytest.mark.parametrize(
    ("variant", "score", "level"),
    [
        # Threshold tables also map the scores no product reaches (13, 14, 17, 18, 19, 21–24).
        ("A", 19, 2),
        ("A", 14, 3),
        ("A", 13, 3),
        ("B", 17, 1),
        ("B", 13, 2),
        ("B", 7, 4),
        ("C", 19, 2),
        ("C", 3, 4),
    ],
)
def test_ls_threshold_tables_cover_gaps(variant: str, score: int, level: int) -> None:
    assert rules.level_for(D(score), rules.ls_bands(variant)) == level


def test_ls_default_variant_is_a() -> None:
    assert rules.assess("LS", {"L": 4, "S": 4}).method_version == "LS-A/DB37T2882-2016"
    config = rules.RiskConfig(ls_variant="C")
    assert rules.assess("LS", {"L": 3, "S": 3}, config).level == 2
    assert rules.assess("LS", {"L": 3, "S": 3}, config, variant="A").level == 3


# --- MES ----------------------------------------------------------------------------------------

MES_CASES = [
    # (M, E, S, R, level)
    (5, 10, 10, 500, 1),
    (5, 6, 8, 240, 1),
    (3, 10, 8, 240, 1),
    (3, 6, 10, 180, 2),  # 180 → 2 (level 1 needs > 180)
    (5, 6, 4, 120, 2),
    (5, 10, 2, 100, 2),
    (3, 3, 10, 90, 3),  # 90 → 3
    (5, 2, 8, 80, 3),
    (3, 6, 4, 72, 3),
    (3, 2, 10, 60, 3),
    (5, 6, 2, 60, 3),
    (5, 10, 1, 50, 4),  # 50 → 4
    (1, 6, 8, 48, 4),
    (1, D("0.5"), 1, D("0.5"), 4),
]


@pytest.mark.parametrize(("M", "E", "S", "score", "level"), MES_CASES)
def test_mes_table(M, E, S, score, level) -> None:
    result = rules.assess_mes(M, E, S)
    assert result.score == D(score)
    assert result.level == level
    assert result.method_version == "MES/DB37T2882-2016"


@pytest.mark.parametrize(
    ("score", "level"), [(181, 1), (D("180.01"), 1), (180, 2), (91, 2), (90, 3), (51, 3), (50, 4), (1, 4)]
)
def test_mes_band_boundaries(score, level) -> None:
    assert rules.level_for(D(score), rules.mes_bands()) == level


# --- Invalid input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "inputs", "field", "allowed_text"),
    [
        ("LEC", {"L": 6, "E": 5, "C": 15}, "E", "10、6、3、2、1、0.5"),
        ("LEC", {"L": 4, "E": 6, "C": 15}, "L", "10、6、3、1、0.5、0.2、0.1"),
        ("LEC", {"L": 6, "E": 6, "C": 20}, "C", "100、40、15、7、3、1"),
        ("LEC", {"L": 6, "E": 6}, "C", "100、40"),
        ("LS", {"L": 6, "S": 1}, "L", "5、4、3、2、1"),
        ("LS", {"L": 2, "S": 0}, "S", "5、4、3、2、1"),
        ("LS", {"L": D("2.5"), "S": 2}, "L", "5、4"),
        ("MES", {"M": 2, "E": 6, "S": 4}, "M", "5、3、1"),
        ("MES", {"M": 3, "E": 6, "S": 3}, "S", "10、8、4、2、1"),
        ("MES", {"M": 3, "E": "abc", "S": 4}, "E", "10、6"),
        ("LEC", {"L": True, "E": 6, "C": 15}, "L", "10、6"),
    ],
)
def test_invalid_inputs_name_the_field(method, inputs, field, allowed_text) -> None:
    with pytest.raises(rules.InvalidInput) as info:
        rules.assess(method, inputs)
    assert info.value.field == field
    assert allowed_text in info.value.message
    assert info.value.message.startswith(field)


def test_invalid_method_and_variant() -> None:
    with pytest.raises(rules.InvalidInput) as info:
        rules.assess("FMEA", {})
    assert info.value.field == "method"
    with pytest.raises(rules.InvalidInput) as info:
        rules.assess("LS", {"L": 1, "S": 1}, variant="D")
    assert info.value.field == "variant"


def test_inputs_accept_equivalent_numbers() -> None:
    assert rules.assess("LEC", {"L": 6.0, "E": "6", "C": 15}).score == 540
    assert rules.assess("LEC", {"L": 0.5, "E": 0.5, "C": 1}).score == D("0.25")
    assert rules.assess("LEC", {"L": 0.1, "E": 6, "C": 1}).inputs_json() == {"L": 0.1, "E": 6, "C": 1}


# --- Every valid combination is consistent with the bands (hypothesis) ---------------------------


def _expected_band(method: str, score: Decimal, variant: str = "A") -> int:
    if method == "LEC":
        return 1 if score >= 320 else 2 if score >= 160 else 3 if score >= 70 else 4
    if method == "MES":
        return 1 if score > 180 else 2 if score >= 91 else 3 if score >= 51 else 4
    first, second, third = methods.LS_VARIANTS[variant]
    return 1 if score >= first else 2 if score >= second else 3 if score >= third else 4


@given(
    st.sampled_from(sorted(methods.LEC_L)),
    st.sampled_from(sorted(methods.LEC_E)),
    st.sampled_from(sorted(methods.LEC_C)),
)
def test_lec_every_combination(likelihood: Decimal, exposure: Decimal, consequence: Decimal) -> None:
    result = rules.assess_lec(likelihood, exposure, consequence)
    assert result.score == likelihood * exposure * consequence
    assert result.level in (1, 2, 3, 4)
    assert result.level == _expected_band("LEC", result.score)


@given(st.integers(1, 5), st.integers(1, 5), st.sampled_from(["A", "B", "C"]))
def test_ls_every_combination(likelihood: int, severity: int, variant: str) -> None:
    result = rules.assess_ls(likelihood, severity, variant)
    assert result.level in (1, 2, 3, 4)
    assert result.level == _expected_band("LS", result.score, variant)


@given(
    st.sampled_from(sorted(methods.MES_M)),
    st.sampled_from(sorted(methods.MES_E)),
    st.sampled_from(sorted(methods.MES_S)),
)
def test_mes_every_combination(control: int, exposure: Decimal, severity: int) -> None:
    result = rules.assess_mes(control, exposure, severity)
    assert result.level in (1, 2, 3, 4)
    assert result.level == _expected_band("MES", result.score)


def test_printed_ls_ranges_hold_for_every_product() -> None:
    """Each variant's printed ranges (REFERENCE §3) agree with its threshold table on every product."""
    printed = {
        "A": lambda r: (
            1 if 20 <= r <= 25 else 2 if 15 <= r <= 16 else 3 if 9 <= r <= 12 else 4 if r <= 8 else None
        ),
        "B": lambda r: 1 if r >= 17 else 2 if 13 <= r <= 16 else 3 if 8 <= r <= 12 else 4 if r <= 7 else None,
        "C": lambda r: (
            1 if 20 <= r <= 25 else 2 if 9 <= r <= 16 else 3 if 4 <= r <= 8 else 4 if 1 <= r <= 3 else None
        ),
    }
    for variant, band in printed.items():
        for likelihood, severity in itertools.product(range(1, 6), repeat=2):
            result = rules.assess_ls(likelihood, severity, variant)
            assert band(int(result.score)) == result.level, (variant, likelihood, severity)


# --- Tiers, point level, JHA, national numbering ---------------------------------------------------


@pytest.mark.parametrize(
    ("level", "assigned", "missing"),
    [
        (1, [], ("company", "workshop", "team", "post")),
        (1, ["post", "team"], ("company", "workshop")),
        (2, ["company", "workshop", "team", "post"], ()),
        (2, ["workshop"], ("company", "team", "post")),
        (3, [], ("workshop", "team", "post")),
        (3, ["company"], ("workshop", "team", "post")),
        (4, [], ("team", "post")),
        (4, ["team", "post", "company"], ()),
        (None, [], ()),
    ],
)
def test_missing_tiers(level, assigned, missing) -> None:
    assert rules.missing_tiers(level, assigned) == missing


def test_tier_tables_match_choices() -> None:
    assert set(methods.TIERS) == set(ControlTier.values)
    for tier, name in methods.TIER_NAMES.items():
        assert str(ControlTier(tier).label) == name
    for level in methods.LEVELS:
        assert str(RiskLevel(level).label) == methods.LEVEL_NAMES[level]
        assert RiskLevel(level).colour == methods.LEVEL_COLOURS[level]


@pytest.mark.parametrize(
    ("levels", "expected"), [([], None), ([None, None], None), ([4, 3], 3), ([4, None, 1, 2], 1), ([2], 2)]
)
def test_point_level_is_most_dangerous(levels, expected) -> None:
    assert rules.point_level(levels) == expected


def test_factor_level_prefers_residual() -> None:
    assert rules.factor_level(2, None) == 2
    assert rules.factor_level(2, 3) == 3
    assert rules.factor_level(None, None) is None


def test_jha_steps() -> None:
    assert rules.jha_steps_problem(range(1, 11)) is None
    assert rules.jha_steps_problem([1, 1, 2]) is None  # several hazards in one step
    assert "最多划分为 10 个步骤" in (rules.jha_steps_problem(range(1, 12)) or "")
    assert rules.jha_step_problem(0) is not None
    assert rules.jha_step_problem(None) is not None
    assert rules.jha_step_problem(5, range(1, 11)) is None


@pytest.mark.parametrize(("level", "national"), [(1, 0), (2, 1), (3, 2), (4, 3)])
def test_national_level_conversion(level: int, national: int) -> None:
    assert rules.to_national_level(level) == national
    assert rules.from_national_level(national) == level
    assert rules.assess("LS", {"L": 5, "S": 5}).national_level == 0


def test_national_level_rejects_out_of_range() -> None:
    with pytest.raises(ValueError):
        rules.to_national_level(0)
    with pytest.raises(ValueError):
        rules.from_national_level(4)
