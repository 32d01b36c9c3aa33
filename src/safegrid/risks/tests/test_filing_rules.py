"""The pure 一企一册 rules (signer check, register state) and the filing workflow's transition table."""

from __future__ import annotations

import itertools

import pytest

from safegrid.core.workflow import NEW
from safegrid.risks.choices import FilingStatus
from safegrid.risks.rules import filing as fr
from safegrid.risks.rules.filing import LatestFiling, RegisterState
from safegrid.risks.workflows import FILING, FilingAction

S, A = FilingStatus, FilingAction
EXPECTED: dict[tuple[str, str], str] = {
    (NEW, A.COMPILE): S.COMPILED,
    (S.COMPILED, A.SIGN): S.SIGNED,
    (S.SIGNED, A.FILE): S.FILED,
    (S.FILED, A.ACCEPT): S.ACCEPTED,
    (S.FILED, A.RETURN): S.RETURNED,
    (S.COMPILED, A.SUPERSEDE): S.SUPERSEDED,
    (S.SIGNED, A.SUPERSEDE): S.SUPERSEDED,
    (S.FILED, A.SUPERSEDE): S.SUPERSEDED,
    (S.ACCEPTED, A.SUPERSEDE): S.SUPERSEDED,
}
TABLE = FILING.table


def test_the_states_are_the_model_choices_once() -> None:
    assert FILING.states is FilingStatus
    assert dict(TABLE.state_labels) == {value: str(label) for value, label in FilingStatus.choices}


@pytest.mark.parametrize(("status", "action"), list(itertools.product([NEW, *FilingStatus], FilingAction)))
def test_every_status_action_pair(status: str, action: str) -> None:
    expected = EXPECTED.get((status, action))
    assert TABLE.next_state(status, action) == expected
    if expected is None:
        refusal = TABLE.refusal(status, action)
        assert TABLE.state_label(status) in refusal and TABLE.action_label(action) in refusal


def test_every_state_is_reachable() -> None:
    assert TABLE.reachable() == {NEW, *FilingStatus}


def test_terminal_statuses_allow_nothing_by_hand() -> None:
    for status in (S.RETURNED, S.SUPERSEDED):
        assert TABLE.actions_from(status) == ()
    assert TABLE.refusal(S.RETURNED, A.ACCEPT).endswith("该状态下不能再办理")


def test_refusal_names_what_the_status_allows() -> None:
    assert TABLE.refusal(S.COMPILED, A.FILE) == "当前状态「待签署」不能执行「报送备案」；可执行：签署"
    assert TABLE.refusal(S.FILED, A.SIGN) == "当前状态「已备案待审核」不能执行「签署」；可执行：接收、退回"


def test_superseding_is_the_workflow_s_own_step() -> None:
    assert A.SUPERSEDE not in TABLE.actions_from(S.ACCEPTED)
    assert A.SUPERSEDE in TABLE.actions_from(S.ACCEPTED, include_system=True)


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
