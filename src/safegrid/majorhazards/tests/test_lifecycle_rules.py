"""Tables of the lifecycle rules (REFERENCE §5; 40号令; 应急厅〔2021〕12号), boundaries included."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.majorhazards.models.lifecycle import PlanChoices, TriggerChoices
from safegrid.majorhazards.models.responsibility import ResponsibleRoleChoices
from safegrid.majorhazards.rules import lifecycle as rules
from safegrid.majorhazards.rules.lifecycle import (
    DueState,
    Frequency,
    LifecycleConfig,
    PlanKind,
    ResponsibleRole,
    TriggerKind,
)

D = dt.date
CFG = LifecycleConfig()


@pytest.mark.parametrize(
    ("assessed", "filed", "late"),
    [
        (D(2026, 3, 1), D(2026, 3, 1), False),
        (D(2026, 3, 1), D(2026, 3, 16), False),  # day 15: on time
        (D(2026, 3, 1), D(2026, 3, 17), True),  # day 16: late
        (D(2026, 12, 20), D(2027, 1, 4), False),  # across the year
        (D(2026, 12, 20), D(2027, 1, 5), True),
    ],
)
def test_filing_deadline_is_15_days_after_the_assessment(assessed, filed, late):
    assert rules.filing_due(assessed, CFG) == assessed + dt.timedelta(days=15)
    assert rules.filing_late(assessed, filed, CFG) is late
    assert rules.filing_overdue(assessed, filed, CFG) is late


def test_filing_days_are_configurable():
    cfg = rules.config_from({"filing_days": 20})
    assert rules.filing_late(D(2026, 3, 1), D(2026, 3, 21), cfg) is False
    assert rules.filing_late(D(2026, 3, 1), D(2026, 3, 22), cfg) is True


@pytest.mark.parametrize(
    ("assessed", "due"),
    [
        (D(2023, 6, 30), D(2026, 6, 30)),  # exactly three years
        (D(2024, 2, 29), D(2027, 2, 28)),  # leap day → 28 February of a common year
        (D(2021, 2, 28), D(2024, 2, 28)),
        (D(2025, 12, 31), D(2028, 12, 31)),
    ],
)
def test_reassessment_every_three_years(assessed, due):
    assert rules.reassessment_due(assessed, CFG) == due


@pytest.mark.parametrize(
    ("triggers", "due"),
    [
        ((), D(2026, 6, 30)),
        ((D(2024, 5, 1),), D(2024, 5, 1)),  # a trigger makes it due at once (the day it happened)
        ((D(2024, 5, 1), D(2024, 3, 1)), D(2024, 3, 1)),  # the earliest one
        ((D(2023, 6, 30),), D(2026, 6, 30)),  # on the assessment day: answered by that assessment
        ((D(2022, 1, 1),), D(2026, 6, 30)),  # before the assessment: answered
    ],
)
def test_a_recorded_trigger_makes_reassessment_due_at_once(triggers, due):
    assert rules.reassessment_due(D(2023, 6, 30), CFG, triggers) == due


@pytest.mark.parametrize(
    ("kind", "deaths", "injuries", "problem"),
    [
        (TriggerKind.ACCIDENT, 0, 9, "injuries"),  # 9 injuries: not a trigger
        (TriggerKind.ACCIDENT, 0, 10, None),  # 10 injuries: a trigger
        (TriggerKind.ACCIDENT, 1, 0, None),  # one death: a trigger
        (TriggerKind.ACCIDENT, None, None, "injuries"),
        (TriggerKind.ACCIDENT, -1, 12, "deaths"),
        (TriggerKind.PROCESS, None, None, None),
        (TriggerKind.PROCESS, 0, 0, None),
        (TriggerKind.SURROUNDINGS, 1, None, "deaths"),  # counts only for accidents
        ("earthquake", None, None, "kind"),
    ],
)
def test_trigger_validation(kind, deaths, injuries, problem):
    found = rules.trigger_problems(kind, deaths, injuries)
    assert (next(iter(found)) if found else None) == problem


def test_every_trigger_kind_of_reference_is_listed_and_the_model_agrees():
    assert {k.value for k in TriggerKind} == {
        "new_unit", "rebuilt", "expanded", "substances", "quantities", "process", "key_equipment",
        "surroundings", "accident", "standard",
    }  # fmt: skip
    assert {v for v, _l in TriggerChoices.choices} == {k.value for k in TriggerKind}
    assert dict(TriggerChoices.choices) == {k.value: v for k, v in rules.TRIGGER_LABELS.items()}
    assert dict(PlanChoices.choices) == {k.value: v for k, v in rules.PLAN_LABELS.items()}
    assert dict(ResponsibleRoleChoices.choices) == {k.value: v for k, v in rules.ROLE_LABELS.items()}


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [(120, None), (91, None), (90, 90), (31, 90), (30, 30), (1, 30), (0, 0), (-5, 0)],
)
def test_reminder_thresholds(days_left, threshold):
    assert rules.reminder_threshold(days_left, CFG.reminder_days) == threshold


@pytest.mark.parametrize(
    ("due", "today", "state"),
    [
        (D(2026, 6, 30), D(2026, 1, 1), DueState.OK),
        (D(2026, 6, 30), D(2026, 4, 1), DueState.SOON),  # 90 days before
        (D(2026, 6, 30), D(2026, 3, 31), DueState.OK),  # 91 days before
        (D(2026, 6, 30), D(2026, 6, 30), DueState.DUE),
        (D(2026, 6, 30), D(2026, 7, 1), DueState.OVERDUE),
    ],
)
def test_due_state(due, today, state):
    assert rules.due_state(due, today, CFG) == state


@pytest.mark.parametrize(
    ("kind", "last", "due"),
    [
        (PlanKind.SPECIALIST, D(2025, 5, 10), D(2026, 5, 10)),  # yearly
        (PlanKind.ONSITE, D(2025, 5, 10), D(2025, 11, 10)),  # half-yearly
        (PlanKind.ONSITE, D(2025, 8, 31), D(2026, 2, 28)),  # month end
        (PlanKind.SPECIALIST, D(2024, 2, 29), D(2025, 2, 28)),
        (PlanKind.SPECIALIST, None, D(2026, 1, 15)),  # no drill yet: one interval after the assessment
    ],
)
def test_drills_due(kind, last, due):
    assert rules.drill_due(last, D(2025, 1, 15), kind, CFG) == due


def test_drill_intervals_are_configurable_and_overdue_starts_the_next_day():
    cfg = rules.config_from({"onsite_drill_months": 3})
    assert rules.drill_due(D(2026, 1, 10), D(2025, 1, 1), PlanKind.ONSITE, cfg) == D(2026, 4, 10)
    assert rules.overdue(D(2026, 4, 10), D(2026, 4, 10)) is False
    assert rules.overdue(D(2026, 4, 10), D(2026, 4, 11)) is True


@pytest.mark.parametrize(
    ("tested", "months", "due"),
    [
        (D(2025, 3, 31), 12, D(2026, 3, 31)),
        (D(2025, 3, 31), 6, D(2025, 9, 30)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
    ],
)
def test_facility_test_next_due(tested, months, due):
    assert rules.test_next_due(tested, months) == due


def test_check_frequencies_and_sources():
    assert rules.check_frequency(ResponsibleRole.TECHNICAL, CFG) == Frequency(3, "月")
    assert rules.check_frequency(ResponsibleRole.OPERATIONAL, CFG) == Frequency(1, "周")
    assert rules.check_frequency(ResponsibleRole.PRINCIPAL, CFG) == Frequency(3, "月")
    assert Frequency(3, "月").label() == "每季度至少一次"
    assert Frequency(1, "周").label() == "每周至少一次"
    assert "12号" in rules.frequency_source(ResponsibleRole.TECHNICAL)
    assert "默认" in rules.frequency_source(ResponsibleRole.PRINCIPAL)  # the rule sets none: said honestly
    cfg = rules.config_from({"operational_check": {"every": 2, "unit": "周"}, "principal_check": (1, "月")})
    assert rules.check_frequency(ResponsibleRole.OPERATIONAL, cfg).label() == "每2周至少一次"
    assert rules.check_frequency(ResponsibleRole.PRINCIPAL, cfg).label() == "每月至少一次"


@pytest.mark.parametrize(
    "overrides",
    [{"filing_dayz": 1}, {"filing_days": 0}, {"reminder_days": [30, -1]}, {"technical_check": {"every": 0, "unit": "月"}},
     {"technical_check": {"every": 1, "unit": "年"}}],
)  # fmt: skip
def test_bad_settings_are_refused(overrides):
    with pytest.raises(ValueError):
        rules.config_from(overrides)


def test_duties_as_data():
    assert len(rules.DUTIES[ResponsibleRole.PRINCIPAL]) == 7
    assert len(rules.DUTIES[ResponsibleRole.TECHNICAL]) == 6
    assert len(rules.DUTIES[ResponsibleRole.OPERATIONAL]) == 4
    text = rules.duties_text(ResponsibleRole.PRINCIPAL)
    assert text.splitlines()[0].startswith("1. 组织建立重大危险源安全包保责任制")
    assert text.splitlines()[-1].startswith("7. ")
    assert "每季度至少" in rules.duties_text(ResponsibleRole.TECHNICAL)
    assert "每周至少" in rules.duties_text(ResponsibleRole.OPERATIONAL)
    assert all(rules.CHECK_ITEMS[r] for r in ResponsibleRole)


def test_term():
    assert rules.term_problem(D(2026, 1, 2), D(2026, 1, 1))
    assert rules.term_problem(D(2026, 1, 2), D(2026, 1, 2)) is None
    assert rules.term_problem(D(2026, 1, 2), None) is None
