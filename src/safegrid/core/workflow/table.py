"""The pure part of a status workflow: the transition table and what it allows.

No Django and no ORM: states and actions are plain strings (TextChoices members are strings too), labels
are plain mappings, so an app's table can be tested exhaustively without a database.

A table maps (from state, action) to the state the action leads to. The empty state "" stands for
"not created yet", so `("", "compile") -> "compiled"` declares how a new object enters the workflow.
System actions (done by the workflow itself, e.g. "superseded by a newer version") are part of the
table but never offered to people nor named in a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

NEW = ""  # the state of an object that does not exist yet


@dataclass(frozen=True)
class TransitionTable:
    transitions: Mapping[tuple[str, str], str]
    state_labels: Mapping[str, str]
    action_labels: Mapping[str, str]
    system_actions: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        named = {
            state
            for (from_state, _), to_state in self.transitions.items()
            for state in (from_state, to_state)
        }
        unknown_states = {state for state in named if state != NEW and state not in self.state_labels}
        unknown_actions = {a for (_, a) in self.transitions if a not in self.action_labels}
        if unknown_states or unknown_actions:
            raise ValueError(
                f"transition table names states {sorted(unknown_states)} or actions {sorted(unknown_actions)} "
                "that have no label"
            )

    def next_state(self, state: str, action: str) -> str | None:
        """The state `action` leads to from `state`; None when the table does not allow it."""
        return self.transitions.get((state, action))

    def actions_from(self, state: str, *, include_system: bool = False) -> tuple[str, ...]:
        """The actions allowed from `state`, in table order (people's actions only unless asked)."""
        return tuple(
            action
            for (from_state, action) in self.transitions
            if from_state == state and (include_system or action not in self.system_actions)
        )

    def state_label(self, state: str) -> str:
        return "新建" if state == NEW else str(self.state_labels.get(state, state))

    def action_label(self, action: str) -> str:
        return str(self.action_labels.get(action, action))

    def refusal(self, state: str, action: str) -> str:
        """Why `action` cannot be taken from `state`, naming what can be done from here (in Chinese)."""
        allowed = [self.action_label(a) for a in self.actions_from(state)]
        hint = f"可执行：{'、'.join(allowed)}" if allowed else "该状态下不能再办理"
        return f"当前状态「{self.state_label(state)}」不能执行「{self.action_label(action)}」；{hint}"

    def reachable(self, start: str = NEW) -> frozenset[str]:
        """Every state reachable from `start` (for table tests: no state is an island)."""
        seen = {start}
        frontier = [start]
        while frontier:
            current = frontier.pop()
            for (from_state, _), to_state in self.transitions.items():
                if from_state == current and to_state not in seen:
                    seen.add(to_state)
                    frontier.append(to_state)
        return frozenset(seen)
