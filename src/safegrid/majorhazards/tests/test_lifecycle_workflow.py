"""The filing and deregistration workflows: every move of the table, allowed or refused, by role."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safegrid.core.workflow import NEW
from safegrid.majorhazards.lifecycle_workflows import (
    DEREGISTRATION,
    FILING,
    DeregistrationAction,
    FilingAction,
)
from safegrid.majorhazards.models.lifecycle import DeregistrationStatus, FilingStatus
from safegrid.majorhazards.services import lifecycle

from .lifecycle_fixtures import draft, unit_a

pytestmark = pytest.mark.django_db

FS, FA = FilingStatus, FilingAction
# Every move the filing table allows; everything else is refused with the state named.
FILING_MOVES = {
    (NEW, FA.DRAFT): FS.DRAFT,
    (FS.DRAFT, FA.SUBMIT): FS.SUBMITTED,
    (FS.SUBMITTED, FA.ACCEPT): FS.ACCEPTED,
    (FS.SUBMITTED, FA.RETURN): FS.RETURNED,
    (FS.RETURNED, FA.RESUBMIT): FS.SUBMITTED,
}
DS, DA = DeregistrationStatus, DeregistrationAction
DEREGISTRATION_MOVES = {
    (NEW, DA.APPLY): DS.APPLIED,
    (DS.APPLIED, DA.ACCEPT): DS.ACCEPTED,
    (DS.APPLIED, DA.RETURN): DS.RETURNED,
    (DS.RETURNED, DA.REAPPLY): DS.APPLIED,
}
WRITERS = {"ent_a"}  # the enterprise's safety manager (admin too); not its post worker
REVIEWERS = {"county_admin", "dept_chem"}  # the county and the hazardous-chemicals department, not the town
USERS = ("ent_a", "post_a", "town_a", "county_admin", "dept_chem", "grid_a")


def test_the_tables_are_exactly_the_declared_moves():
    assert dict(FILING.transitions) == FILING_MOVES
    assert dict(DEREGISTRATION.transitions) == DEREGISTRATION_MOVES
    states = [NEW, *FS.values]
    for state, action in itertools.product(states, FA):
        expected = FILING_MOVES.get((state, action))
        assert FILING.table.next_state(state, action) == expected
    for state, action in itertools.product([NEW, *DS.values], DA):
        assert DEREGISTRATION.table.next_state(state, action) == DEREGISTRATION_MOVES.get((state, action))
    assert FILING.table.reachable() == frozenset({NEW, *FS.values})
    assert DEREGISTRATION.table.reachable() == frozenset({NEW, *DS.values})


def _filing_in(world, unit, state):
    filing = draft(world, unit)
    manager, reviewer = world.user("ent_a"), world.user("county_admin")
    if state in (FS.SUBMITTED, FS.ACCEPTED, FS.RETURNED):
        filing = lifecycle.filing_submit(actor=manager, filing=filing)
    if state == FS.ACCEPTED:
        filing = lifecycle.filing_accept(actor=reviewer, filing=filing)
    if state == FS.RETURNED:
        filing = lifecycle.filing_return(actor=reviewer, filing=filing, comment="补充材料")
    return filing


def _filing_move(world, filing, action, who):
    user = world.user(who)
    if action in (FA.SUBMIT, FA.RESUBMIT):
        return lifecycle.filing_submit(actor=user, filing=filing)
    if action == FA.ACCEPT:
        return lifecycle.filing_accept(actor=user, filing=filing)
    return lifecycle.filing_return(actor=user, filing=filing, comment="退回理由")


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("state", [FS.DRAFT, FS.SUBMITTED, FS.ACCEPTED, FS.RETURNED])
@pytest.mark.parametrize("action", [FA.SUBMIT, FA.ACCEPT, FA.RETURN])
def test_filing_moves_by_role(world, state, action, who):
    unit = unit_a(world)
    filing = _filing_in(world, unit, state)
    service_action = FA.RESUBMIT if action == FA.SUBMIT and state == FS.RETURNED else action
    target = FILING_MOVES.get((state, service_action))
    allowed_people = WRITERS if service_action in (FA.SUBMIT, FA.RESUBMIT) else REVIEWERS
    if target is None:
        with pytest.raises((ValidationError, PermissionDenied)):
            _filing_move(world, filing, action, who)
        filing.refresh_from_db()
        assert filing.status == state
    elif who in allowed_people:
        moved = _filing_move(world, filing, action, who)
        assert moved.status == target
        assert moved.transitions.order_by("-id").first().action == service_action
    else:
        with pytest.raises(PermissionDenied):
            _filing_move(world, filing, action, who)
        filing.refresh_from_db()
        assert filing.status == state


@pytest.mark.parametrize("who", USERS)
def test_only_managers_draft(world, who):
    unit = unit_a(world)
    if who in WRITERS:
        assert lifecycle.filing_draft(actor=world.user(who), unit=unit, data=_data()).status == FS.DRAFT
    else:
        with pytest.raises(PermissionDenied):
            lifecycle.filing_draft(actor=world.user(who), unit=unit, data=_data())


def _data():
    from .lifecycle_fixtures import filing_data

    return filing_data()


def test_return_needs_a_comment(world):
    filing = _filing_in(world, unit_a(world), FS.SUBMITTED)
    with pytest.raises(ValidationError) as exc:
        lifecycle.filing_return(actor=world.user("county_admin"), filing=filing, comment="  ")
    assert "comment" in exc.value.message_dict


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("accept", [True, False])
def test_deregistration_review_by_role(world, who, accept):
    unit = unit_a(world)
    row = lifecycle.deregistration_apply(actor=world.user("ent_a"), unit=unit, reason="装置已拆除")
    assert row.status == DS.APPLIED
    if who in REVIEWERS:
        done = lifecycle.deregistration_review(
            actor=world.user(who), deregistration=row, accept=accept, comment="审核"
        )
        assert done.status == (DS.ACCEPTED if accept else DS.RETURNED)
    else:
        with pytest.raises(PermissionDenied):
            lifecycle.deregistration_review(
                actor=world.user(who), deregistration=row, accept=accept, comment="审核"
            )


def test_deregistration_reapply_after_return_and_no_move_after_acceptance(world):
    unit = unit_a(world)
    manager, reviewer = world.user("ent_a"), world.user("dept_chem")
    row = lifecycle.deregistration_apply(actor=manager, unit=unit, reason="装置已拆除")
    with pytest.raises(PermissionDenied):
        lifecycle.deregistration_apply(actor=world.user("post_a"), unit=unit, reason="x")
    with pytest.raises(ValidationError):  # one under review at a time
        lifecycle.deregistration_apply(actor=manager, unit=unit, reason="再次")
    lifecycle.deregistration_review(actor=reviewer, deregistration=row, accept=False, comment="缺拆除证明")
    again = lifecycle.deregistration_apply(actor=manager, unit=unit, reason="补充拆除证明")
    assert again.pk == row.pk and again.status == DS.APPLIED
    assert [t.action for t in again.transitions.all()] == ["apply", "return", "reapply"]
    done = lifecycle.deregistration_review(actor=reviewer, deregistration=again, accept=True)
    with pytest.raises(ValidationError):  # accepted is final
        lifecycle.deregistration_review(actor=reviewer, deregistration=done, accept=False, comment="撤回")
