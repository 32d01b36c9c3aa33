"""Realistic streams for the demo's monitoring points (`safegrid simulate`): pure value models and the
messages of one round, deterministic for a seed.

Each point wanders around an operating value inside its limits — a random walk with inertia (a velocity that
keeps most of itself each step, pulled back towards the operating value) scaled per kind: a tank level
drifts slowly as it fills and empties, a reactor temperature hunts around its setpoint, a gas detector sits
near zero with small spikes, oxygen stays at 20.9 %VOL. Injected at configurable rates per point and round:
excursions above H (between H and HH) and above HH that last a while and come back, offline gaps (the point
sends nothing for longer than its offline timeout), duplicated messages (the same message, same sequence
number, sent twice as a QoS 1 redelivery would) and malformed messages (truncated JSON, readings that are not
a list, an unknown point code, a non-finite value). One message per enterprise and round:
`{"readings": [{"point", "ts", "value"}, …], "publisher", "seq"}`, `seq` numbering the publisher's messages.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from enum import StrEnum

from .points import PointKind


@dataclass(frozen=True)
class SimPoint:
    enterprise: str  # the enterprise's USCC (the topic's last part)
    code: str
    kind: PointKind
    ll: float | None = None
    l: float | None = None  # noqa: E741 - the standard's name
    h: float | None = None
    hh: float | None = None
    offline_timeout_s: int = 300


@dataclass(frozen=True)
class Rates:
    """Probabilities per point and round (excursions, offline gaps) or per message (duplicates, malformed)."""

    excursion_h: float = 0.0005
    excursion_hh: float = 0.0002
    offline: float = 0.0002
    duplicate: float = 0.01
    malformed: float = 0.005


@dataclass(frozen=True)
class Shape:
    """How a kind of point moves: operating value as a share of the normal band, noise and inertia."""

    noise: float  # standard deviation of a step's push, as a share of the band per √second
    inertia: float  # share of the velocity kept each second
    pull: float  # share of the distance to the operating value pulled back each second


SHAPES: dict[PointKind, Shape] = {
    PointKind.LEVEL: Shape(noise=0.0005, inertia=0.95, pull=0.005),
    PointKind.TEMPERATURE: Shape(noise=0.004, inertia=0.8, pull=0.03),
    PointKind.PRESSURE: Shape(noise=0.004, inertia=0.7, pull=0.05),
    PointKind.FLOW: Shape(noise=0.01, inertia=0.6, pull=0.05),
    PointKind.GAS_COMBUSTIBLE: Shape(noise=0.01, inertia=0.3, pull=0.2),
    PointKind.GAS_TOXIC: Shape(noise=0.01, inertia=0.3, pull=0.2),
    PointKind.OXYGEN: Shape(noise=0.002, inertia=0.3, pull=0.2),
    PointKind.INTERLOCK: Shape(noise=0.0, inertia=0.0, pull=1.0),
    PointKind.OTHER: Shape(noise=0.004, inertia=0.7, pull=0.05),
}


def band(p: SimPoint) -> tuple[float, float]:
    """The normal band a point operates in: between its low and high alarms, else a plausible range."""
    if p.kind is PointKind.GAS_COMBUSTIBLE:
        return (0.0, (p.h or 25.0) * 0.12)
    if p.kind is PointKind.GAS_TOXIC:
        return (0.0, (p.h or 10.0) * 0.15)
    if p.kind is PointKind.OXYGEN:
        return (20.8, 21.0)
    if p.kind is PointKind.INTERLOCK:
        return (1.0, 1.0)
    high = p.h if p.h is not None else p.hh
    low = p.l if p.l is not None else p.ll
    if high is None and low is None:
        return (40.0, 60.0)
    if high is None:
        assert low is not None
        return (low, low + max(abs(low), 1.0))
    if low is None:
        low = 0.0 if high > 0 else high - max(abs(high), 1.0)
    span = high - low
    return (low + 0.2 * span, high - 0.2 * span)


@dataclass
class Walker:
    """One point's value over time."""

    point: SimPoint
    value: float
    target: float
    velocity: float = 0.0
    excursion_left: float = 0.0  # seconds
    excursion_target: float = 0.0
    offline_left: float = 0.0  # seconds

    @classmethod
    def start(cls, point: SimPoint, rng: random.Random) -> Walker:
        low, high = band(point)
        target = low + (high - low) * rng.uniform(0.3, 0.7)
        return cls(point, value=target, target=target)

    @property
    def offline(self) -> bool:
        return self.offline_left > 0

    def excursion(self, rng: random.Random, *, above_hh: bool, seconds: float) -> bool:
        """Drive the value above H (below HH) or above HH for `seconds`; False when the point has no such limit."""
        p = self.point
        if above_hh:
            if p.hh is None:
                return False
            margin = abs(p.hh - (p.h if p.h is not None else self.target)) * 0.3 or abs(p.hh) * 0.05 or 1.0
            self.excursion_target = p.hh + margin * rng.uniform(0.3, 1.0)
        else:
            if p.h is None:
                return False
            top = p.hh if p.hh is not None else p.h + abs(p.h) * 0.1 + 1.0
            self.excursion_target = p.h + (top - p.h) * rng.uniform(0.3, 0.7)
        self.excursion_left = seconds
        return True

    def step(self, rng: random.Random, dt: float) -> float:
        """Advance by `dt` seconds and return the new value."""
        shape = SHAPES[self.point.kind]
        low, high = band(self.point)
        span = max(high - low, abs(high) * 0.01, 1e-6)
        if self.excursion_left > 0:
            self.excursion_left -= dt
            goal, pull = self.excursion_target, 0.3
        else:
            goal, pull = self.target, shape.pull
        keep = shape.inertia**dt
        push = rng.gauss(0.0, shape.noise * span * math.sqrt(dt))
        self.velocity = keep * self.velocity + push
        self.value += self.velocity + (goal - self.value) * min(1.0, pull * dt)
        if self.point.kind in (PointKind.GAS_COMBUSTIBLE, PointKind.GAS_TOXIC, PointKind.LEVEL):
            self.value = max(0.0, self.value)
        if self.point.kind is PointKind.GAS_COMBUSTIBLE:
            self.value = min(100.0, self.value)
        if self.offline_left > 0:
            self.offline_left -= dt
        return round(self.value, 3)


class Malformed(StrEnum):
    TRUNCATED = "truncated"
    NOT_A_LIST = "not_a_list"
    UNKNOWN_POINT = "unknown_point"
    NOT_FINITE = "not_finite"


@dataclass(frozen=True)
class Message:
    enterprise: str  # USCC
    payload: bytes
    seq: int | None  # None for a malformed message that carries no sequence
    readings: int
    duplicate: bool = False
    malformed: Malformed | None = None


@dataclass
class Counters:
    messages: int = 0
    readings: int = 0
    duplicates: int = 0
    malformed: int = 0
    excursions_h: int = 0
    excursions_hh: int = 0
    offline_gaps: int = 0


@dataclass
class Simulator:
    points: list[SimPoint]
    publisher: str
    seed: int = 0
    rates: Rates = field(default_factory=Rates)
    excursion_seconds: tuple[float, float] = (20.0, 90.0)
    seq: int = 0
    counters: Counters = field(default_factory=Counters)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.walkers = [Walker.start(p, self.rng) for p in self.points]
        self.by_enterprise: dict[str, list[Walker]] = {}
        for walker in self.walkers:
            self.by_enterprise.setdefault(walker.point.enterprise, []).append(walker)

    def _inject(self, walker: Walker) -> None:
        rng, rates = self.rng, self.rates
        if walker.excursion_left <= 0 and not walker.offline:
            roll = rng.random()
            seconds = rng.uniform(*self.excursion_seconds)
            if roll < rates.excursion_hh:
                if walker.excursion(rng, above_hh=True, seconds=seconds):
                    self.counters.excursions_hh += 1
            elif roll < rates.excursion_hh + rates.excursion_h and walker.excursion(
                rng, above_hh=False, seconds=seconds
            ):
                self.counters.excursions_h += 1
        if not walker.offline and rng.random() < rates.offline:
            walker.offline_left = walker.point.offline_timeout_s * rng.uniform(1.2, 2.0)
            self.counters.offline_gaps += 1

    def _payload(self, readings: list[dict[str, object]]) -> bytes:
        self.seq += 1
        body = {"readings": readings, "publisher": self.publisher, "seq": self.seq}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    def _malformed(self, enterprise: str, ts_ms: int) -> Message:
        kind = self.rng.choice(list(Malformed))
        reading: dict[str, object] = {"point": "", "ts": ts_ms, "value": 0.0}
        if kind is Malformed.TRUNCATED:
            payload = b'{"readings": [{"point": "'
        elif kind is Malformed.NOT_A_LIST:
            payload = json.dumps({"readings": {"point": "x"}, "publisher": self.publisher}).encode()
        elif kind is Malformed.UNKNOWN_POINT:
            reading["point"] = f"NO-SUCH-{self.rng.randint(1000, 9999)}"
            payload = json.dumps({"readings": [reading], "publisher": self.publisher}).encode()
        else:
            walker = self.rng.choice(self.by_enterprise[enterprise])
            reading.update(point=walker.point.code, value=math.inf)
            payload = json.dumps({"readings": [reading], "publisher": self.publisher}).encode()  # "Infinity"
        self.counters.malformed += 1
        return Message(enterprise, payload, None, 0, malformed=kind)

    def tick(self, ts_ms: int, dt: float) -> list[Message]:
        """One round at `ts_ms` (epoch ms), `dt` seconds after the last: a message per enterprise with the
        readings of its points that are not offline, plus injected duplicates and malformed messages."""
        messages: list[Message] = []
        for enterprise, walkers in self.by_enterprise.items():
            readings: list[dict[str, object]] = []
            for walker in walkers:
                self._inject(walker)
                silent = walker.offline
                value = walker.step(self.rng, dt)
                if not silent:
                    readings.append({"point": walker.point.code, "ts": ts_ms, "value": value})
            if readings:
                message = Message(enterprise, self._payload(readings), self.seq, len(readings))
                messages.append(message)
                self.counters.messages += 1
                self.counters.readings += len(readings)
                if self.rng.random() < self.rates.duplicate:
                    messages.append(
                        Message(enterprise, message.payload, message.seq, message.readings, duplicate=True)
                    )
                    self.counters.duplicates += 1
            if self.rng.random() < self.rates.malformed:
                messages.append(self._malformed(enterprise, ts_ms))
        return messages
