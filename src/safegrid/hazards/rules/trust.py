"""Trust in the record (USERS.md, "fake check-ins"): presence of a check and the flags shown to regulators.

Pure rules. A checkpoint scan (the QR code or NFC tag at the risk point, opened as a URL) is the proof of
presence; GPS is a soft signal (10–30 m error among tanks, REFERENCE §4), so a check is flagged "far" only
beyond a county limit plus the accuracy the phone reported (capped at the limit). "Hours of patrols
entered within minutes": the same user's checks recorded (server time) within a few minutes whose
windows span hours. A photo seen before is a database fact (its SHA-256 on an earlier record or hazard
photo); `flags_of` only names it. Limits are county configuration (`config.trust_limits`), not law.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

SCANNED: Final = "scanned"
GPS: Final = "gps"
NONE: Final = "none"

PHOTO_SEEN: Final = "photo_seen"
FAR: Final = "far"
BATCH: Final = "batch"
FLAGS: Final = (PHOTO_SEEN, FAR, BATCH)

EARTH_RADIUS_M: Final = 6_371_008.8  # mean radius (IUGG)


@dataclass(frozen=True)
class TrustLimits:
    far_metres: float = 300.0  # beyond this (plus the reported accuracy, capped) a check is "far"
    batch_minutes: int = 15  # checks recorded within this many minutes of each other form one batch…
    batch_span_hours: float = 2.0  # …flagged when their windows span at least this many hours…
    batch_min_checks: int = 3  # …and there are at least this many of them
    scan_valid_minutes: int = 30  # a scan proves presence for a check submitted within this time


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def point_distance(check: tuple[float, float] | None, point: tuple[float, float] | None) -> float | None:
    """Distance from where the check was made to its risk point; None when either position is unknown."""
    if check is None or point is None:
        return None
    return round(distance_m(check[0], check[1], point[0], point[1]), 1)


def presence_of(scanned: bool, distance: float | None) -> str:
    """scanned (the checkpoint's code was opened), else gps (a distance is known), else none."""
    if scanned:
        return SCANNED
    return GPS if distance is not None else NONE


def scan_valid(scanned_at: dt.datetime | None, now: dt.datetime, limits: TrustLimits) -> bool:
    """A scan proves presence for a check submitted within `scan_valid_minutes` after it (not before)."""
    if scanned_at is None:
        return False
    age = now - scanned_at
    return dt.timedelta(0) <= age <= dt.timedelta(minutes=limits.scan_valid_minutes)


def is_far(distance: float | None, accuracy: float | None, limits: TrustLimits) -> bool:
    """Far from its point: distance > limit + reported accuracy (the accuracy counted at most the limit)."""
    if distance is None:
        return False
    slack = min(max(accuracy or 0.0, 0.0), limits.far_metres)
    return distance > limits.far_metres + slack


@dataclass(frozen=True)
class Entry:
    """One check of a user: its id, when the server recorded it, and the start of its window."""

    id: int
    recorded: dt.datetime
    window_start: dt.datetime


def batch(entries: Sequence[Entry], limits: TrustLimits) -> tuple[int, ...]:
    """The ids of the batch the latest entry belongs to, when it is a back-filled one; else ().

    The batch: the entries recorded within `batch_minutes` of the latest one. It is flagged when it holds
    at least `batch_min_checks` checks whose windows span at least `batch_span_hours`.
    """
    if not entries:
        return ()
    latest = max(e.recorded for e in entries)
    near = [e for e in entries if latest - e.recorded <= dt.timedelta(minutes=limits.batch_minutes)]
    if len(near) < limits.batch_min_checks:
        return ()
    starts = [e.window_start for e in near]
    if max(starts) - min(starts) < dt.timedelta(hours=limits.batch_span_hours):
        return ()
    return tuple(sorted(e.id for e in near))


def flags_of(*, photo_seen: bool, far: bool, in_batch: bool) -> tuple[str, ...]:
    """The flag codes, in display order."""
    return tuple(f for f, on in ((PHOTO_SEEN, photo_seen), (FAR, far), (BATCH, in_batch)) if on)
