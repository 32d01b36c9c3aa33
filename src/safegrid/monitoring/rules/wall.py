"""The state colour of a point on the monitoring wall (pure: no ORM).

Precedence: a bypass in force (旁路) says nothing about the process, then offline (no value within the
point's timeout, or the engine's offline alarm), then the worse of the active limit alarms (the engine applies
the deadband, so a value back just under H with the alarm still active stays H) and the latest value's band
(a crossing the engine has not written yet), else normal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from .points import Limits


class WallState(StrEnum):
    NORMAL = "normal"
    H = "H"
    HH = "HH"
    L = "L"
    LL = "LL"
    OFFLINE = "offline"
    BYPASSED = "bypassed"


# worst first
_ALARM_ORDER = (WallState.HH, WallState.LL, WallState.H, WallState.L)


def value_state(limits: Limits, value: float) -> WallState:
    """The band of a value; on a limit counts as crossed (as the alarm rules do)."""
    if limits.hh is not None and value >= limits.hh:
        return WallState.HH
    if limits.ll is not None and value <= limits.ll:
        return WallState.LL
    if limits.h is not None and value >= limits.h:
        return WallState.H
    if limits.l is not None and value <= limits.l:
        return WallState.L
    return WallState.NORMAL


def point_state(
    *,
    limits: Limits,
    value: float | None,
    received_at: dt.datetime | None,
    offline_timeout_s: int,
    now: dt.datetime,
    active_severities: Iterable[str] = (),
    bypassed: bool = False,
    event_source: bool = False,
) -> WallState:
    """A point's colour. An event source (video channel, positioning zone: rules/events.py) sends no
    values: it is offline only by its video-offline alarm, else the worst of its active alarms, else normal."""
    if bypassed:
        return WallState.BYPASSED
    severities = set(active_severities)
    if event_source:
        if "OFFLINE" in severities:
            return WallState.OFFLINE
        return next((state for state in _ALARM_ORDER if state.value in severities), WallState.NORMAL)
    if value is None or received_at is None or "OFFLINE" in severities:
        return WallState.OFFLINE
    if (now - received_at).total_seconds() > offline_timeout_s:
        return WallState.OFFLINE
    band = value_state(limits, value)
    for state in _ALARM_ORDER:
        if state is band or state.value in severities:
            return state
    return WallState.NORMAL


# An alarm's severity, worst first: what colours a point's row in the wall's alarm list.
SEVERITY_ORDER = ("HH", "LL", "H", "L", "RATE", "OFFLINE")

T = TypeVar("T")


def severity_rank(severity: str) -> int:
    """0 is the worst; an unknown severity sorts last."""
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def worst_severity(severities: Iterable[str]) -> str | None:
    return min(severities, key=severity_rank, default=None)


def by_point(
    alarms: Iterable[T], point_of: Callable[[T], int], severity_of: Callable[[T], str]
) -> list[list[T]]:
    """The alarms grouped per point — one row per point, in the order its first alarm comes (the newest
    first when the alarms are newest first) — each row's alarms worst severity first."""
    rows: dict[int, list[T]] = {}
    for alarm in alarms:
        rows.setdefault(point_of(alarm), []).append(alarm)
    return [sorted(row, key=lambda a: severity_rank(severity_of(a))) for row in rows.values()]


# ---- why a point's alarms are paused ---------------------------------------------------------------------


class PauseKind(StrEnum):
    SHUTDOWN = "shutdown"  # the whole enterprise in a recorded shutdown (停产/停用检修)
    RISK_POINT_SHUTDOWN = "risk_point_shutdown"  # the risk point (风险分析单元) the point sits in
    BYPASS = "bypass"  # an approved bypass (旁路) in force, of the point or of some of its rules
    DEACTIVATED = "deactivated"  # the point taken out of use (an approved deactivation)


_PAUSE_ORDER = (PauseKind.DEACTIVATED, PauseKind.SHUTDOWN, PauseKind.RISK_POINT_SHUTDOWN, PauseKind.BYPASS)


@dataclass(frozen=True)
class ShutdownSpan:
    """A shutdown in force: of the whole enterprise (no risk point) or of one risk point."""

    enterprise_id: int
    risk_point_id: int | None
    start: dt.datetime
    until: dt.datetime | None  # the recorded end, else the planned end, else open
    risk_point_name: str = ""


@dataclass(frozen=True)
class BypassSpan:
    point_id: int
    rule: str  # "" the whole point
    ends_at: dt.datetime


@dataclass(frozen=True)
class PauseReason:
    kind: PauseKind
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    detail: str = ""  # the risk point's name, or the bypassed rule ("" the whole point)


def pause_reasons(
    *,
    point_id: int,
    enterprise_id: int,
    risk_point_id: int | None,
    active: bool,
    shutdowns: Iterable[ShutdownSpan],
    bypasses: Iterable[BypassSpan],
) -> tuple[PauseReason, ...]:
    """Why nothing is raised for the point now (the alarm engine's pauses, `alarm_engine.pauses`, plus its
    deactivation), most general first: out of use, a shutdown of the enterprise, of its risk point, its
    bypasses (soonest to end first). Empty when its alarms run."""
    found: list[PauseReason] = []
    if not active:
        found.append(PauseReason(PauseKind.DEACTIVATED))
    for s in sorted(shutdowns, key=lambda s: s.start):
        if s.enterprise_id != enterprise_id:
            continue
        if s.risk_point_id is None:
            found.append(PauseReason(PauseKind.SHUTDOWN, s.start, s.until))
        elif s.risk_point_id == risk_point_id:
            found.append(PauseReason(PauseKind.RISK_POINT_SHUTDOWN, s.start, s.until, s.risk_point_name))
    found.sort(key=lambda r: _PAUSE_ORDER.index(r.kind))
    for b in sorted(bypasses, key=lambda b: (b.rule != "", b.ends_at)):
        if b.point_id == point_id:
            found.append(PauseReason(PauseKind.BYPASS, None, b.ends_at, b.rule))
    return tuple(found)
