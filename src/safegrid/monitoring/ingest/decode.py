"""Payload decoding: `{"readings": [{"point", "ts", "value"}, …], "publisher"?, "seq"?, "enterprise"?}`.

The fast path decodes the whole message into msgspec structs in one call. When that fails, the slow path
finds out what was wrong: bytes that are not JSON at all reject the message (MALFORMED); JSON of the wrong
shape (no `readings` list, `seq` not an integer) rejects the message (SCHEMA); a reading of the wrong
shape rejects only itself (SCHEMA), the others go on. The slow path reads JSON with the standard library,
which also takes the `NaN`/`Infinity` literals some gateways write (Python's own `json.dumps` does) and
turns an out-of-range number into infinity, so such values reach the finite check and are refused as
NON_FINITE rather than as a malformed message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import msgspec

from ..rules.ingest import Reject


class ReadingIn(msgspec.Struct):
    point: str
    ts: int | str
    value: float


class MessageIn(msgspec.Struct):
    readings: list[ReadingIn]
    publisher: str | None = None
    seq: int | None = None
    enterprise: str | None = None  # HTTP only: the USCC when the token's user manages several


_fast = msgspec.json.Decoder(MessageIn)


@dataclass(slots=True)
class BadReading:
    reason: Reject
    raw: str  # the reading's JSON
    detail: str


@dataclass(slots=True)
class Decoded:
    readings: list[ReadingIn]
    publisher: str | None = None
    seq: int | None = None
    enterprise: str | None = None
    bad: list[BadReading] = field(default_factory=list)


@dataclass(slots=True)
class Refused:
    """The whole message is refused."""

    reason: Reject
    detail: str


def decode(payload: bytes) -> Decoded | Refused:
    try:
        message = _fast.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return _decode_slowly(payload)
    return Decoded(message.readings, message.publisher, message.seq, message.enterprise)


def _decode_slowly(payload: bytes) -> Decoded | Refused:
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return Refused(Reject.MALFORMED, f"不是有效的 JSON：{exc}"[:500])
    if not isinstance(data, dict) or not isinstance(data.get("readings"), list):
        return Refused(Reject.SCHEMA, "报文应为对象，且含 readings 数组")
    extras: dict[str, object] = {}
    for name, kind in (("publisher", str), ("seq", int), ("enterprise", str)):
        value = data.get(name)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            return Refused(Reject.SCHEMA, f"{name} 类型不符")
        extras[name] = value
    good: list[ReadingIn] = []
    bad: list[BadReading] = []
    for item in data["readings"]:
        try:
            good.append(msgspec.convert(item, ReadingIn))
        except msgspec.ValidationError as exc:
            bad.append(BadReading(Reject.SCHEMA, _dump(item), str(exc)[:500]))
    return Decoded(good, bad=bad, **extras)  # type: ignore[arg-type]


def _dump(item: object) -> str:
    try:
        return json.dumps(item, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        return repr(item)


def reading_json(reading: ReadingIn) -> str:
    """A decoded reading back as JSON, for its dead letter."""
    return json.dumps({"point": reading.point, "ts": reading.ts, "value": reading.value}, ensure_ascii=False)
