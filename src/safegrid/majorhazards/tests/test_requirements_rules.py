"""What a grade requires (REFERENCE §5 "Required by grade") and the gaps, as a table."""

from __future__ import annotations

import pytest

from safegrid.majorhazards.rules import requirements as rq
from safegrid.majorhazards.rules.requirements import SubstanceFlags

PLAIN = SubstanceFlags()
TOXIC_GAS = SubstanceFlags(toxic_gas=True)
LIQUEFIED = SubstanceFlags(liquefied_gas=True)
HIGHLY_TOXIC = SubstanceFlags(highly_toxic=True)


@pytest.mark.parametrize(
    ("is_major", "grade", "kind", "flags", "expected"),
    [
        (False, None, "tank_farm", [HIGHLY_TOXIC, TOXIC_GAS], []),
        (True, 1, "production", [PLAIN], [rq.ESD]),
        (True, 2, "production", [PLAIN, TOXIC_GAS], [rq.ESD, rq.SIS]),
        (True, 2, "production", [LIQUEFIED], [rq.ESD, rq.SIS]),
        (True, 1, "tank_farm", [PLAIN], [rq.ESD, rq.CUTOFF]),
        (True, 1, "tank_farm", [TOXIC_GAS], [rq.ESD, rq.SIS, rq.CUTOFF]),
        (True, 2, "warehouse", [HIGHLY_TOXIC], [rq.ESD, rq.SIS, rq.VIDEO]),
        (True, 3, "tank_farm", [TOXIC_GAS, LIQUEFIED], []),
        (True, 4, "production", [HIGHLY_TOXIC], []),  # video is for storage only
        (True, 3, "warehouse", [HIGHLY_TOXIC], [rq.VIDEO]),
        (True, 4, "tank_farm", [HIGHLY_TOXIC], [rq.VIDEO]),
        (True, None, "tank_farm", [TOXIC_GAS], []),  # not graded yet (no population): nothing by grade
    ],
)
def test_required_by_grade_kind_and_substances(is_major, grade, kind, flags, expected) -> None:
    found = rq.required(is_major=is_major, grade=grade, kind=kind, substances=flags)
    assert [r.key for r in found] == expected
    assert all(r.label and r.reason and r.basis for r in found)


def test_gaps_are_the_requirements_not_in_place() -> None:
    needed = rq.required(is_major=True, grade=1, kind="tank_farm", substances=[TOXIC_GAS])
    items = rq.checklist(needed, {rq.ESD: (True, "DCS"), rq.SIS: (False, "在建"), rq.CUTOFF: (True, "")})
    assert [(i.requirement.key, i.in_place, i.note) for i in items] == [
        (rq.ESD, True, "DCS"),
        (rq.SIS, False, "在建"),
        (rq.CUTOFF, True, ""),
    ]
    assert [i.requirement.key for i in rq.gaps(items)] == [rq.SIS]
    # a facility with no recorded state is a gap
    assert [i.requirement.key for i in rq.gaps(rq.checklist(needed, {}))] == [rq.ESD, rq.SIS, rq.CUTOFF]
