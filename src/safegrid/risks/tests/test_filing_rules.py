"""The pure 一企一册 rules: transition table, who may act, signer check, register state."""

from __future__ import annotations

import itertools

import pytest

from safegrid.risks.models.filing import FilingStatus
from safegrid.risks.rules import filing as fr
from safegrid.risks.rules.filing import Action, Capability, LatestFiling, RegisterState, Status

EXPECTED: dict[tuple[Status, Action], Status] = {
    (Status.COMPILED, Action.SIGN): Status.SIGNED,
    (Status.SIGNED, Action.FILE): Status.FILED,
    (Status.FILED, Action.ACCEPT): Status.ACCEPTED,
    (Status.FILED, Action.RETURN): Status.RETURNED,
    (Status.COMPILED, Action.SUPERSEDE): Status.SUPERSEDED,
    (Status.SIGNED, Action.SUPERSEDE): Status.SUPERSEDED,
    (Status.FILED, Action.SUPERSEDE): Status.SUPERSEDED,
    (Status.ACCEPTED, Action.SUPERSEDE): Status.SUPERSEDED,
}


def test_statuses_and_labels_match_the_model_choices() -> None:
    assert {s.value for s in Status} == set(FilingStatus.values)
    assert {s.value: label for s, label in fr.STATUS_LABELS.items()} == {
        value: str(label) for value, label in FilingStatus.choices
    }


@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status, Action)))
def test_every_status_action_pair(status: Status, action: Action) -> None:
    expected = EXPECTED.get((status, action))
    if expected is None:
        assert not fr.can_transition(status, action)
        with pytest.raises(fr.IllegalTransition) as excinfo:
            fr.next_status(status, action)
        assert fr.STATUS_LABELS[status] in excinfo.value.message
        assert fr.ACTION_LABELS[action] in excinfo.value.message
    else:
        assert fr.can_transition(status, action)
        assert fr.next_status(status, action) == expected


def test_terminal_statuses_allow_nothing_by_hand() -> None:
    for status in (Status.RETURNED, Status.SUPERSEDED):
        assert fr.available_actions(status, set(Capability)) == ()
    with pytest.raises(fr.IllegalTransition, match="该状态下不能再办理"):
        fr.next_status(Status.RETURNED, Action.ACCEPT)


def test_refusal_names_what_the_status_allows() -> None:
    with pytest.raises(fr.IllegalTransition) as excinfo:
        fr.next_status(Status.COMPILED, Action.FILE)
    assert excinfo.value.message == "当前状态为“待签署”，不能报送备案；该状态下可以：签署"


def test_unknown_values_are_refused_not_crashing() -> None:
    with pytest.raises(fr.IllegalTransition):
        fr.next_status("draft", "sign")
    with pytest.raises(fr.IllegalTransition):
        fr.next_status(Status.COMPILED, "approve")


@pytest.mark.parametrize(
    ("status", "capabilities", "expected"),
    [
        (Status.COMPILED, {Capability.SIGN_REGISTER}, (Action.SIGN,)),
        (Status.COMPILED, {Capability.EDIT_REGISTER}, ()),
        (Status.COMPILED, {Capability.REVIEW_FILINGS}, ()),
        (Status.SIGNED, {Capability.SIGN_REGISTER}, (Action.FILE,)),
        (Status.FILED, {Capability.SIGN_REGISTER}, ()),
        (Status.FILED, {Capability.REVIEW_FILINGS}, (Action.ACCEPT, Action.RETURN)),
        (Status.ACCEPTED, {Capability.REVIEW_FILINGS, Capability.SIGN_REGISTER}, ()),
    ],
)
def test_available_actions(
    status: Status, capabilities: set[Capability], expected: tuple[Action, ...]
) -> None:
    assert fr.available_actions(status, capabilities) == expected


def test_who_may_take_each_step() -> None:
    assert fr.ACTION_CAPABILITY == {
        Action.COMPILE: Capability.EDIT_REGISTER,
        Action.SIGN: Capability.SIGN_REGISTER,
        Action.FILE: Capability.SIGN_REGISTER,
        Action.ACCEPT: Capability.REVIEW_FILINGS,
        Action.RETURN: Capability.REVIEW_FILINGS,
        Action.SUPERSEDE: Capability.SYSTEM,
    }


@pytest.mark.parametrize(
    ("name", "legal_rep", "principal", "problem"),
    [
        ("张甲", "张甲", "", None),
        (" 张 甲 ", "张甲", "", None),
        ("张\u3000甲", "张甲", "", None),
        ("王主任", "张甲", "王主任", None),
        (
            "李四",
            "张甲",
            "王主任",
            "签署人须为企业法定代表人或主要负责人（可签署：张甲、王主任），“李四”不在其中",
        ),
        ("", "张甲", "", "请填写签署人姓名（可签署：张甲）"),
        ("张甲", "", "", "企业尚未登记法定代表人或主要负责人，请先完善企业信息"),
    ],
)
def test_signer_problem(name: str, legal_rep: str, principal: str, problem: str | None) -> None:
    assert fr.signer_problem(name, legal_rep, principal) == problem


def test_accepted_signers_without_duplicates() -> None:
    assert fr.accepted_signers("张甲", "张 甲") == ("张甲",)
    assert fr.accepted_signers("", "王主任") == ("王主任",)


@pytest.mark.parametrize(
    ("latest", "revision", "state"),
    [
        (None, 0, RegisterState.NEVER),
        (None, 5, RegisterState.NEVER),
        (LatestFiling("compiled", 3), 3, RegisterState.COMPILED),
        (LatestFiling("signed", 3), 3, RegisterState.SIGNED),
        (LatestFiling("filed", 3), 3, RegisterState.FILED),
        (LatestFiling("accepted", 3), 3, RegisterState.ACCEPTED),
        (LatestFiling("accepted", 3), 4, RegisterState.OUTDATED),
        (LatestFiling("filed", 3), 9, RegisterState.OUTDATED),
        (LatestFiling("compiled", 3), 4, RegisterState.OUTDATED),
        (LatestFiling("returned", 3), 3, RegisterState.RETURNED),
        (LatestFiling("returned", 3), 8, RegisterState.RETURNED),
        (LatestFiling("superseded", 3), 3, RegisterState.NEVER),
    ],
)
def test_register_state(latest: LatestFiling | None, revision: int, state: RegisterState) -> None:
    assert fr.register_state(latest, revision) == state


def test_outdated_only_when_the_counter_moved_past() -> None:
    assert not fr.is_outdated(3, 3)
    assert not fr.is_outdated(3, 2)
    assert fr.is_outdated(3, 4)
