"""Pure rules of the 一企一册 filing: the signature record, signing delegations, who reviews a filing, and
how a register's filing state reads at a glance.

No ORM and no Django: plain strings in, plain values out. The workflow itself (states, transition table,
who may take each step) is declared once in `risks/workflows.py` on the core workflow kit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

# ---- the signature ----------------------------------------------------------------------------------


def signed_as_text(signer: str, delegator: str = "") -> str:
    """How the record names who signed: the signer, and under whose written delegation if any."""
    if not signer:
        return ""
    return f"{signer}（受{delegator}委托）" if delegator else signer


DELEGATION_DOCUMENT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")
DELEGATION_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# What a scanned letter's first bytes must be for its extension (a renamed file is refused).
_MAGIC = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def document_problem(name: str, head: bytes, size: int) -> str | None:
    """Why an uploaded delegation letter is refused (None when it is a PDF/JPG/PNG of at most 10 MB)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in DELEGATION_DOCUMENT_EXTENSIONS:
        return "委托书扫描件须为 PDF、JPG 或 PNG 文件"
    if size <= 0:
        return "委托书扫描件是空文件"
    if size > DELEGATION_DOCUMENT_MAX_BYTES:
        return "委托书扫描件不能超过 10 MB"
    if not head.startswith(_MAGIC[extension]):
        return f"文件内容不是 {extension.upper()} 格式，请上传扫描件原件"
    return None


def delegation_problem(valid_from: dt.date, valid_until: dt.date, today: dt.date) -> str | None:
    """Why a delegation with these dates cannot be recorded (None when it can)."""
    if valid_until < valid_from:
        return "委托截止日期不能早于起始日期"
    if valid_until < today:
        return "委托截止日期已过，无需登记"
    return None


def delegation_active(valid_from: dt.date, valid_until: dt.date, revoked: bool, on: dt.date) -> bool:
    """Whether a delegation lets its delegate sign on `on` (both dates count as inside)."""
    return not revoked and valid_from <= on <= valid_until


# ---- who reviews a filing ---------------------------------------------------------------------------


class ReviewerKind(StrEnum):
    """The values of `choices.FilingReviewerKind` (rules import no Django models)."""

    DEPARTMENT = "department"
    TOWN = "town"


def reviewing_kinds(sectors: Iterable[str], config: Mapping[str, str]) -> frozenset[ReviewerKind]:
    """Who reviews an enterprise's filing, from its sectors and the county's setting per sector.

    A sector without a setting is reviewed by its regulator department; an enterprise without a sector
    by the departments it was filed with (the county safety office when none leads its sectors)."""
    kinds = {ReviewerKind(config.get(sector, ReviewerKind.DEPARTMENT)) for sector in sectors}
    return frozenset(kinds or {ReviewerKind.DEPARTMENT})


def department_reviews(
    enterprise_sectors: Iterable[str], officer_sectors: Iterable[str], config: Mapping[str, str]
) -> bool:
    """Whether a department officer regulating `officer_sectors` reviews this enterprise: one of its sectors
    is theirs and is not delegated to the towns."""
    mine = set(officer_sectors)
    return any(
        config.get(sector, ReviewerKind.DEPARTMENT) == ReviewerKind.DEPARTMENT
        for sector in enterprise_sectors
        if sector in mine
    )


def town_reviews(enterprise_sectors: Iterable[str], config: Mapping[str, str]) -> bool:
    """Whether the enterprise's town reviews it: one of its sectors is delegated to the towns."""
    return ReviewerKind.TOWN in reviewing_kinds(enterprise_sectors, config)


def is_outdated(filing_revision: int, current_revision: int) -> bool:
    """A book compiled at revision r is outdated once the register's change counter moves past r."""
    return current_revision > filing_revision


class RegisterState(StrEnum):
    """How an enterprise's register stands, as the enterprise page shows it.

    Its values other than never/outdated are those of the live version's filing status.
    """

    NEVER = "never"
    COMPILED = "compiled"
    TO_SIGN = "to_sign"
    SENT_BACK = "sent_back"
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

    A book returned by the regulator or sent back by the signer stays so whatever changed since (the
    comment says what to fix); any other version compiled before the register changed is "outdated".
    """
    if latest is None:
        return RegisterState.NEVER
    if latest.status in (RegisterState.RETURNED, RegisterState.SENT_BACK):
        return RegisterState(latest.status)
    try:
        state = RegisterState(latest.status)
    except ValueError:  # superseded (or unknown): no live version
        return RegisterState.NEVER
    if is_outdated(latest.register_revision, current_revision):
        return RegisterState.OUTDATED
    return state
