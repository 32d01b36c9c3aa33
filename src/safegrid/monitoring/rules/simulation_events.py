"""Simulated events of the demo's video channels and positioning zones (`safegrid simulate`), pure and
deterministic for a seed: a channel now and then goes offline for a minute or two; people (tags ``P-<n>``)
enter and leave a zone, its headcount is sent every 10 s, a crowd above the rated number comes now and then,
and a person sometimes stays motionless beyond the threshold before moving again. One message per enterprise
and round that has events: `{"events": [{"source", "ts", "type", "value"?, "person"?}, …]}` on
`safegrid/events/<USCC>`.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from .points import PointKind


@dataclass(frozen=True)
class SimSource:
    enterprise: str  # USCC
    code: str
    kind: PointKind
    rated_headcount: int | None = None
    motionless_s: int | None = None


@dataclass(frozen=True)
class EventRates:
    """Probabilities per source and second."""

    video_offline: float = 0.002
    enter: float = 0.02
    leave_each: float = 0.004
    crowd: float = 0.0005
    motionless: float = 0.001


@dataclass(frozen=True)
class EventMessage:
    enterprise: str
    payload: bytes
    events: int


@dataclass
class _Zone:
    people: set[str] = field(default_factory=set)
    still: dict[str, float] = field(default_factory=dict)  # person → seconds left before moving again
    headcount_in: float = 0.0


@dataclass
class EventSimulator:
    sources: list[SimSource]
    seed: int = 0
    rates: EventRates = field(default_factory=EventRates)
    headcount_every_s: float = 10.0
    sent: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.offline_left: dict[str, float] = {}
        self.zones: dict[str, _Zone] = {s.code: _Zone() for s in self.sources if s.kind is PointKind.ZONE}
        self.next_tag = 0

    def _video(self, source: SimSource, ts_ms: int, dt: float) -> list[dict[str, object]]:
        left = self.offline_left.get(source.code)
        if left is not None:
            left -= dt
            if left <= 0:
                del self.offline_left[source.code]
                return [{"source": source.code, "ts": ts_ms, "type": "video_online"}]
            self.offline_left[source.code] = left
            return []
        if self.rng.random() < self.rates.video_offline * dt:
            self.offline_left[source.code] = self.rng.uniform(60, 180)
            return [{"source": source.code, "ts": ts_ms, "type": "video_offline"}]
        return []

    def _tag(self) -> str:
        self.next_tag += 1
        return f"P-{self.next_tag:04d}"

    def _zone(self, source: SimSource, ts_ms: int, dt: float) -> list[dict[str, object]]:
        zone, rng, rates = self.zones[source.code], self.rng, self.rates
        rated = source.rated_headcount or 6
        out: list[dict[str, object]] = []
        entering = 0
        if rng.random() < rates.enter * dt and len(zone.people) < rated:
            entering = 1
        if rng.random() < rates.crowd * dt:
            entering = rated + 2 - len(zone.people)
        for _ in range(max(0, entering)):
            tag = self._tag()
            zone.people.add(tag)
            out.append({"source": source.code, "ts": ts_ms, "type": "enter", "person": tag})
        for person in sorted(zone.people):
            if person not in zone.still and rng.random() < rates.leave_each * dt:
                zone.people.discard(person)
                out.append({"source": source.code, "ts": ts_ms, "type": "leave", "person": person})
        for person, left in list(zone.still.items()):
            if left - dt <= 0:
                del zone.still[person]
                out.append({"source": source.code, "ts": ts_ms, "type": "moving", "person": person})
            else:
                zone.still[person] = left - dt
        moving = sorted(zone.people - set(zone.still))
        if moving and source.motionless_s and rng.random() < rates.motionless * dt:
            person = rng.choice(moving)
            zone.still[person] = rng.uniform(60, 180)
            value = source.motionless_s + 5
            out.append(
                {"source": source.code, "ts": ts_ms, "type": "motionless", "value": value, "person": person}
            )
        zone.headcount_in -= dt
        if zone.headcount_in <= 0:
            zone.headcount_in = self.headcount_every_s
            out.append({"source": source.code, "ts": ts_ms, "type": "headcount", "value": len(zone.people)})
        return out

    def tick(self, ts_ms: int, dt: float) -> list[EventMessage]:
        by_enterprise: dict[str, list[dict[str, object]]] = {}
        for source in self.sources:
            found = (
                self._video(source, ts_ms, dt)
                if source.kind is PointKind.VIDEO
                else self._zone(source, ts_ms, dt)
            )
            if found:
                by_enterprise.setdefault(source.enterprise, []).extend(found)
        messages = []
        for enterprise, events in by_enterprise.items():
            payload = json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":")).encode()
            messages.append(EventMessage(enterprise, payload, len(events)))
            self.sent += len(events)
        return messages
