"""The permit workflow the kit's tests use; hooks record what they saw in `EVENTS`."""

from __future__ import annotations

from typing import Any

from safegrid.core.choices import Role
from safegrid.core.workflow import NEW, Step, TransitionEvent, Workflow, anyone, by_scope, has_role

from .models import Permit, PermitStatus, PermitTransition

EVENTS: list[tuple[str, str, Any]] = []


def remember_after(event: TransitionEvent[Any]) -> None:
    EVENTS.append(("after", event.action, event.to_state))


def remember_on_commit(event: TransitionEvent[Any]) -> None:
    EVENTS.append(("on_commit", event.action, event.to_state))


PERMIT = Workflow(
    model=Permit,
    states=PermitStatus,
    transitions={
        (NEW, "apply"): PermitStatus.APPLIED,
        (PermitStatus.APPLIED, "approve"): PermitStatus.APPROVED,
        (PermitStatus.APPLIED, "reject"): PermitStatus.REJECTED,
        (PermitStatus.APPLIED, "expire"): PermitStatus.CLOSED,
        (PermitStatus.APPROVED, "close"): PermitStatus.CLOSED,
    },
    steps={
        "apply": Step("申请", allowed=anyone),
        "approve": Step(
            "批准", allowed=has_role(Role.COUNTY_ADMIN, Role.TOWN_OFFICER), after=(remember_after,)
        ),
        "reject": Step("驳回", allowed=has_role(Role.COUNTY_ADMIN), comment_required=True),
        "close": Step(
            "关闭",
            allowed=by_scope(lambda scope, permit: permit.enterprise_id in scope.own_enterprise_ids),
            denied="只有本企业人员可以关闭作业许可",
        ),
        "expire": Step("过期关闭", system=True),
    },
    log=PermitTransition,
    log_fk="permit",
    audit_exclude=("snapshot",),
    on_commit=(remember_on_commit,),
)
