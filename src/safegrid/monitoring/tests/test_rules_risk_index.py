"""The dynamic risk index RISKINDEX/1: every term, the caps, the colour boundaries, the configuration."""

from __future__ import annotations

import pytest

from safegrid.monitoring.rules import risk_index as ri

C = ri.RiskIndexConfig()


@pytest.mark.parametrize(
    ("inputs", "value", "colour"),
    [
        (ri.Inputs(None), 0, ri.BLUE),
        (ri.Inputs(4), 5, ri.BLUE),
        (ri.Inputs(3), 10, ri.BLUE),
        (ri.Inputs(2), 25, ri.BLUE),
        (ri.Inputs(1), 40, ri.YELLOW),
        # boundaries of the colours: yellow from 30, orange from 50, red from 70
        (ri.Inputs(2, open_general=1, active_alarms=1), 25 + 3 + 2, ri.YELLOW),  # 30
        (ri.Inputs(2, open_general=1), 28, ri.BLUE),
        (ri.Inputs(2, open_general=1, unacknowledged_alarms=0, active_alarms=0, overdue=0), 28, ri.BLUE),
        (ri.Inputs(1, open_general=3), 49, ri.YELLOW),
        (ri.Inputs(1, open_general=2, active_alarms=2), 50, ri.ORANGE),
        (ri.Inputs(1, open_major=2, open_general=1, active_alarms=1), 40 + 24 + 3 + 2, ri.ORANGE),  # 69
        (ri.Inputs(1, open_major=2, active_alarms=3), 40 + 24 + 6, ri.RED),  # 70
        (ri.Inputs(1, open_major=2, active_alarms=2, unacknowledged_alarms=1), 71, ri.RED),
        # each term capped: an alarm flood alone cannot make a low-risk enterprise red
        (ri.Inputs(4, active_alarms=100, unacknowledged_alarms=100), 5 + 20, ri.BLUE),
        (ri.Inputs(None, open_major=10), 30, ri.YELLOW),
        # everything at once is capped at 100
        (
            ri.Inputs(
                1, open_major=9, active_alarms=9, unacknowledged_alarms=9, overdue=9, enforcement_cases=9
            ),
            100,
            ri.RED,
        ),
    ],
)
def test_compute(inputs, value, colour):
    found = ri.compute(inputs)
    assert (found.value, found.colour, found.version) == (value, colour, "RISKINDEX/1")
    assert [t.key for t in found.terms] == [ri.STATIC, ri.HAZARDS, ri.ALARMS, ri.OVERDUE, ri.ENFORCEMENT]


def test_terms_explain_the_value():
    found = ri.compute(
        ri.Inputs(2, open_general=2, open_major=1, active_alarms=1, unacknowledged_alarms=1, overdue=4)
    )
    terms = {t.key: t for t in found.terms}
    assert terms[ri.STATIC].points == 25 and terms[ri.STATIC].detail == "L2"
    assert terms[ri.HAZARDS].detail == "3×2 + 12×1" and terms[ri.HAZARDS].points == 18
    assert terms[ri.ALARMS].detail == "2×1 + 3×1" and terms[ri.ALARMS].points == 5
    assert terms[ri.OVERDUE].raw == 24 and terms[ri.OVERDUE].points == 20 and terms[ri.OVERDUE].capped
    assert terms[ri.ENFORCEMENT].points == 0  # no enforcement app yet
    assert found.value == sum(t.points for t in found.terms) == 68


@pytest.mark.parametrize(
    ("value", "colour"),
    [
        (0, ri.BLUE),
        (29, ri.BLUE),
        (30, ri.YELLOW),
        (49, ri.YELLOW),
        (50, ri.ORANGE),
        (69, ri.ORANGE),
        (70, ri.RED),
        (100, ri.RED),
    ],
)
def test_colour_boundaries(value, colour):
    assert ri.colour_of(value, C) == colour


@pytest.mark.parametrize(
    "inputs",
    [ri.Inputs(0), ri.Inputs(5), ri.Inputs(1, open_general=-1), ri.Inputs(1, overdue=-2)],
)
def test_bad_inputs_refused(inputs):
    with pytest.raises(ValueError):
        ri.compute(inputs)


def test_config_overrides():
    config = ri.config_from(
        {"red": 80, "major_hazard": 20, "level_points": [50, 30, 10, 0], "version": "RISKINDEX/1-county"}
    )
    assert (config.red, config.major_hazard, config.level_points) == (80, 20, (50, 30, 10, 0))
    found = ri.compute(ri.Inputs(1, open_major=1, active_alarms=5), config)
    assert (found.value, found.colour, found.version) == (50 + 20 + 10, ri.RED, "RISKINDEX/1-county")
    assert ri.config_from(None) == ri.config_from({}) == C


@pytest.mark.parametrize(
    "overrides",
    [
        {"colour": 1},  # unknown name
        {"red": "70"},
        {"red": True},
        {"red": 40},  # below orange
        {"yellow": 0},
        {"red": 101},  # above the maximum
        {"hazard_cap": -1},
        {"level_points": [40, 25, 10]},
        {"level_points": [40, 25, 10, -1]},
        {"version": 1},
        {"version": ""},
    ],
)
def test_config_refused(overrides):
    with pytest.raises(ValueError):
        ri.config_from(overrides)
