"""Which monitoring points a shutdown (停用检修) pauses (pure: no ORM).

A shutdown recorded for the whole enterprise (no risk point) pauses every point of the enterprise; one
recorded for a risk point (风险分析单元) pauses the points that sit in it (`MonitoringPoint.risk_point`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ShutdownScopes:
    enterprises: frozenset[int]  # whole-enterprise shutdowns in force
    risk_points: frozenset[int]  # risk-point shutdowns in force


def shutdown_scopes(rows: Iterable[tuple[int, int | None]]) -> ShutdownScopes:
    """From the (enterprise id, risk point id or None) of the shutdowns in force."""
    enterprises: set[int] = set()
    risk_points: set[int] = set()
    for enterprise_id, risk_point_id in rows:
        if risk_point_id is None:
            enterprises.add(enterprise_id)
        else:
            risk_points.add(risk_point_id)
    return ShutdownScopes(frozenset(enterprises), frozenset(risk_points))


def is_shut_down(scopes: ShutdownScopes, *, enterprise_id: int, risk_point_id: int | None) -> bool:
    return enterprise_id in scopes.enterprises or (
        risk_point_id is not None and risk_point_id in scopes.risk_points
    )
