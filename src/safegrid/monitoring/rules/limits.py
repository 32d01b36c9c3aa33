"""Changes of a monitoring point's limits (限值变更): what a request must say, who may approve it, when it takes
effect and expires, and what an expiry restores.

Falsifying monitoring data is a crime (刑法 art. 134-1), so no limit changes without an approver and, for a
temporary change, an expiry (REFERENCE §6). Two kinds of change:

- *permanent* (长期): the enterprise's process control limits get a new version (工艺控制指标 V3, from a named
  document); the version must differ from the point's current one. It stays in force until a later change
  supersedes it.
- *temporary* (临时): for a bounded time (start-up, a trial, a known instrument issue) — it needs an expiry
  within `MAX_TEMPORARY_DAYS` of taking effect, and when it expires the limits in force before it come back.

A temporary change applied over another temporary change supersedes it and inherits what that one would
have restored (the baseline, not the first temporary values); a permanent change supersedes every change
in force and becomes the new baseline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from enum import StrEnum
from math import isfinite

from .points import Limits, limit_errors

MAX_TEMPORARY_DAYS = 90  # a configurable default, not a statutory figure
VERSION_MAX = 40
SOURCE_MAX = 200

# Who approves a change: the enterprise's safety manager, legal representative or administrator (never the
# requester). Role values as stored in core.choices.Role.
APPROVER_ROLES = frozenset({"safety_manager", "legal_rep", "ent_admin"})


class ChangeKind(StrEnum):
    PERMANENT = "permanent"
    TEMPORARY = "temporary"


@dataclass(frozen=True)
class LimitSet:
    """Everything a limit change writes on a point."""

    ll: float | None = None
    l: float | None = None  # noqa: E741 - the standard's name
    h: float | None = None
    hh: float | None = None
    rate_limit: float | None = None
    deadband: float = 0.0
    version: str = ""
    source: str = ""

    @property
    def limits(self) -> Limits:
        return Limits(ll=self.ll, l=self.l, h=self.h, hh=self.hh)

    def same_values(self, other: LimitSet) -> bool:
        """Equal limits, rate and deadband (version and source aside)."""
        return (self.ll, self.l, self.h, self.hh, self.rate_limit, self.deadband) == (
            other.ll,
            other.l,
            other.h,
            other.hh,
            other.rate_limit,
            other.deadband,
        )


VALUE_FIELDS = ("ll", "l", "h", "hh", "rate_limit", "deadband")
FIELD_NAMES = tuple(f.name for f in fields(LimitSet))


def differences(old: LimitSet, new: LimitSet) -> list[tuple[str, object, object]]:
    """(field, old, new) for each field that changes, in LimitSet order."""
    return [
        (name, getattr(old, name), getattr(new, name))
        for name in FIELD_NAMES
        if getattr(old, name) != getattr(new, name)
    ]


def request_problems(
    *,
    kind: ChangeKind,
    current: LimitSet,
    new: LimitSet,
    reason: str,
    effective_from: dt.datetime,
    expires_at: dt.datetime | None,
    now: dt.datetime,
    max_temporary_days: int = MAX_TEMPORARY_DAYS,
) -> list[tuple[str, str]]:
    """(field, message) for everything wrong with a change request; empty when it may be submitted."""
    problems = list(limit_errors(new.limits))
    for name in ("rate_limit", "deadband"):
        value = getattr(new, name)
        if value is not None and (not isfinite(value) or value < 0):
            problems.append((name, "须为不小于 0 的有限数"))
    if not new.version.strip():
        problems.append(("version", "请填写限值版本"))
    elif len(new.version) > VERSION_MAX:
        problems.append(("version", f"不能超过 {VERSION_MAX} 个字符"))
    if not new.source.strip():
        problems.append(("source", "请填写限值来源（如工艺控制指标文件名称）"))
    elif len(new.source) > SOURCE_MAX:
        problems.append(("source", f"不能超过 {SOURCE_MAX} 个字符"))
    if not reason.strip():
        problems.append(("reason", "请说明变更原因"))
    if new.same_values(current):
        problems.append(("h", "新限值与现行限值相同，无需变更"))
    if kind is ChangeKind.PERMANENT:
        if expires_at is not None:
            problems.append(("expires_at", "长期变更（新版工艺控制指标）不设到期时间"))
        if new.version.strip() and new.version == current.version:
            problems.append(("version", "长期变更须使用新的限值版本号"))
    else:
        if expires_at is None:
            problems.append(("expires_at", "临时变更必须设定到期时间"))
        elif expires_at <= max(effective_from, now):
            problems.append(("expires_at", "到期时间须晚于生效时间和当前时间"))
        elif expires_at - effective_from > dt.timedelta(days=max_temporary_days):
            problems.append(("expires_at", f"临时变更最长 {max_temporary_days} 天"))
    if effective_from < now - dt.timedelta(minutes=5):
        problems.append(("effective_from", "生效时间不能早于当前时间"))
    return problems


def approver_problem(
    *, requester_id: int | None, approver_id: int, approver_roles: frozenset[str]
) -> str | None:
    """Why this person may not approve (or reject) the change; None when they may."""
    if requester_id is not None and requester_id == approver_id:
        return "申请人不能审批自己提出的限值变更，须由本企业另一名安全管理员、主要负责人或企业管理员审批"
    if not approver_roles & APPROVER_ROLES:
        return "只有本企业的安全管理员、主要负责人或企业管理员可以审批限值变更"
    return None


def due_to_apply(*, approved: bool, applied: bool, effective_from: dt.datetime, now: dt.datetime) -> bool:
    """An approved change not yet in force whose time has come."""
    return approved and not applied and effective_from <= now


def due_to_expire(
    *, kind: ChangeKind, approved: bool, applied: bool, expires_at: dt.datetime | None, now: dt.datetime
) -> bool:
    """A temporary change in force whose expiry has passed."""
    return (
        kind is ChangeKind.TEMPORARY and approved and applied and expires_at is not None and expires_at <= now
    )


@dataclass(frozen=True)
class InForce:
    """A change currently in force on the point: its kind and what its expiry would restore."""

    change_id: int
    kind: ChangeKind
    restore: LimitSet | None  # temporary: the limits to bring back; permanent: None


@dataclass(frozen=True)
class Application:
    """What applying a change does: the point's new limits, what this change's expiry will restore, and
    which changes in force it supersedes."""

    limits: LimitSet
    restore: LimitSet | None
    superseded: tuple[int, ...]


def apply_change(
    *, kind: ChangeKind, current: LimitSet, new: LimitSet, in_force: list[InForce]
) -> Application:
    """Apply `new` over the point's `current` limits, given the changes now in force on it."""
    if kind is ChangeKind.PERMANENT:
        return Application(limits=new, restore=None, superseded=tuple(c.change_id for c in in_force))
    temporaries = [c for c in in_force if c.kind is ChangeKind.TEMPORARY]
    # A temporary change over a temporary one restores what the first would have restored (the baseline).
    baseline = next((c.restore for c in temporaries if c.restore is not None), None)
    return Application(
        limits=new,
        restore=baseline if baseline is not None else current,
        superseded=tuple(c.change_id for c in temporaries),
    )
