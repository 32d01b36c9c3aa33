"""Pure ingest checks: a reading's timestamp (epoch ms or RFC 3339) to aware UTC, and whether its value and
time are acceptable, as a reason code for the dead-letter table (None: accepted).

Window: a reading may be at most `future` ahead of the ingest's clock (a device clock off) and no older
than the raw-reading retention (it would land in a dropped partition and count as kept when it is not).
Both bounds are inclusive: exactly `future` ahead, or exactly `retention` old, is accepted.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Epoch milliseconds beyond these are not a time a sensor sends (and overflow datetime).
MIN_EPOCH_MS = 0
MAX_EPOCH_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
ONE_US = dt.timedelta(microseconds=1)


class Reject(StrEnum):
    """The reasons a reading or a message is refused (the dead-letter table's codes)."""

    MALFORMED = "malformed"
    SCHEMA = "schema"
    UNKNOWN_ENTERPRISE = "unknown_enterprise"
    UNKNOWN_POINT = "unknown_point"
    OTHER_ENTERPRISE = "other_enterprise"
    INACTIVE_POINT = "inactive_point"
    NON_FINITE = "non_finite"
    BAD_TIMESTAMP = "bad_timestamp"
    FUTURE = "future"
    TOO_OLD = "too_old"
    UNKNOWN_EVENT = "unknown_event"  # an event source's event of a type it does not send (rules/events.py)
    ERROR = "error"  # a message the ingest could not handle for a fault of its own (logged), kept here


@dataclass(frozen=True)
class Window:
    future: dt.timedelta
    retention: dt.timedelta


def parse_ts(raw: int | str) -> dt.datetime | None:
    """Epoch milliseconds (int) or an RFC 3339 string with an offset ("Z" or ±hh:mm) → aware UTC; None when
    it is neither (a string without an offset is refused: its time zone would be a guess)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        if not MIN_EPOCH_MS <= raw <= MAX_EPOCH_MS:
            return None
        return EPOCH + dt.timedelta(milliseconds=raw)
    text = raw.strip()
    if len(text) < 20 or text[10] not in "Tt ":
        return None
    try:
        parsed = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(dt.UTC)


def check(ts: dt.datetime, value: float, *, now: dt.datetime, window: Window) -> Reject | None:
    """Why a parsed reading is refused, or None."""
    if not math.isfinite(value):
        return Reject.NON_FINITE
    if ts - now > window.future:
        return Reject.FUTURE
    if now - ts > window.retention:
        return Reject.TOO_OLD
    return None


def epoch_ms(ts: dt.datetime) -> int:
    """An aware time as epoch milliseconds (sub-millisecond digits dropped)."""
    return (ts - EPOCH) // dt.timedelta(milliseconds=1)


def accept_window_ms(now: dt.datetime, window: Window) -> tuple[int, int]:
    """The epoch-ms range `check` accepts at `now`, both ends included, for checking integers directly
    (integer microseconds throughout, so the edges agree with `check` exactly)."""
    now_us = (now - EPOCH) // ONE_US
    low_us = now_us - window.retention // ONE_US
    high_us = now_us + window.future // ONE_US
    return -(-low_us // 1000), high_us // 1000


def check_raw(raw_ts: int | str, value: float, *, now: dt.datetime, window: Window) -> dt.datetime | Reject:
    """parse_ts then check: the reading's aware UTC time, or why it is refused."""
    ts = parse_ts(raw_ts)
    if ts is None:
        return Reject.BAD_TIMESTAMP
    reason = check(ts, value, now=now, window=window)
    return ts if reason is None else reason


@dataclass(frozen=True)
class SequenceSpan:
    """A publisher's numbers seen so far: [first, last] and how many messages arrived."""

    first: int
    last: int
    messages: int

    @property
    def gaps(self) -> int:
        return max(0, self.last - self.first + 1 - self.messages)

    def merge(self, other: SequenceSpan) -> SequenceSpan:
        """Two processes' (or two batches') spans of the same publisher, added up."""
        return SequenceSpan(
            first=min(self.first, other.first),
            last=max(self.last, other.last),
            messages=self.messages + other.messages,
        )


class Resolution(StrEnum):
    RAW = "raw"
    MINUTE = "1m"
    HOUR = "1h"


RAW_UP_TO = dt.timedelta(hours=6)
MINUTES_UP_TO = dt.timedelta(days=3)
MAX_SERIES_SPAN = dt.timedelta(days=400)


def series_resolution(span: dt.timedelta) -> Resolution:
    """Raw readings up to 6 h (a point at 1 s is 21,600 values), 1-minute rollups up to 3 days, then hourly."""
    if span <= RAW_UP_TO:
        return Resolution.RAW
    if span <= MINUTES_UP_TO:
        return Resolution.MINUTE
    return Resolution.HOUR
