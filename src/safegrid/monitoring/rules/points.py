"""Monitoring point kinds, their units and the gas-detector default limits (REFERENCE §6).

Process points have no platform default: their limits are the enterprise's process control limits
(工艺控制指标), imported with their version and source. Gas detectors default to GB/T 50493-2019 (**L**:
configurable through SAFEGRID_GAS_DEFAULTS): combustible first alarm 25 %LEL and second 50 %LEL; toxic 100 %
and 200 % of the occupational exposure limit; oxygen low 19.5 and high 23.5 %VOL.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum
from math import isfinite


class PointKind(StrEnum):
    LEVEL = "level"
    TEMPERATURE = "temperature"
    PRESSURE = "pressure"
    GAS_COMBUSTIBLE = "gas_combustible"
    GAS_TOXIC = "gas_toxic"
    OXYGEN = "oxygen"
    FLOW = "flow"
    INTERLOCK = "interlock"
    OTHER = "other"
    # event sources (rules/events.py): they send events, not readings
    VIDEO = "video"
    ZONE = "zone"


DEFAULT_UNIT: dict[PointKind, str] = {
    PointKind.LEVEL: "m",
    PointKind.TEMPERATURE: "℃",
    PointKind.PRESSURE: "MPa",
    PointKind.GAS_COMBUSTIBLE: "%LEL",
    PointKind.GAS_TOXIC: "ppm",
    PointKind.OXYGEN: "%VOL",
    PointKind.FLOW: "m³/h",
    PointKind.INTERLOCK: "",
    PointKind.OTHER: "",
    PointKind.VIDEO: "",
    PointKind.ZONE: "",
}

EVENT_KINDS = frozenset({PointKind.VIDEO, PointKind.ZONE})

# Gas detectors: their limits default to REFERENCE §6 when the enterprise gives none.
GAS_KINDS = frozenset({PointKind.GAS_COMBUSTIBLE, PointKind.GAS_TOXIC, PointKind.OXYGEN})


@dataclass(frozen=True)
class Limits:
    """LL < L < H < HH where set (None = not monitored on that side)."""

    ll: float | None = None
    l: float | None = None  # noqa: E741 - the standard's name for the low limit
    h: float | None = None
    hh: float | None = None

    def as_tuple(self) -> tuple[float | None, float | None, float | None, float | None]:
        return (self.ll, self.l, self.h, self.hh)


@dataclass(frozen=True)
class GasDefaults:
    combustible_first_lel: float = 25.0
    combustible_second_lel: float = 50.0
    toxic_first_of_oel: float = 1.0  # × the occupational exposure limit
    toxic_second_of_oel: float = 2.0
    oxygen_low_vol: float = 19.5
    oxygen_high_vol: float = 23.5


def default_limits(
    kind: PointKind, *, oel_ppm: float | None = None, gas: GasDefaults = GasDefaults()
) -> Limits:
    """The limits a point of this kind starts with when the enterprise gives none."""
    if kind is PointKind.GAS_COMBUSTIBLE:
        return Limits(h=gas.combustible_first_lel, hh=gas.combustible_second_lel)
    if kind is PointKind.GAS_TOXIC and oel_ppm is not None:
        return Limits(h=gas.toxic_first_of_oel * oel_ppm, hh=gas.toxic_second_of_oel * oel_ppm)
    if kind is PointKind.OXYGEN:
        return Limits(l=gas.oxygen_low_vol, h=gas.oxygen_high_vol)
    return Limits()


def limit_errors(limits: Limits) -> list[tuple[str, str]]:
    """(field, message) for each limit out of order or not a finite number; empty when they are usable."""
    errors: list[tuple[str, str]] = []
    named = [("ll", limits.ll), ("l", limits.l), ("h", limits.h), ("hh", limits.hh)]
    for name, value in named:
        if value is not None and not isfinite(value):
            errors.append((name, "限值必须是有限的数"))
    present = [(name, value) for name, value in named if value is not None and isfinite(value)]
    for (low_name, low), (high_name, high) in itertools.pairwise(present):
        if not low < high:
            errors.append((high_name, f"{high_name.upper()} 必须大于 {low_name.upper()}"))
    return errors
