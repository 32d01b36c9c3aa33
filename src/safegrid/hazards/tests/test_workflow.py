"""The transition table and who may take each move, by role (every allowed and every forbidden pair)."""

from __future__ import annotations

import itertools

import pytest

from safegrid.core.workflow import NEW
from safegrid.hazards.choices import HazardLevel, HazardStatus, Origin
from safegrid.hazards.workflows import HAZARD, HazardAction

from .factories import hazard_in

S, A = HazardStatus, HazardAction
EXPECTED: dict[tuple[str, str], str] = {
    (NEW, A.REPORT): S.REPORTED,
    (NEW, A.FIX_ON_SPOT): S.CLOSED,
    (S.REPORTED, A.CONFIRM): S.CONFIRMED,
    (S.REPORTED, A.REJECT): S.REJECTED,
    (S.CONFIRMED, A.ASSIGN): S.RECTIFYING,
    (S.RECTIFYING, A.SUBMIT): S.AWAITING_ACCEPTANCE,
    (S.RECTIFYING, A.REQUEST_EXTENSION): S.EXTENSION_REQUESTED,
    (S.EXTENSION_REQUESTED, A.APPROVE_EXTENSION): S.RECTIFYING,
    (S.EXTENSION_REQUESTED, A.REFUSE_EXTENSION): S.RECTIFYING,
    (S.AWAITING_ACCEPTANCE, A.ACCEPT): S.CLOSED,
    (S.AWAITING_ACCEPTANCE, A.SEND_BACK): S.RECTIFYING,
    (S.CLOSED, A.REOPEN): S.CONFIRMED,
    (S.RECTIFYING, A.ESCALATE): S.RECTIFYING,
    (S.EXTENSION_REQUESTED, A.ESCALATE): S.EXTENSION_REQUESTED,
    (S.AWAITING_ACCEPTANCE, A.ESCALATE): S.AWAITING_ACCEPTANCE,
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product([NEW, *HazardStatus], HazardAction)))
def test_every_status_action_pair(status: str, action: str) -> None:
    expected = EXPECTED.get((status, action))
    assert HAZARD.table.next_state(status, action) == expected
    if expected is None:
        refusal = HAZARD.table.refusal(status, action)
        assert "不能执行" in refusal
        allowed = [HAZARD.table.action_label(a) for a in HAZARD.table.actions_from(status)]
        for label in allowed:  # the refusal names what may be done instead
            assert label in refusal


USERS = ("ent_a", "town_a", "county_admin", "dept_chem", "grid_a", "post_a", "ent_b", "town_b", "outsider")
REGULATORS = {"town_a", "county_admin", "dept_chem"}
MANAGER = {"ent_a"}

# (state, action, level, origin, rectified_by ent_a?) -> users allowed; every other user is refused.
CASES = [
    (S.REPORTED, A.CONFIRM, HazardLevel.GENERAL, Origin.GRID, False, MANAGER),
    (S.REPORTED, A.REJECT, HazardLevel.GENERAL, Origin.GRID, False, MANAGER | REGULATORS),
    (S.REPORTED, A.REJECT, HazardLevel.GENERAL, Origin.REGULATOR, False, REGULATORS),
    (S.CONFIRMED, A.ASSIGN, HazardLevel.GENERAL, Origin.GRID, False, MANAGER),
    (S.CONFIRMED, A.ASSIGN, HazardLevel.MAJOR, Origin.GRID, False, MANAGER),
    (S.RECTIFYING, A.SUBMIT, HazardLevel.GENERAL, Origin.GRID, False, MANAGER),
    (S.RECTIFYING, A.REQUEST_EXTENSION, HazardLevel.GENERAL, Origin.GRID, False, MANAGER),
    (S.EXTENSION_REQUESTED, A.APPROVE_EXTENSION, HazardLevel.GENERAL, Origin.GRID, False, REGULATORS),
    (S.EXTENSION_REQUESTED, A.REFUSE_EXTENSION, HazardLevel.GENERAL, Origin.GRID, False, REGULATORS),
    (S.EXTENSION_REQUESTED, A.APPROVE_EXTENSION, HazardLevel.MAJOR, Origin.GRID, False, REGULATORS),
    (S.AWAITING_ACCEPTANCE, A.ACCEPT, HazardLevel.GENERAL, Origin.GRID, False, MANAGER | REGULATORS),
    (
        S.AWAITING_ACCEPTANCE,
        A.ACCEPT,
        HazardLevel.GENERAL,
        Origin.GRID,
        True,
        REGULATORS,
    ),  # not the rectifier
    (S.AWAITING_ACCEPTANCE, A.SEND_BACK, HazardLevel.GENERAL, Origin.GRID, True, REGULATORS),
    (S.AWAITING_ACCEPTANCE, A.ACCEPT, HazardLevel.MAJOR, Origin.GRID, False, REGULATORS),  # major: regulator
    (S.AWAITING_ACCEPTANCE, A.SEND_BACK, HazardLevel.MAJOR, Origin.GRID, False, REGULATORS),
    (S.CLOSED, A.REOPEN, HazardLevel.GENERAL, Origin.GRID, False, MANAGER | REGULATORS),
    (S.CLOSED, A.REOPEN, HazardLevel.MAJOR, Origin.GRID, False, REGULATORS),
]


@pytest.mark.parametrize(("status", "action", "level", "origin", "by_ent_a", "allowed"), CASES)
def test_who_may_take_each_move(world, status, action, level, origin, by_ent_a, allowed) -> None:
    extra = {"rectified_by": world.user("ent_a")} if by_ent_a else {}
    hazard = hazard_in(world.ent_a, status, level=level, origin=origin, **extra)
    for name in USERS:
        offered = dict(HAZARD.available(world.user(name), hazard))
        assert (action in offered) is (name in allowed), (name, status, action, level)


def test_enterprise_b_hazards_are_nobody_s_in_town_a(world) -> None:
    for status in HazardStatus:
        hazard = hazard_in(world.ent_b, status)
        for name in ("ent_a", "town_a", "grid_a", "post_a", "dept_chem"):
            assert HAZARD.available(world.user(name), hazard) == []
