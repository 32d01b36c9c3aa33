"""Alarm quality (报警质量) after EEMUA 191 / ISA-18.2 (REFERENCE §6): floods, chattering points and the
offline rate — pure functions over the raise times the selectors read, so the definitions are tested
with tables and the SQL stays one indexed range scan.

Definitions (each constant is the default; the page says which it used):
- **Flood (报警泛滥)**: more than `FLOOD_COUNT` (10) alarms raised within `FLOOD_WINDOW` (10 minutes) for
  one enterprise or one major hazard source (issue 11; ISA-18.2 §16.5 / EEMUA 191: > 10 alarms per
  10 minutes per operator is a flood). A flood is the run of raises from the first window that exceeds
  the count until the rate falls back to the count or below; its size is the number of raises in it.
- **Chattering point (振荡报警)**: the same point and rule raised `CHATTER_COUNT` (3) or more times within
  `CHATTER_WINDOW` (1 minute) — ISA-18.2 (ANSI/ISA-18.2-2016 §16.6 "chattering alarm": an alarm that
  repeatedly transitions between the alarm and normal states in a short time; the common practical
  measure is ≥ 3 alarms in 1 minute, EEMUA 191 3rd ed. §6.2 / ISA-TR18.2.5).
- **Offline rate (离线率)**: points with an active offline alarm / active points of the enterprise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

FLOOD_COUNT: Final = 10
FLOOD_WINDOW: Final = dt.timedelta(minutes=10)
CHATTER_COUNT: Final = 3
CHATTER_WINDOW: Final = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Flood:
    key: Hashable  # the enterprise id, or the major hazard source id
    start: dt.datetime  # the first raise of the flood
    end: dt.datetime  # the last raise of the flood
    count: int  # raises within [start, end]


def floods(
    times: Sequence[dt.datetime],
    key: Hashable = None,
    *,
    count: int = FLOOD_COUNT,
    window: dt.timedelta = FLOOD_WINDOW,
) -> list[Flood]:
    """The floods in one source's raise times: each maximal run of raises in which every raise belongs
    to some window of length `window` (both ends included) holding more than `count` raises, with no
    gap longer than `window` between two of them."""
    ordered = sorted(times)
    flooded = [False] * len(ordered)
    left = 0
    for right, at in enumerate(ordered):
        while at - ordered[left] > window:
            left += 1
        if right - left + 1 > count:
            for i in range(left, right + 1):
                flooded[i] = True
    found: list[Flood] = []
    start = None
    for i, hit in enumerate(flooded):
        if hit and start is None:
            start = i
        # a flood ends at the last flooded raise before an unflooded one, a quiet gap longer than the
        # window, or the end
        if start is not None and (
            i + 1 == len(flooded) or not flooded[i + 1] or ordered[i + 1] - ordered[i] > window
        ):
            found.append(Flood(key, ordered[start], ordered[i], i - start + 1))
            start = None
    return found


def floods_by(
    raises: Iterable[tuple[Hashable, dt.datetime]],
    *,
    count: int = FLOOD_COUNT,
    window: dt.timedelta = FLOOD_WINDOW,
) -> list[Flood]:
    """Floods per key (enterprise or major hazard source) from (key, raised at) pairs, newest first."""
    grouped: dict[Hashable, list[dt.datetime]] = {}
    for key, at in raises:
        grouped.setdefault(key, []).append(at)
    found = [f for key, times in grouped.items() for f in floods(times, key, count=count, window=window)]
    return sorted(found, key=lambda f: f.start, reverse=True)


def max_in_window(times: Sequence[dt.datetime], window: dt.timedelta) -> int:
    """The most raises found in any window of length `window` (both ends included)."""
    ordered = sorted(times)
    best, left = 0, 0
    for right, at in enumerate(ordered):
        while at - ordered[left] > window:
            left += 1
        best = max(best, right - left + 1)
    return best


@dataclass(frozen=True)
class Chatter:
    key: Hashable  # (point id, rule)
    raises: int  # raises in the period
    burst: int  # the most raises within one chatter window


def chattering(
    raises: Iterable[tuple[Hashable, dt.datetime]],
    *,
    count: int = CHATTER_COUNT,
    window: dt.timedelta = CHATTER_WINDOW,
) -> list[Chatter]:
    """The (point, rule) keys raised `count` or more times within `window`, worst burst first."""
    grouped: dict[Hashable, list[dt.datetime]] = {}
    for key, at in raises:
        grouped.setdefault(key, []).append(at)
    found = []
    for key, times in grouped.items():
        burst = max_in_window(times, window)
        if burst >= count:
            found.append(Chatter(key, len(times), burst))
    return sorted(found, key=lambda c: (-c.burst, -c.raises, str(c.key)))


def offline_rate(offline: int, points: int) -> float | None:
    """Offline points / active points (0–1), None without points; offline is capped at points."""
    if points <= 0:
        return None
    if offline < 0:
        raise ValueError("offline points cannot be negative")
    return min(offline, points) / points
