"""Pure rules of the 一企一册 filing workflow: the transition table, who may take each step, the signer
check and how a register's filing state reads at a glance.

No ORM and no Django: plain strings in, plain values out, so the table can be tested exhaustively.
The status values are those of `models_register.FilingStatus` (a test keeps the two in step).

    compiled ──sign──▶ signed ──file──▶ filed ──accept──▶ accepted
        │                 │               └───return──▶ returned
        └───supersede─────┴──supersede──▶ superseded ◀──supersede── filed / accepted

A newer compiled version supersedes the older ones still being prepared; a newer *filed* version
supersedes the older filed or accepted ones. A returned version stays returned (the regulator's
comment is part of the record) and the enterprise answers it with a new version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Status(StrEnum):
    COMPILED = "compiled"
    SIGNED = "signed"
    FILED = "filed"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    SUPERSEDED = "superseded"


class Action(StrEnum):
    COMPILE = "compile"
    SIGN = "sign"
    FILE = "file"
    ACCEPT = "accept"
    RETURN = "return"
    SUPERSEDE = "supersede"


class Capability(StrEnum):
    """What a user must be allowed (risks.permissions) to take a step."""

    EDIT_REGISTER = "edit_register"  # can_edit_register(user, enterprise_id)
    SIGN_REGISTER = "sign_register"  # can_sign_register(user, enterprise_id)
    REVIEW_FILINGS = "review_filings"  # can_review_filings(user) and the enterprise is in scope
    SYSTEM = "system"  # done by the workflow itself, never by a button


STATUS_LABELS: Final[dict[Status, str]] = {
    Status.COMPILED: "待签署",
    Status.SIGNED: "已签署待备案",
    Status.FILED: "已备案待审核",
    Status.ACCEPTED: "已接收",
    Status.RETURNED: "已退回",
    Status.SUPERSEDED: "已被新版本替代",
}

ACTION_LABELS: Final[dict[Action, str]] = {
    Action.COMPILE: "编制",
    Action.SIGN: "签署",
    Action.FILE: "报送备案",
    Action.ACCEPT: "接收",
    Action.RETURN: "退回",
    Action.SUPERSEDE: "被新版本替代",
}

# (from status, action) -> to status. Anything not listed is refused.
TRANSITIONS: Final[dict[tuple[Status, Action], Status]] = {
    (Status.COMPILED, Action.SIGN): Status.SIGNED,
    (Status.SIGNED, Action.FILE): Status.FILED,
    (Status.FILED, Action.ACCEPT): Status.ACCEPTED,
    (Status.FILED, Action.RETURN): Status.RETURNED,
    (Status.COMPILED, Action.SUPERSEDE): Status.SUPERSEDED,
    (Status.SIGNED, Action.SUPERSEDE): Status.SUPERSEDED,
    (Status.FILED, Action.SUPERSEDE): Status.SUPERSEDED,
    (Status.ACCEPTED, Action.SUPERSEDE): Status.SUPERSEDED,
}

# Who may take each step (compile creates a new version, so it has no "from" status).
ACTION_CAPABILITY: Final[dict[Action, Capability]] = {
    Action.COMPILE: Capability.EDIT_REGISTER,
    Action.SIGN: Capability.SIGN_REGISTER,
    Action.FILE: Capability.SIGN_REGISTER,
    Action.ACCEPT: Capability.REVIEW_FILINGS,
    Action.RETURN: Capability.REVIEW_FILINGS,
    Action.SUPERSEDE: Capability.SYSTEM,
}

# Statuses a regulator has received: the latest of these is "the filing" on the regulator's list.
SUBMITTED: Final[frozenset[Status]] = frozenset({Status.FILED, Status.ACCEPTED, Status.RETURNED})
# Earlier versions that a newly compiled version replaces (never signed off by the regulator).
SUPERSEDED_ON_COMPILE: Final[frozenset[Status]] = frozenset({Status.COMPILED, Status.SIGNED})
# Earlier versions that a newly filed version replaces.
SUPERSEDED_ON_FILE: Final[frozenset[Status]] = frozenset({Status.FILED, Status.ACCEPTED})


class IllegalTransition(ValueError):
    """A step the table does not allow from the filing's current status; `message` is for people."""

    def __init__(self, status: str, action: str) -> None:
        self.status = status
        self.action = action
        # StrEnum members hash and compare as their values, so plain strings look them up.
        status_label = STATUS_LABELS.get(status, status)  # type: ignore[call-overload]
        action_label = ACTION_LABELS.get(action, action)  # type: ignore[call-overload]
        allowed = [ACTION_LABELS[a] for (s, a) in TRANSITIONS if s == status and a != Action.SUPERSEDE]
        hint = f"；该状态下可以：{'、'.join(allowed)}" if allowed else "；该状态下不能再办理"
        self.message = f"当前状态为“{status_label}”，不能{action_label}{hint}"
        super().__init__(self.message)


def next_status(status: str, action: str) -> Status:
    """The status a filing moves to, or IllegalTransition naming the current status and the step."""
    try:
        key = (Status(status), Action(action))
    except ValueError:
        raise IllegalTransition(status, action) from None
    target = TRANSITIONS.get(key)
    if target is None:
        raise IllegalTransition(status, action)
    return target


def can_transition(status: str, action: str) -> bool:
    try:
        next_status(status, action)
    except IllegalTransition:
        return False
    return True


def available_actions(status: str, capabilities: Iterable[Capability]) -> tuple[Action, ...]:
    """The steps a user with `capabilities` may take on a filing in `status` (for the page's buttons)."""
    have = set(capabilities)
    return tuple(
        action
        for (from_status, action) in TRANSITIONS
        if from_status == status and ACTION_CAPABILITY[action] in have
    )


def _normalise_name(name: str) -> str:
    """A person's name as typed: surrounding space and inner ASCII/full-width spaces do not count."""
    return "".join(name.split()).replace("\u3000", "")


def accepted_signers(legal_rep: str, principal: str) -> tuple[str, ...]:
    """Who may sign the book: the legal representative and the principal (主要负责人), if recorded."""
    names: list[str] = []
    for name in (legal_rep, principal):
        clean = _normalise_name(name or "")
        if clean and clean not in names:
            names.append(clean)
    return tuple(names)


def signer_problem(signer_name: str, legal_rep: str, principal: str) -> str | None:
    """Why `signer_name` cannot sign the enterprise's book (None when it is one of the accepted names)."""
    accepted = accepted_signers(legal_rep, principal)
    if not accepted:
        return "企业尚未登记法定代表人或主要负责人，请先完善企业信息"
    name = _normalise_name(signer_name or "")
    if not name:
        return f"请填写签署人姓名（可签署：{'、'.join(accepted)}）"
    if name not in accepted:
        return f"签署人须为企业法定代表人或主要负责人（可签署：{'、'.join(accepted)}），“{name}”不在其中"
    return None


def is_outdated(filing_revision: int, current_revision: int) -> bool:
    """A book compiled at revision r is outdated once the register's change counter moves past r."""
    return current_revision > filing_revision


class RegisterState(StrEnum):
    """How an enterprise's register stands, as the enterprise page shows it."""

    NEVER = "never"
    COMPILED = "compiled"
    SIGNED = "signed"
    FILED = "filed"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    OUTDATED = "outdated"


@dataclass(frozen=True)
class LatestFiling:
    status: str
    register_revision: int


def register_state(latest: LatestFiling | None, current_revision: int) -> RegisterState:
    """The enterprise's register state from its newest (non-superseded) version and the change counter.

    A returned book stays "returned" whatever changed since (the comment says what to fix); any other
    version compiled before the register changed is "outdated".
    """
    if latest is None:
        return RegisterState.NEVER
    status = Status(latest.status)
    if status == Status.RETURNED:
        return RegisterState.RETURNED
    if status == Status.SUPERSEDED:
        return RegisterState.NEVER
    if is_outdated(latest.register_revision, current_revision):
        return RegisterState.OUTDATED
    return RegisterState(status.value)
