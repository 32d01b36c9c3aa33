"""The pure transition table: every (state, action) pair, the allowed actions and the refusal text."""

from __future__ import annotations

import pytest

from safegrid.core.workflow.table import NEW, TransitionTable

TABLE = TransitionTable(
    transitions={
        (NEW, "compile"): "compiled",
        ("compiled", "sign"): "signed",
        ("signed", "file"): "filed",
        ("filed", "accept"): "accepted",
        ("filed", "return"): "returned",
        ("compiled", "supersede"): "superseded",
        ("filed", "supersede"): "superseded",
    },
    state_labels={
        "compiled": "待签署",
        "signed": "已签署待备案",
        "filed": "已备案",
        "accepted": "已接收",
        "returned": "已退回",
        "superseded": "已被替代",
    },
    action_labels={
        "compile": "编制",
        "sign": "签署",
        "file": "报送备案",
        "accept": "受理",
        "return": "退回",
        "supersede": "被新版本替代",
    },
    system_actions=frozenset({"supersede"}),
)
STATES = [NEW, "compiled", "signed", "filed", "accepted", "returned", "superseded"]
ACTIONS = ["compile", "sign", "file", "accept", "return", "supersede"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_next_state_is_exactly_the_table(state: str, action: str) -> None:
    assert TABLE.next_state(state, action) == TABLE.transitions.get((state, action))


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (NEW, ("compile",)),
        ("compiled", ("sign",)),
        ("signed", ("file",)),
        ("filed", ("accept", "return")),
        ("accepted", ()),
        ("superseded", ()),
    ],
)
def test_actions_from_leaves_out_system_steps(state: str, expected: tuple[str, ...]) -> None:
    assert TABLE.actions_from(state) == expected


def test_system_steps_are_listed_when_asked() -> None:
    assert TABLE.actions_from("filed", include_system=True) == ("accept", "return", "supersede")


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        ("filed", "sign", "当前状态「已备案」不能执行「签署」；可执行：受理、退回"),
        ("accepted", "return", "当前状态「已接收」不能执行「退回」；该状态下不能再办理"),
        (NEW, "sign", "当前状态「新建」不能执行「签署」；可执行：编制"),
        ("compiled", "fly", "当前状态「待签署」不能执行「fly」；可执行：签署"),
    ],
)
def test_refusal_names_current_state_and_what_is_allowed(state: str, action: str, message: str) -> None:
    assert TABLE.refusal(state, action) == message


def test_every_state_is_reachable_from_new() -> None:
    assert TABLE.reachable() == frozenset(STATES)


@pytest.mark.parametrize(
    ("transitions", "missing"),
    [
        ({(NEW, "compile"): "drafted"}, "drafted"),
        ({("compiled", "fly"): "signed"}, "fly"),
    ],
)
def test_a_table_naming_unlabelled_states_or_actions_is_refused(
    transitions: dict[tuple[str, str], str], missing: str
) -> None:
    with pytest.raises(ValueError, match=missing):
        TransitionTable(transitions, TABLE.state_labels, TABLE.action_labels)
