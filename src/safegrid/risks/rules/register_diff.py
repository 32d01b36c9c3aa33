"""Pure rules of updating a register in place: the stable codes of a point's hazard factors and control
measures (H01, M01…), and when a stored value counts as changed.

A risk point is keyed by its code within the enterprise, a hazard factor and a control measure by their
code within the point, a responsibility tier by the tier itself (one holder per tier and point). Codes
are never reused: a retired item keeps its code, so a later file naming the code brings it back.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Mapping
from typing import Any

FACTOR_PREFIX = "H"
MEASURE_PREFIX = "M"
CODE_MAX_LENGTH = 16

CREATED = "created"
UPDATED = "updated"
DEACTIVATED = "deactivated"
UNCHANGED = "unchanged"
ACTIONS = (CREATED, UPDATED, DEACTIVATED, UNCHANGED)

_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")


def numbered(prefix: str, number: int) -> str:
    """The code of the `number`-th item: H01 … H99, H100 …"""
    return f"{prefix}{number:02d}"


def next_code(prefix: str, used: Iterable[str]) -> str:
    """The code after the highest `prefix`-numbered code in `used` (the first one when none is)."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    highest = 0
    for code in used:
        match = pattern.match(code.strip().upper())
        if match:
            highest = max(highest, int(match.group(1)))
    return numbered(prefix, highest + 1)


def code_problem(code: str) -> str | None:
    """What is wrong with a code a person typed (None when it is usable)."""
    if len(code) > CODE_MAX_LENGTH:
        return f"编号不能超过 {CODE_MAX_LENGTH} 个字符"
    if not _CODE.match(code):
        return "编号只能由字母、数字和 . _ - 组成，且以字母或数字开头"
    return None


def _number(value: Any) -> decimal.Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
        return None
    try:
        return decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return None


def same(stored: Any, given: Any) -> bool:
    """Whether a stored value and a value read from a file are the same: numbers by value (6 = 6.0 =
    Decimal("6")), lists item by item, and an empty text the same as no value."""
    if stored in (None, "") and given in (None, ""):
        return True
    if isinstance(stored, bool) or isinstance(given, bool):  # a flag is not the number 1
        return type(stored) is type(given) and stored == given
    left, right = _number(stored), _number(given)
    if left is not None and right is not None:
        return left == right
    if isinstance(stored, list | tuple) and isinstance(given, list | tuple):
        return len(stored) == len(given) and all(same(a, b) for a, b in zip(stored, given, strict=True))
    return bool(stored == given)


def changed_keys(stored: Mapping[str, Any], given: Mapping[str, Any]) -> list[str]:
    """The keys of `given` whose value differs from `stored` (in `given`'s order)."""
    return [key for key, value in given.items() if not same(stored.get(key), value)]


def _input(value: Any) -> Any:
    try:
        return decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        return value


def same_inputs(stored: Mapping[str, Any], given: Mapping[str, Any]) -> bool:
    """Two assessments' inputs ({"L": 3, "E": 6, "C": 15}) are the same values, whether numbers or the
    text of a cell ("0.5")."""
    return set(stored) == set(given) and all(_input(stored[k]) == _input(given[k]) for k in stored)


def count(actions: Iterable[str]) -> dict[str, int]:
    """How many of each action, every action present (0 when none)."""
    counts = dict.fromkeys(ACTIONS, 0)
    for action in actions:
        counts[action] += 1
    return counts
