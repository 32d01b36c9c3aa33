"""Limit-change rules: what a request must say, who approves, when a change applies and expires, what an
expiry restores (rules/limits.py)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from safegrid.monitoring.rules.limits import (
    MAX_TEMPORARY_DAYS,
    ChangeKind,
    InForce,
    LimitSet,
    apply_change,
    approver_problem,
    differences,
    due_to_apply,
    due_to_expire,
    request_problems,
)

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
CURRENT = LimitSet(ll=0.5, l=1.0, h=8.0, hh=9.0, deadband=0.1, version="V2", source="工艺控制指标 V2")
NEW = LimitSet(ll=0.5, l=1.0, h=8.5, hh=9.2, deadband=0.1, version="V3", source="工艺控制指标 V3")
P, T = ChangeKind.PERMANENT, ChangeKind.TEMPORARY
H = dt.timedelta(hours=1)


def fields(problems):
    return sorted({name for name, _ in problems})


@pytest.mark.parametrize(
    ("kind", "new", "reason", "start", "expires", "expected"),
    [
        (P, NEW, "新版指标", NOW, None, []),
        (T, NEW, "开车阶段", NOW, NOW + H, []),
        (P, NEW, "", NOW, None, ["reason"]),
        (P, NEW, "x", NOW, NOW + H, ["expires_at"]),  # permanent: no expiry
        (P, LimitSet(**{**NEW.__dict__, "version": "V2"}), "x", NOW, None, ["version"]),  # same version
        (P, LimitSet(**{**NEW.__dict__, "version": " "}), "x", NOW, None, ["version"]),
        (P, LimitSet(**{**NEW.__dict__, "source": ""}), "x", NOW, None, ["source"]),
        (T, NEW, "x", NOW, None, ["expires_at"]),  # temporary: an expiry is required
        (T, NEW, "x", NOW, NOW, ["expires_at"]),  # not after the start
        (T, NEW, "x", NOW + H, NOW + H, ["expires_at"]),
        (T, NEW, "x", NOW, NOW + dt.timedelta(days=MAX_TEMPORARY_DAYS), []),  # the longest allowed
        (T, NEW, "x", NOW, NOW + dt.timedelta(days=MAX_TEMPORARY_DAYS, seconds=1), ["expires_at"]),
        (P, NEW, "x", NOW - dt.timedelta(minutes=6), None, ["effective_from"]),  # back-dated
        (P, NEW, "x", NOW - dt.timedelta(minutes=5), None, []),  # a form's few minutes of slack
        (P, LimitSet(**{**CURRENT.__dict__, "version": "V3"}), "x", NOW, None, ["h"]),  # nothing changes
        (P, LimitSet(**{**NEW.__dict__, "h": 9.5}), "x", NOW, None, ["hh"]),  # H above HH
        (P, LimitSet(**{**NEW.__dict__, "hh": math.nan}), "x", NOW, None, ["hh"]),
        (P, LimitSet(**{**NEW.__dict__, "rate_limit": -1.0}), "x", NOW, None, ["rate_limit"]),
        (P, LimitSet(**{**NEW.__dict__, "deadband": math.inf}), "x", NOW, None, ["deadband"]),
        (P, LimitSet(**{**NEW.__dict__, "version": "V" * 41}), "x", NOW, None, ["version"]),
    ],
)
def test_request_problems(kind, new, reason, start, expires, expected):
    problems = request_problems(
        kind=kind, current=CURRENT, new=new, reason=reason, effective_from=start, expires_at=expires, now=NOW
    )
    assert fields(problems) == expected


def test_request_problem_messages_are_chinese():
    problems = request_problems(
        kind=T, current=CURRENT, new=NEW, reason="x", effective_from=NOW, expires_at=None, now=NOW
    )
    assert problems == [("expires_at", "临时变更必须设定到期时间")]


@pytest.mark.parametrize(
    ("requester", "approver", "roles", "refused"),
    [
        (1, 2, {"safety_manager"}, False),
        (1, 2, {"legal_rep"}, False),
        (1, 2, {"ent_admin"}, False),
        (1, 1, {"safety_manager"}, True),  # never one's own request
        (1, 2, {"unit_user"}, True),
        (1, 2, set(), True),
        (None, 2, {"safety_manager"}, False),  # requested by the system (an import job, the demo)
    ],
)
def test_approver_problem(requester, approver, roles, refused):
    problem = approver_problem(requester_id=requester, approver_id=approver, approver_roles=frozenset(roles))
    assert (problem is not None) is refused


def test_self_approval_message_names_who_may():
    problem = approver_problem(requester_id=1, approver_id=1, approver_roles=frozenset({"safety_manager"}))
    assert problem is not None and "不能审批自己" in problem


@pytest.mark.parametrize(
    ("approved", "applied", "start", "due"),
    [
        (True, False, NOW, True),  # on the boundary
        (True, False, NOW - H, True),
        (True, False, NOW + H, False),
        (False, False, NOW - H, False),
        (True, True, NOW - H, False),
    ],
)
def test_due_to_apply(approved, applied, start, due):
    assert due_to_apply(approved=approved, applied=applied, effective_from=start, now=NOW) is due


@pytest.mark.parametrize(
    ("kind", "approved", "applied", "expires", "due"),
    [
        (T, True, True, NOW, True),  # on the boundary
        (T, True, True, NOW + H, False),
        (T, True, False, NOW - H, False),  # never in force: nothing to restore
        (T, False, True, NOW - H, False),
        (P, True, True, None, False),
    ],
)
def test_due_to_expire(kind, approved, applied, expires, due):
    assert due_to_expire(kind=kind, approved=approved, applied=applied, expires_at=expires, now=NOW) is due


def test_permanent_change_supersedes_everything_in_force_and_restores_nothing():
    temp = LimitSet(h=8.8, hh=9.5, version="T1", source="临时")
    result = apply_change(
        kind=P, current=temp, new=NEW, in_force=[InForce(1, P, None), InForce(2, T, CURRENT)]
    )
    assert result.limits == NEW and result.restore is None and result.superseded == (1, 2)


def test_temporary_change_restores_the_limits_it_replaces():
    result = apply_change(kind=T, current=CURRENT, new=NEW, in_force=[InForce(1, P, None)])
    assert result.restore == CURRENT and result.superseded == ()  # the permanent baseline stays in force


def test_temporary_over_temporary_restores_the_baseline():
    first = LimitSet(h=8.8, hh=9.5, version="T1", source="临时")
    result = apply_change(kind=T, current=first, new=NEW, in_force=[InForce(7, T, CURRENT)])
    assert result.restore == CURRENT and result.superseded == (7,)


def test_differences():
    assert differences(CURRENT, NEW) == [
        ("h", 8.0, 8.5),
        ("hh", 9.0, 9.2),
        ("version", "V2", "V3"),
        ("source", "工艺控制指标 V2", "工艺控制指标 V3"),
    ]
