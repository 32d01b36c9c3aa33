"""Taking a monitoring point out of use (停用): a request with a reason, approved by another person.

A point out of use raises no alarms and leaves the wall, which masks it: falsifying or masking monitoring data
is a crime (刑法 art. 134-1), so — like a limit change — deactivation needs another person of the enterprise
with an approving role (rules/limits.APPROVER_ROLES). Bringing a point back into use needs no approval.
"""

from __future__ import annotations

from .limits import APPROVER_ROLES

REASON_MAX = 2000


def request_problems(*, active: bool, reason: str, pending: bool) -> list[tuple[str, str]]:
    """What is wrong with a deactivation request, as (field, message)."""
    problems: list[tuple[str, str]] = []
    if not active:
        problems.append(("point", "该点位已停用"))
    elif pending:
        problems.append(("point", "该点位已有待审批的停用申请"))
    if not reason.strip():
        problems.append(("reason", "请填写停用原因"))
    elif len(reason) > REASON_MAX:
        problems.append(("reason", "停用原因过长"))
    return problems


def approver_problem(
    *, requester_id: int | None, approver_id: int, approver_roles: frozenset[str]
) -> str | None:
    """Why this person may not approve (or reject) the deactivation; None when they may."""
    if requester_id is not None and requester_id == approver_id:
        return "申请人不能审批自己提出的停用申请，须由本企业另一名安全管理员、主要负责人或企业管理员审批"
    if not approver_roles & APPROVER_ROLES:
        return "只有本企业的安全管理员、主要负责人或企业管理员可以审批点位停用"
    return None
