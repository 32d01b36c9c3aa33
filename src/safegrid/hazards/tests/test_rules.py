"""Table tests of the pure hazard rules (boundaries included)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from PIL import Image

from safegrid.hazards.rules import closure, codes, criteria, deadlines, escalation, photos

D = dt.date


def test_code_tables_are_the_national_ones() -> None:
    assert [c for c, _ in codes.DANGER_SOURCES] == list(range(1, 11))
    assert [c for c, _ in codes.HAZARD_TYPES] == list(range(1, 9))
    assert str(dict(codes.DANGER_SOURCES)[9]) == "管控措施失效"
    assert codes.NATIONAL_LEVEL == {"general": 0, "major": 1}
    assert codes.NATIONAL_HANDLING == {"on_the_spot": 0, "by_deadline": 1}


def test_twenty_hazchem_criteria_shipped() -> None:
    assert len(criteria.HAZCHEM_CRITERIA) == 20
    assert [c.number for c in criteria.HAZCHEM_CRITERIA] == list(range(1, 21))
    assert len({c.code for c in criteria.HAZCHEM_CRITERIA}) == 20
    assert all(c.sector == "hazardous_chemicals" and c.text for c in criteria.HAZCHEM_CRITERIA)
    assert "特种作业人员未持证上岗" in criteria.HAZCHEM_CRITERIA[1].text


EXTRA = criteria.Criterion("FW-01", "fireworks", 1, "烟花爆竹示例", "test")


@pytest.mark.parametrize(
    ("sectors", "matched", "major", "hits", "other"),
    [
        (["hazardous_chemicals"], [], False, (), ()),
        (["hazardous_chemicals"], ["HC-02"], True, ("HC-02",), ()),
        (["hazardous_chemicals"], ["HC-20", "HC-01", "HC-20"], True, ("HC-20", "HC-01"), ()),
        (["building_construction"], ["HC-02"], False, (), ("HC-02",)),
        (["building_construction", "hazardous_chemicals"], ["HC-05"], True, ("HC-05",), ()),
        (["hazardous_chemicals"], ["HC-99"], False, (), ("HC-99",)),
        ([], ["HC-01"], False, (), ("HC-01",)),
        (["fireworks"], ["FW-01"], True, ("FW-01",), ()),  # a county-added list counts the same
    ],
)
def test_propose_major(
    sectors: list[str], matched: list[str], major: bool, hits: tuple, other: tuple
) -> None:
    result = criteria.propose_major(sectors, matched, [*criteria.SHIPPED_CRITERIA, EXTRA])
    assert (result.major, result.matched, result.not_applicable) == (major, hits, other)


PERSON = object()


@pytest.mark.parametrize(
    ("values", "missing"),
    [
        (closure.FiveInPlace(PERSON, "加装护栏", Decimal("500"), D(2026, 5, 1), "预案"), ()),
        (closure.FiveInPlace(PERSON, "加装护栏", Decimal("0"), D(2026, 5, 1), "预案"), ()),
        (
            closure.FiveInPlace(None, "", None, None, ""),
            ("responsible_person", "measures", "funds", "deadline", "plan"),
        ),
        (closure.FiveInPlace(PERSON, "   ", Decimal("1"), D(2026, 5, 1), "预案"), ("measures",)),
        (closure.FiveInPlace(PERSON, "措施", None, D(2026, 5, 1), " \n"), ("funds", "plan")),
        (closure.FiveInPlace(PERSON, "措施", Decimal("1"), None, "预案"), ("deadline",)),
    ],
)
def test_missing_five(values: closure.FiveInPlace, missing: tuple[str, ...]) -> None:
    assert closure.missing_five(values) == missing


TODAY = D(2026, 3, 10)


@pytest.mark.parametrize(
    ("deadline", "refused"),
    [(None, False), (D(2026, 3, 9), True), (TODAY, False), (D(2026, 3, 11), False), (D(2025, 12, 31), True)],
)
def test_deadline_not_in_the_past(deadline: dt.date | None, refused: bool) -> None:
    assert (closure.deadline_problem(deadline, TODAY) is not None) is refused


@pytest.mark.parametrize(
    ("deadline", "closed", "days"),
    [
        (None, False, 0),
        (TODAY, False, 0),
        (D(2026, 3, 9), False, 1),
        (D(2026, 2, 28), False, 10),
        (D(2026, 3, 1), True, 0),
    ],
)
def test_days_overdue(deadline: dt.date | None, closed: bool, days: int) -> None:
    assert closure.days_overdue(deadline, TODAY, closed) == days


@pytest.mark.parametrize(
    ("reported", "closed", "days"),
    [
        (TODAY, TODAY, 0),
        (D(2026, 3, 9), TODAY, 1),
        (D(2025, 12, 31), D(2026, 1, 31), 31),
        (D(2024, 2, 28), D(2024, 3, 1), 2),
    ],
)
def test_days_to_close(reported: dt.date, closed: dt.date, days: int) -> None:
    assert closure.days_to_close(reported, closed) == days


def test_days_to_close_refuses_time_travel() -> None:
    with pytest.raises(ValueError):
        closure.days_to_close(TODAY, D(2026, 3, 9))


@pytest.mark.parametrize(
    ("overdue", "step_days", "steps", "step"),
    [
        (0, 1, 4, -1),
        (-3, 1, 4, -1),
        (1, 1, 4, 0),
        (2, 1, 4, 1),
        (4, 1, 4, 3),
        (30, 1, 4, 3),
        (1, 2, 4, 0),
        (2, 2, 4, 0),
        (3, 2, 4, 1),
        (5, 1, 0, -1),
    ],
)
def test_escalation_step(overdue: int, step_days: int, steps: int, step: int) -> None:
    assert closure.escalation_step(overdue, step_days, steps) == step


def test_deadline_defaults_and_sources() -> None:
    config = deadlines.Deadlines()
    assert config.review_days == 10
    assert config.suspension_max_months == 6
    assert set(deadlines.SOURCES) == set(config.__dataclass_fields__)


@pytest.mark.parametrize(
    ("year", "quarter", "due"),
    [
        (2026, 1, D(2026, 4, 15)),
        (2026, 2, D(2026, 7, 15)),
        (2026, 3, D(2026, 10, 15)),
        (2026, 4, D(2027, 1, 15)),
    ],
)
def test_quarterly_report_due(year: int, quarter: int, due: dt.date) -> None:
    assert deadlines.quarterly_report_due(year, quarter, deadlines.Deadlines()) == due


def test_annual_and_review_due() -> None:
    config = deadlines.Deadlines()
    assert deadlines.annual_report_due(2026, config) == D(2027, 1, 31)
    assert deadlines.review_due(D(2026, 3, 25), config) == D(2026, 4, 4)


def test_deadline_overrides() -> None:
    config = deadlines.deadlines_from({"review_days": 7, "reminder_days": [1, 5, 1]})
    assert config.review_days == 7 and config.reminder_days == (5, 1)
    assert deadlines.deadlines_from(None) == deadlines.Deadlines()
    with pytest.raises(ValueError, match="unknown"):
        deadlines.deadlines_from({"review_dayz": 7})
    with pytest.raises(ValueError, match="negative"):
        deadlines.deadlines_from({"review_days": -1})


def _image(fmt: str, size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "ok"),
    [
        (_image("JPEG"), True),
        (_image("PNG"), True),
        (_image("WEBP"), True),
        (_image("GIF"), False),
        (b"", False),
        (b"%PDF-1.4 not an image", False),
        (_image("PNG")[:40], False),
        (b"\xff\xd8" + b"0" * (10 * 1024 * 1024), False),
    ],
)
def test_check_photo(data: bytes, ok: bool) -> None:
    result = photos.check_photo(data)
    assert result.ok is ok
    if ok:
        assert result.sha256 == photos.sha256_of(data) and result.width == 8 and result.height == 6
    else:
        assert result.message


def test_size_limit_is_inclusive() -> None:
    png = _image("PNG")
    at_limit = png + b"\0" * (10 * 1024 * 1024 - len(png))
    assert photos.check_photo(at_limit).ok
    assert not photos.check_photo(at_limit + b"\0").ok


@pytest.mark.parametrize(
    ("current", "overdue", "step_days", "expected"),
    [
        (-1, 0, 1, None),  # not overdue
        (-1, 1, 1, 0),  # day 1: the safety manager
        (0, 1, 1, None),  # already told today's step
        (0, 2, 1, 1),
        (-1, 30, 1, 0),  # long overdue but never escalated: one step only
        (2, 30, 1, 3),
        (3, 30, 1, None),  # top of the chain
        (0, 2, 2, None),  # every 2 days: day 2 is still step 0
        (0, 3, 2, 1),
    ],
)
def test_next_escalation(current, overdue, step_days, expected) -> None:
    assert escalation.next_escalation(current, overdue, step_days) == expected


@pytest.mark.parametrize(
    ("days_left", "reminder_days", "expected"),
    [
        (-1, (3, 1), None),
        (0, (3, 1), None),
        (0, (3, 1, 0), 0),
        (1, (3, 1), 1),
        (2, (3, 1), 3),
        (3, (3, 1), 3),
        (4, (3, 1), None),
        (5, (), None),
    ],
)
def test_reminder_threshold(days_left, reminder_days, expected) -> None:
    assert escalation.reminder_threshold(days_left, reminder_days) == expected


def test_chain_labels() -> None:
    assert [escalation.step_label(s) for s in (-1, 0, 1, 2, 3, 4)] == [
        "",
        "企业安全管理人员",
        "企业主要负责人",
        "属地镇街",
        "县行业主管部门",
        "",
    ]
