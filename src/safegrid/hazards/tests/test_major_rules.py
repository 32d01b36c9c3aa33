"""The major-hazard rules, by table: the six-part plan, interim measures, the suspension's 6-month limit and
the 10-day on-site review (boundaries included), and when a suspended hazard may close."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.hazards.rules import deadlines, major

D = dt.date
CONFIG = deadlines.Deadlines()
FULL = dict.fromkeys(major.PLAN_FIELDS, "写明")


def test_plan_parts_are_the_six_of_the_law_in_order() -> None:
    assert [str(label) for _name, label in major.PLAN_PARTS] == [
        "目标和任务",
        "方法和措施",
        "经费和物资",
        "机构和人员",
        "时限和要求",
        "安全措施和应急预案",
    ]
    assert [str(label) for _n, label in major.REPORT_PARTS] == [
        "现状及其产生原因",
        "危害程度和整改难易程度分析",
        "治理方案",
    ]


@pytest.mark.parametrize(
    ("parts", "missing"),
    [
        (None, major.PLAN_FIELDS),
        ({}, major.PLAN_FIELDS),
        (FULL, ()),
        ({**FULL, "targets": "  \n"}, ("targets",)),
        ({**FULL, "funds_materials": None, "safety_emergency": ""}, ("funds_materials", "safety_emergency")),
        ({k: v for k, v in FULL.items() if k != "organisation"}, ("organisation",)),
    ],
)
def test_missing_plan_parts(parts, missing) -> None:
    assert major.missing_plan_parts(parts) == tuple(missing)


@pytest.mark.parametrize(
    ("codes", "other", "ok"),
    [
        ([], "", False),
        ([], "  ", False),
        ([], "封闭道路", True),
        (["withdraw_workers"], "", True),
        (["withdraw_workers", "cordon_area", "stop_equipment"], "", True),
        (["evacuate_town"], "", False),
    ],
)
def test_interim_problem(codes, other, ok) -> None:
    assert (major.interim_problem(codes, other) is None) is ok


def test_interim_text_in_the_laws_order_free_text_last() -> None:
    text = major.interim_text(["stop_equipment", "withdraw_workers"], "封闭道路")
    assert text == "撤出作业人员；停止使用相关设备设施；封闭道路"


@pytest.mark.parametrize(
    ("day", "months", "result"),
    [
        (D(2026, 1, 15), 6, D(2026, 7, 15)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2026, 12, 1), 1, D(2027, 1, 1)),
        (D(2026, 3, 31), 0, D(2026, 3, 31)),
    ],
)
def test_add_months_clamps_to_the_months_end(day, months, result) -> None:
    assert major.add_months(day, months) == result


@pytest.mark.parametrize(
    ("ordered", "ends", "ok"),
    [
        (D(2026, 1, 15), D(2026, 7, 15), True),  # 6 months exactly
        (D(2026, 1, 15), D(2026, 7, 16), False),  # one day more
        (D(2026, 1, 15), D(2026, 1, 16), True),
        (D(2026, 1, 15), D(2026, 1, 15), False),  # must end after the order
        (D(2026, 1, 15), D(2026, 1, 1), False),
        (D(2026, 8, 31), D(2027, 2, 28), True),
        (D(2026, 8, 31), D(2027, 3, 1), False),
    ],
)
def test_suspension_end_limit(ordered, ends, ok) -> None:
    assert (major.suspension_end_problem(ordered, ends, CONFIG) is None) is ok


def test_suspension_limit_is_configuration() -> None:
    three = deadlines.deadlines_from({"suspension_max_months": 3})
    assert major.suspension_latest_end(D(2026, 1, 15), three) == D(2026, 4, 15)
    assert major.suspension_end_problem(D(2026, 1, 15), D(2026, 4, 16), three) is not None
    assert "suspension_max_months" in deadlines.SOURCES


@pytest.mark.parametrize(
    ("applied", "today", "reviewed", "late"),
    [
        (D(2026, 3, 1), D(2026, 3, 1), False, 0),
        (D(2026, 3, 1), D(2026, 3, 11), False, 0),  # day 10: still on time
        (D(2026, 3, 1), D(2026, 3, 12), False, 1),  # day 11: one day late
        (D(2026, 3, 1), D(2026, 3, 20), False, 9),
        (D(2026, 3, 1), D(2026, 3, 20), True, 0),
        (None, D(2026, 3, 20), False, 0),
        (D(2026, 3, 25), D(2026, 4, 4), False, 0),  # across a month end
        (D(2026, 3, 25), D(2026, 4, 5), False, 1),
    ],
)
def test_review_overdue(applied, today, reviewed, late) -> None:
    assert major.review_overdue(applied, today, reviewed, CONFIG) == late


def test_review_days_is_configuration() -> None:
    seven = deadlines.deadlines_from({"review_days": 7})
    assert major.review_overdue(D(2026, 3, 1), D(2026, 3, 9), False, seven) == 1


@pytest.mark.parametrize(
    ("state", "may_close"),
    [
        (None, True),
        (major.SuspensionState("ordered", False), False),
        (major.SuspensionState("evaluated", False), False),
        (major.SuspensionState("applied", False), False),
        (major.SuspensionState("passed", True), True),
        (major.SuspensionState("resumed", True), True),
    ],
)
def test_close_problem(state, may_close) -> None:
    assert (major.close_problem(state) is None) is may_close


@pytest.mark.parametrize(
    ("name", "head", "size", "ok"),
    [
        ("评估报告.pdf", b"%PDF-1.7", 1000, True),
        ("scan.PNG", b"\x89PNG\r\n\x1a\n", 1000, True),
        ("scan.jpg", b"\xff\xd8\xff\xe0", 1000, True),
        ("report.docx", b"PK", 1000, False),
        ("renamed.pdf", b"\xff\xd8\xff", 1000, False),
        ("empty.pdf", b"", 0, False),
        ("huge.pdf", b"%PDF-1.7", major.EVALUATION_MAX_BYTES + 1, False),
        ("noext", b"%PDF-", 10, False),
    ],
)
def test_evaluation_file_problem(name, head, size, ok) -> None:
    assert (major.evaluation_file_problem(name, head, size) is None) is ok


@pytest.mark.parametrize(
    ("hours", "due"),
    [(0, None), (24, dt.datetime(2026, 3, 2, 9, 30)), (2, dt.datetime(2026, 3, 1, 11, 30))],
)
def test_report_due_only_when_the_county_sets_hours(hours, due) -> None:
    config = deadlines.deadlines_from({"major_report_hours": hours})
    assert major.report_due(dt.datetime(2026, 3, 1, 9, 30), config) == due
    assert major.report_due(None, config) is None
