"""Pure rules of the 一企一册 filing: the signer check and how a register's filing state reads at a glance.

No ORM and no Django: plain strings in, plain values out. The workflow itself (states, transition table,
who may take each step) is declared once in `risks/workflows.py` on the core workflow kit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
    """How an enterprise's register stands, as the enterprise page shows it.

    Its values other than never/outdated are those of the live version's filing status.
    """

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
    if latest.status == RegisterState.RETURNED:
        return RegisterState.RETURNED
    try:
        state = RegisterState(latest.status)
    except ValueError:  # superseded (or unknown): no live version
        return RegisterState.NEVER
    if is_outdated(latest.register_revision, current_revision):
        return RegisterState.OUTDATED
    return state
