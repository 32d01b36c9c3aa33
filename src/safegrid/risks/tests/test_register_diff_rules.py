"""Table tests of the pure rules of updating a register in place: item codes and what counts as changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from safegrid.risks.rules import register_diff as rules


@pytest.mark.parametrize(
    ("prefix", "used", "expected"),
    [
        ("H", [], "H01"),
        ("H", ["H01"], "H02"),
        ("H", ["H01", "H03"], "H04"),  # after the highest, never filling a gap (codes are not reused)
        ("H", ["H09"], "H10"),
        ("H", ["H99"], "H100"),
        ("H", ["h07 "], "H08"),  # as people type them
        ("H", ["M05", "X-1", "H"], "H01"),  # other prefixes and free-form codes do not count
        ("M", ["M01", "H05"], "M02"),
        ("H", ["H001", "H2"], "H03"),
    ],
)
def test_next_code(prefix: str, used: list[str], expected: str) -> None:
    assert rules.next_code(prefix, used) == expected


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("H01", True),
        ("A", True),
        ("WX-01.a_2", True),
        ("x" * 16, True),
        ("x" * 17, False),
        ("-H01", False),
        ("H 01", False),
        ("危险源1", False),
        ("H/01", False),
    ],
)
def test_code_problem(code: str, ok: bool) -> None:
    assert (rules.code_problem(code) is None) is ok


@pytest.mark.parametrize(
    ("stored", "given", "same"),
    [
        (6, 6.0, True),
        (Decimal("0.5"), 0.5, True),
        (Decimal("0.50"), "0.5", False),  # text is not a number
        ("", None, True),
        (None, "", True),
        ("", "a", False),
        (None, 0, False),
        (True, 1, False),  # a flag is not a number
        (["17", "08"], ["17", "08"], True),
        (["17", "08"], ["08", "17"], False),  # the order people listed them in is kept
        ([], None, False),
        (36.95, 36.95, True),
        (36.95, 36.950001, False),
        (2, 3, False),
    ],
)
def test_same(stored: Any, given: Any, same: bool) -> None:
    assert rules.same(stored, given) is same


def test_changed_keys_in_given_order() -> None:
    stored = {"name": "反应釜", "lat": 36.9, "lon": None, "extra": 1}
    given = {"lon": 118.0, "name": "反应釜", "lat": 36.9}
    assert rules.changed_keys(stored, given) == ["lon"]
    assert rules.changed_keys(stored, {"missing": ""}) == []
    assert rules.changed_keys(stored, {"missing": "x"}) == ["missing"]


@pytest.mark.parametrize(
    ("stored", "given", "same"),
    [
        ({"L": 3, "E": 6, "C": 15}, {"L": "3", "E": "6", "C": "15"}, True),  # a cell's text
        ({"L": 0.5, "S": 2}, {"L": "0.50", "S": " 2"}, True),
        ({"L": 0.5, "S": 2}, {"L": "½", "S": 2}, False),
        ({"L": 3, "E": 6, "C": 15}, {"L": 3.0, "E": 6, "C": Decimal("15")}, True),
        ({"L": 3, "E": 6, "C": 15}, {"L": 3, "E": 6}, False),
        ({"L": 0.5, "S": 2}, {"L": Decimal("0.5"), "S": 2}, True),
        ({"M": 3, "E": 1, "S": 4}, {"M": 3, "E": 2, "S": 4}, False),
    ],
)
def test_same_inputs(stored: dict[str, Any], given: dict[str, Any], same: bool) -> None:
    assert rules.same_inputs(stored, given) is same


def test_count_lists_every_action() -> None:
    assert rules.count(["created", "unchanged", "unchanged"]) == {
        "created": 1,
        "updated": 0,
        "deactivated": 0,
        "unchanged": 2,
    }
