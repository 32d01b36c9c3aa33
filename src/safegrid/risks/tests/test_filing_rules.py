"""The pure 一企一册 rules (signature record, delegation letter and dates, who reviews, register state) and
the filing workflow's transition table."""

from __future__ import annotations

import datetime as dt
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
    (S.COMPILED, A.SUBMIT): S.TO_SIGN,
    (S.SENT_BACK, A.SUBMIT): S.TO_SIGN,
    (S.TO_SIGN, A.SIGN): S.SIGNED,
    (S.TO_SIGN, A.SEND_BACK): S.SENT_BACK,
    (S.SIGNED, A.FILE): S.FILED,
    (S.FILED, A.ACCEPT): S.ACCEPTED,
    (S.FILED, A.RETURN): S.RETURNED,
    (S.COMPILED, A.SUPERSEDE): S.SUPERSEDED,
    (S.TO_SIGN, A.SUPERSEDE): S.SUPERSEDED,
    (S.SENT_BACK, A.SUPERSEDE): S.SUPERSEDED,
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
    assert (
        TABLE.refusal(S.COMPILED, A.SIGN) == "当前状态「已编制待提交签署」不能执行「签署」；可执行：提交签署"
    )
    assert (
        TABLE.refusal(S.TO_SIGN, A.FILE)
        == "当前状态「待法定代表人签署」不能执行「报送备案」；可执行：签署、签署人退回"
    )
    assert TABLE.refusal(S.FILED, A.SIGN) == "当前状态「已备案待审核」不能执行「签署」；可执行：接收、退回"


def test_superseding_is_the_workflow_s_own_step() -> None:
    assert A.SUPERSEDE not in TABLE.actions_from(S.ACCEPTED)
    assert A.SUPERSEDE in TABLE.actions_from(S.ACCEPTED, include_system=True)


@pytest.mark.parametrize(
    ("signer", "delegator", "text"),
    [("张甲", "", "张甲"), ("王副总", "张甲", "王副总（受张甲委托）"), ("", "张甲", "")],
)
def test_signed_as_text(signer: str, delegator: str, text: str) -> None:
    assert fr.signed_as_text(signer, delegator) == text


MB = 1024 * 1024


@pytest.mark.parametrize(
    ("name", "head", "size", "problem"),
    [
        ("委托书.pdf", b"%PDF-1.7", 1000, None),
        ("scan.PDF", b"%PDF-1.4", 10 * MB, None),  # the limit itself is allowed
        ("scan.pdf", b"%PDF-1.4", 10 * MB + 1, "委托书扫描件不能超过 10 MB"),
        ("scan.jpg", b"\xff\xd8\xff\xe0", 500, None),
        ("scan.jpeg", b"\xff\xd8\xff\xe1", 500, None),
        ("scan.png", b"\x89PNG\r\n\x1a\n", 500, None),
        ("scan.png", b"\xff\xd8\xff\xe0", 500, "文件内容不是 PNG 格式，请上传扫描件原件"),
        ("scan.pdf", b"<html>", 500, "文件内容不是 PDF 格式，请上传扫描件原件"),
        ("scan.pdf", b"", 0, "委托书扫描件是空文件"),
        ("scan.docx", b"PK\x03\x04", 500, "委托书扫描件须为 PDF、JPG 或 PNG 文件"),
        ("scan", b"%PDF-", 500, "委托书扫描件须为 PDF、JPG 或 PNG 文件"),
        ("scan.svg", b"<svg", 500, "委托书扫描件须为 PDF、JPG 或 PNG 文件"),
    ],
)
def test_document_problem(name: str, head: bytes, size: int, problem: str | None) -> None:
    assert fr.document_problem(name, head, size) == problem


D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "today", "problem"),
    [
        (D(2026, 1, 1), D(2026, 12, 31), D(2026, 6, 1), None),
        (D(2026, 6, 1), D(2026, 6, 1), D(2026, 6, 1), None),  # one day
        (D(2026, 7, 1), D(2026, 12, 31), D(2026, 6, 1), None),  # starts later
        (D(2026, 1, 1), D(2026, 5, 31), D(2026, 6, 1), "委托截止日期已过，无需登记"),
        (D(2026, 6, 2), D(2026, 6, 1), D(2026, 5, 1), "委托截止日期不能早于起始日期"),
    ],
)
def test_delegation_problem(start: dt.date, end: dt.date, today: dt.date, problem: str | None) -> None:
    assert fr.delegation_problem(start, end, today) == problem


@pytest.mark.parametrize(
    ("on", "revoked", "active"),
    [
        (D(2026, 3, 1), False, True),  # first day counts
        (D(2026, 3, 31), False, True),  # last day counts
        (D(2026, 2, 28), False, False),
        (D(2026, 4, 1), False, False),
        (D(2026, 3, 15), True, False),
    ],
)
def test_delegation_active(on: dt.date, revoked: bool, active: bool) -> None:
    assert fr.delegation_active(D(2026, 3, 1), D(2026, 3, 31), revoked, on) is active


K = fr.ReviewerKind


@pytest.mark.parametrize(
    ("sectors", "config", "kinds"),
    [
        ((), {}, {K.DEPARTMENT}),  # no sector: the departments it was filed with
        (("hazardous_chemicals",), {}, {K.DEPARTMENT}),
        (("hazardous_chemicals",), {"hazardous_chemicals": "town"}, {K.TOWN}),
        (("hazardous_chemicals", "fire"), {"fire": "town"}, {K.DEPARTMENT, K.TOWN}),
        (("fire",), {"hazardous_chemicals": "town"}, {K.DEPARTMENT}),
        (("fire",), {"fire": "department"}, {K.DEPARTMENT}),
    ],
)
def test_reviewing_kinds(sectors: tuple[str, ...], config: dict[str, str], kinds: set[str]) -> None:
    assert fr.reviewing_kinds(sectors, config) == kinds


@pytest.mark.parametrize(
    ("enterprise", "officer", "config", "department", "town"),
    [
        (("chem",), ("chem",), {}, True, False),
        (("chem",), ("chem",), {"chem": "town"}, False, True),
        (("chem",), ("fire",), {}, False, False),  # not the officer's sector
        (("chem", "fire"), ("chem",), {"chem": "town"}, False, True),  # their sector is delegated
        (("chem", "fire"), ("fire",), {"chem": "town"}, True, True),
        ((), ("chem",), {}, False, False),
    ],
)
def test_department_and_town_review(
    enterprise: tuple[str, ...],
    officer: tuple[str, ...],
    config: dict[str, str],
    department: bool,
    town: bool,
) -> None:
    assert fr.department_reviews(enterprise, officer, config) is department
    assert fr.town_reviews(enterprise, config) is town


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
        (LatestFiling("to_sign", 3), 3, RegisterState.TO_SIGN),
        (LatestFiling("to_sign", 3), 4, RegisterState.OUTDATED),
        (LatestFiling("sent_back", 3), 3, RegisterState.SENT_BACK),
        (LatestFiling("sent_back", 3), 7, RegisterState.SENT_BACK),  # the comment says what to fix
        (LatestFiling("superseded", 3), 3, RegisterState.NEVER),
    ],
)
def test_register_state(latest: LatestFiling | None, revision: int, state: RegisterState) -> None:
    assert fr.register_state(latest, revision) == state


def test_outdated_only_when_the_counter_moved_past() -> None:
    assert not fr.is_outdated(3, 3)
    assert not fr.is_outdated(3, 2)
    assert fr.is_outdated(3, 4)
