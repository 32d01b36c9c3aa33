"""The alarm engine: the ingest's sink that turns accepted readings into alarms as they arrive.

Per point it keeps in memory the rules (limits from MonitoringPoint, loaded before the ingest subscribes
(`preload`) or at a point's first reading, and refreshed every `refresh_s`), the state the pure rules need (the active alarm of each family, the previous reading — seeded
from LatestValue, so the rate survives a restart) and what pauses it (a shutdown of the enterprise or of the
risk point the point sits in, an approved bypass in force). Each reading is evaluated by
`rules.alarms.evaluate`; only what changes is written, each change in its own short transaction through the ALARM workflow (audited, logged, counters
moved, notifications created in the transaction and mailed on commit): raise, upgrade (H→HH), clear.
Repeats of an active alarm are summed in memory and written, all alarms in one statement (count, last value,
peak), when the ingest writes its batch (`flush_repeats`, the sink's flush hook) — not per message, and not a
state change, so not audited; a clear writes the alarm's pending repeats first.

Several ingest processes may see readings of one point (a shared subscription splits the stream by
message, not by point). What keeps one active alarm per (point, rule):

- raising inserts inside a savepoint; the partial unique index `mon_alarm_one_active` refuses a second
  active row, and the loser takes the winner's alarm as its own (a repeat, or an upgrade if its reading
  is worse). No lock is held before the insert, so two raises never wait on each other;
- clearing and upgrading go through `workflow.transition`, which locks the row (`SELECT … FOR UPDATE`) and
  checks the *locked* state: a clear already done elsewhere is refused by the table and skipped, an upgrade
  to a severity the row already has is skipped;
- a process's memory may lag another's by at most `refresh_s` (it re-reads its points' active alarms then),
  and less when it meets the difference: a repeat or upgrade of an alarm no longer active re-reads the
  point at its next reading.

The offline rule runs on the minute schedule (`jobs.py`), which also clears an offline alarm once data
arrived again (a reading clears it at once in the process that knows of it).
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection
from django.db.models import Q

from safegrid.core import audit
from safegrid.core.audit import SystemActor
from safegrid.core.workflow import create, transition
from safegrid.hazards.models import ShutdownRecord

from .choices import ACTIVE_STATUSES, BypassStatus
from .ingest.sinks import AcceptedReading
from .models import Alarm, LatestValue, MonitoringPoint, PointBypass
from .rules import shutdowns as shutdown_rules
from .rules.alarms import (
    SEVERITY_RANK,
    AlarmEvent,
    EventKind,
    Family,
    Pause,
    PointRules,
    PointState,
    Reading,
    Sample,
    Severity,
    evaluate,
    is_quiet,
    moved,
    quiet_band,
)
from .workflows import ALARM

log = logging.getLogger(__name__)

# At most this many points re-read from the database in one load (beyond those of the message at hand that
# are due): 250 points take ~22 ms here, 2,000 took ~257 ms — a once-a-minute stall of every reading behind it.
RELOAD_BATCH = 250

ENGINE_ACTOR = SystemActor("system:monitoring:alarms")


def point_rules(point: MonitoringPoint) -> PointRules:
    return PointRules(
        limits=point.limits,
        deadband=point.deadband or 0.0,
        rate_limit=point.rate_limit,
        offline_timeout_s=point.offline_timeout_s,
    )


def shutdown_enterprises(enterprise_ids: Sequence[int], at: dt.datetime) -> set[int]:
    """Enterprises in a recorded whole-enterprise shutdown (停用检修) at `at`."""
    rows = ShutdownRecord.objects.filter(
        enterprise_id__in=enterprise_ids, risk_point__isnull=True, start__lte=at
    ).exclude(end__lte=at)
    return set(rows.values_list("enterprise_id", flat=True))


def shutdown_points(points: Sequence[MonitoringPoint], at: dt.datetime) -> set[int]:
    """The points paused by a shutdown (停用检修) in force at `at`: of their whole enterprise, or of the risk
    point (风险分析单元) they sit in. One query for all the points."""
    enterprise_ids = sorted({p.enterprise_id for p in points})
    risk_point_ids = sorted({p.risk_point_id for p in points if p.risk_point_id is not None})
    if not points:
        return set()
    where = Q(enterprise_id__in=enterprise_ids, risk_point__isnull=True)
    if risk_point_ids:
        where |= Q(risk_point_id__in=risk_point_ids)
    rows = ShutdownRecord.objects.filter(where, start__lte=at).exclude(end__lte=at)
    shut = shutdown_rules.shutdown_scopes(rows.values_list("enterprise_id", "risk_point_id"))
    return {
        p.pk
        for p in points
        if shutdown_rules.is_shut_down(shut, enterprise_id=p.enterprise_id, risk_point_id=p.risk_point_id)
    }


def bypasses_in_force(point_ids: Sequence[int], at: dt.datetime) -> dict[int, Pause]:
    """Approved bypasses in force at `at`, per point: the whole point or some families."""
    found: dict[int, Pause] = {}
    rows = PointBypass.objects.filter(
        point_id__in=point_ids, status=BypassStatus.APPROVED, starts_at__lte=at, ends_at__gt=at
    ).values_list("point_id", "rule")
    for point_id, rule in rows:
        pause = found.get(point_id, Pause())
        if rule:
            pause = replace(pause, families=pause.families | {Family(rule)})
        else:
            pause = replace(pause, whole_point=True)
        found[point_id] = pause
    return found


def pauses(points: Sequence[MonitoringPoint], at: dt.datetime) -> dict[int, Pause]:
    shut = shutdown_points(points, at)
    bypassed = bypasses_in_force([p.pk for p in points], at)
    return {p.pk: replace(bypassed.get(p.pk, Pause()), shutdown=p.pk in shut) for p in points}


# ---- writing one event ---------------------------------------------------------------------------------


def raise_alarm(point: MonitoringPoint, event: AlarmEvent) -> Alarm:
    """Insert the alarm of `event`; when another process raised it first, that alarm is taken over
    (a repeat or an upgrade). Returns the active alarm of (point, family)."""
    alarm = Alarm(
        point=point,
        enterprise_id=point.enterprise_id,
        rule=str(event.family),
        severity=str(event.severity),
        limit_value=event.limit,
        first_at=event.ts,
        first_value=event.value,
        last_at=event.ts,
        last_value=event.value,
        peak_value=event.value,
    )
    try:  # create() is atomic: a refused insert rolls back to before it
        return create(alarm, "raise", actor=ENGINE_ACTOR, workflow=ALARM)
    except (IntegrityError, ValidationError) as exc:
        existing = (
            Alarm.objects.filter(point=point, rule=str(event.family), status__in=ACTIVE_STATUSES)
            .select_related("point", "enterprise")
            .first()
        )
        if existing is None:
            raise exc from None
        if SEVERITY_RANK[event.severity] > SEVERITY_RANK[Severity(existing.severity)]:
            return upgrade_alarm(existing, event) or existing
        extend_alarms({existing.pk: _Repeat.of(event)})
        return existing


def upgrade_alarm(alarm: Alarm, event: AlarmEvent) -> Alarm | None:
    """H→HH (L→LL): the alarm becomes unacknowledged again. None when it was already at that severity or
    no longer active (another process got there first). Only `alarm.pk` is read: the rest comes from the
    locked row."""

    def worse(locked: Alarm) -> None:
        # `changes` are applied before `prepare`: what depends on the row is set here, from the locked row
        if SEVERITY_RANK[Severity(locked.severity)] >= SEVERITY_RANK[event.severity]:
            raise _Stale
        locked.severity = str(event.severity)
        locked.peak_value = _peak(event.family, locked.peak_value, event.value)
        locked.repeat_count += 1

    try:  # transition() is atomic
        return transition(
            alarm,
            "upgrade",
            actor=ENGINE_ACTOR,
            workflow=ALARM,
            changes={"limit_value": event.limit, "last_at": event.ts, "last_value": event.value},
            evidence={"value": event.value, "limit": event.limit},
            prepare=worse,
        )
    except (_Stale, Alarm.DoesNotExist):
        return None
    except ValidationError as exc:
        log.warning("alarm engine: upgrade of alarm %s refused: %s", alarm.pk, exc.messages)
        return None


def clear_alarm(alarm: Alarm, *, at: dt.datetime, value: float | None, comment: str = "") -> Alarm | None:
    """The value returned past the deadband (or data came back, or a bypass was approved); None when the
    alarm was no longer active (or is gone). Only `alarm.pk` is read: the rest comes from the locked row."""
    try:  # transition() is atomic
        return transition(
            alarm,
            "clear",
            actor=ENGINE_ACTOR,
            workflow=ALARM,
            changes={"cleared_at": at, "cleared_value": value},
            comment=comment,
        )
    except (ValidationError, Alarm.DoesNotExist):
        return None


class _Stale(ValidationError):
    def __init__(self) -> None:
        super().__init__("stale")


def _peak(family: Family, peak: float | None, value: float | None) -> float | None:
    if value is None:
        return peak
    if peak is None:
        return value
    return min(peak, value) if family is Family.LOW else max(peak, value)


@dataclass
class _Repeat:
    family: Family
    count: int
    last_at: dt.datetime
    last_value: float | None
    peak: float | None

    @classmethod
    def of(cls, event: AlarmEvent) -> _Repeat:
        return cls(event.family, 1, event.ts, event.value, event.value)

    def add(self, event: AlarmEvent) -> None:
        self.count += 1
        if event.ts >= self.last_at:
            self.last_at, self.last_value = event.ts, event.value
        self.peak = _peak(self.family, self.peak, event.value)

    def merge(self, other: _Repeat) -> None:
        self.count += other.count
        if other.last_at >= self.last_at:
            self.last_at, self.last_value = other.last_at, other.last_value
        self.peak = _peak(self.family, self.peak, other.peak)


EXTEND_SQL = """WITH v(alarm_id, n, peak, low, last_at, last_value) AS (VALUES {rows})
UPDATE {table} AS a SET
  repeat_count = a.repeat_count + v.n,
  peak_value = CASE WHEN v.peak IS NULL THEN a.peak_value WHEN a.peak_value IS NULL THEN v.peak
    WHEN v.low = 1 THEN {least}(a.peak_value, v.peak) ELSE {greatest}(a.peak_value, v.peak) END,
  last_at = CASE WHEN a.last_at <= v.last_at THEN v.last_at ELSE a.last_at END,
  last_value = CASE WHEN a.last_at <= v.last_at THEN v.last_value ELSE a.last_value END
FROM v
WHERE a.id = v.alarm_id AND a.status IN ({statuses})
RETURNING id"""
PG_ROW = "(%s::bigint, %s::integer, %s::double precision, %s::integer, %s::timestamptz, %s::double precision)"
SQLITE_ROW = "(%s, %s, %s, %s, %s, %s)"
EXTEND_CHUNK = 1000


def extend_alarms(repeats: dict[int, _Repeat]) -> set[int]:
    """One UPDATE for all the repeats (count, last reading, peak: the lower for a low alarm), whatever the
    number of alarms. Returns the alarms that were no longer active (cleared by another process or a
    bypass): their points' state is stale."""
    if len(repeats) > EXTEND_CHUNK:  # bounded statements (SQLite's parameter limit)
        items = sorted(repeats.items())
        return set().union(
            *(extend_alarms(dict(items[i : i + EXTEND_CHUNK])) for i in range(0, len(items), EXTEND_CHUNK))
        )
    if not repeats:
        return set()
    postgres = connection.vendor == "postgresql"
    adapt = (lambda at: at) if postgres else connection.ops.adapt_datetimefield_value
    ids = sorted(repeats)
    params: list[Any] = []
    for alarm_id in ids:
        r = repeats[alarm_id]
        params += [alarm_id, r.count, r.peak, int(r.family is Family.LOW), adapt(r.last_at), r.last_value]
    statuses = [str(status) for status in ACTIVE_STATUSES]
    sql = EXTEND_SQL.format(
        table=connection.ops.quote_name(Alarm._meta.db_table),
        least="LEAST" if postgres else "MIN",
        greatest="GREATEST" if postgres else "MAX",
        rows=", ".join([PG_ROW if postgres else SQLITE_ROW] * len(ids)),
        statuses=", ".join(["%s"] * len(statuses)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *statuses])
        extended = {row[0] for row in cursor.fetchall()}
    return set(ids) - extended


# ---- the engine ----------------------------------------------------------------------------------------


@dataclass
class _Point:
    point: MonitoringPoint
    rules: PointRules
    band: tuple[float, float]  # rules.quiet_band(rules)
    state: PointState
    alarms: dict[Family, int]  # the active alarm of each family: its id
    pause: Pause
    loaded: float  # monotonic time of the load


@dataclass
class BatchResult:
    raised: int = 0
    upgraded: int = 0
    cleared: int = 0
    extended: int = 0
    errors: int = 0
    alarm_ids: list[int] = field(default_factory=list)


class AlarmEngine:
    """The sink: `engine(readings)`. One instance per process (`engine()` below)."""

    def __init__(self, *, refresh_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.refresh_s = refresh_s
        self.clock = clock
        self._points: dict[int, _Point] = {}
        self._repeats: dict[int, _Repeat] = {}  # deferred repeats (process(defer_repeats=True)) by alarm
        # when the least recently loaded point comes due: until then a message whose points are all known
        # costs no look at their load times
        self._next_due = float("-inf")

    def __call__(self, readings: Sequence[AcceptedReading]) -> None:
        self.process(readings, defer_repeats=True)

    def flush_repeats(self) -> int:
        """Write the deferred repeats (one statement); returns the repeats written. Kept for the next flush
        when the database is away."""
        if not self._repeats:
            return 0
        repeats, self._repeats = self._repeats, {}
        try:
            stale = extend_alarms(repeats)
        except DatabaseError:
            log.warning("alarm engine: %d alarm repeat counts wait for the database", len(repeats))
            for alarm_id, repeat in repeats.items():
                self._keep(alarm_id, repeat)
            return 0
        if stale:
            self._forget_alarms(stale)
        return sum(r.count for alarm_id, r in repeats.items() if alarm_id not in stale)

    def _keep(self, alarm_id: int, repeat: _Repeat) -> None:
        if alarm_id in self._repeats:
            self._repeats[alarm_id].merge(repeat)
        else:
            self._repeats[alarm_id] = repeat

    def forget(self) -> None:
        self._points.clear()

    def preload(self, point_ids: Sequence[int], *, chunk: int = 2000) -> int:
        """Load the points' rules and state before the first reading (the ingest, before it subscribes): the
        first messages of a fresh process then wait for no load. Returns the points loaded."""
        at = dt.datetime.now(dt.UTC)
        ids = sorted(set(point_ids))
        for start in range(0, len(ids), chunk):
            self._load(ids[start : start + chunk], at)
        # Spread their reloads over the coming `refresh_s`, as if loaded one after another: loaded at one
        # moment, every point would come due at one moment a minute later, and the loads of all of them in a
        # row would stall the readings behind them (a wave seen in the bench's latency at its 58th second).
        for n, pid in enumerate(ids):
            if (entry := self._points.get(pid)) is not None:
                entry.loaded -= self.refresh_s * n / len(ids)
        self._set_next_due()
        return sum(1 for pid in ids if pid in self._points)

    def _set_next_due(self) -> None:
        oldest = min((entry.loaded for entry in self._points.values()), default=float("inf"))
        self._next_due = oldest + self.refresh_s

    def _reload_soon(self, known: _Point) -> None:
        """Re-read the point's rules and state from the database at the next message the engine takes."""
        known.loaded = float("-inf")
        self._next_due = float("-inf")

    def _load(self, point_ids: Sequence[int], at: dt.datetime) -> None:
        now = self.clock()
        stale = [
            pid
            for pid in point_ids
            if pid not in self._points or now - self._points[pid].loaded >= self.refresh_s
        ]
        if now >= self._next_due:
            # A point came due, whether or not it is in this message: reload the least recently loaded
            # points past half their time with these (at most RELOAD_BATCH), so that points coming due one by
            # one cost a few loads a minute, not one per message.
            half = self.refresh_s / 2
            oldest = heapq.nsmallest(RELOAD_BATCH, self._points.items(), key=lambda item: item[1].loaded)
            stale += [pid for pid, entry in oldest if now - entry.loaded >= half and pid not in stale]
        if not stale:
            self._set_next_due()
            return
        stale = sorted(set(stale))
        points = list(MonitoringPoint.objects.filter(pk__in=stale, active=True))
        latest = {
            row.point_id: Reading(row.ts, row.value) for row in LatestValue.objects.filter(point_id__in=stale)
        }
        active: dict[int, dict[Family, tuple[int, Severity]]] = defaultdict(dict)
        for alarm_id, point_id, rule, severity in Alarm.objects.filter(
            point_id__in=stale, status__in=ACTIVE_STATUSES
        ).values_list("pk", "point_id", "rule", "severity"):
            active[point_id][Family(rule)] = (alarm_id, Severity(severity))
        paused = pauses(points, at)
        # what this process knew of them: its previous reading may be newer than LatestValue's (written ~1/s)
        previous = {pid: known for pid in stale if (known := self._points.pop(pid, None)) is not None}
        for point in points:
            known = previous.get(point.pk)
            last: Sample | None = latest.get(point.pk)
            if known is not None and known.state.last is not None:
                last = known.state.last if last is None or known.state.last.ts > last.ts else last
            found = active.get(point.pk, {})
            self._points[point.pk] = _Point(
                point=point,
                rules=(rules := point_rules(point)),
                band=quiet_band(rules),
                state=PointState(active={f: sev for f, (_, sev) in found.items()}, last=last),
                alarms={f: alarm_id for f, (alarm_id, _) in found.items()},
                pause=paused[point.pk],
                loaded=now,
            )
        self._set_next_due()

    def process(self, readings: Sequence[AcceptedReading], *, defer_repeats: bool = False) -> BatchResult:
        """Evaluate the readings; raises, upgrades and clears are written at once. Repeats are written at the
        end, or with `defer_repeats` kept for `flush_repeats` (the ingest: at its next batch write)."""
        result = BatchResult()
        if not readings:
            return result
        points = self._points
        try:
            if self.clock() >= self._next_due or not all(r.point_id in points for r in readings):
                self._load(sorted({r.point_id for r in readings}), readings[-1].received_at)
        except Exception:  # noqa: BLE001 - the ingest must go on; the next batch retries the load
            log.exception("alarm engine: loading points failed")
            result.errors += len(readings)
            return result
        repeats: dict[int, _Repeat] = {}
        # Each change is its own transaction; their audit entries are linked once, after the last of them
        # (one lock of the audit head, not one per change: an alarm flood costs half the queries).
        with audit.linking_deferred():
            for reading in sorted(readings, key=_by_ts):
                known = points.get(reading.point_id)
                if known is None:
                    continue  # inactive or unknown: the ingest accepted it for storage only
                if is_quiet(known.rules, known.band, known.state, reading):  # the ordinary reading
                    known.state = moved(known.state, reading)
                    continue
                try:
                    self._reading(known, reading, repeats, result)
                except Exception:  # noqa: BLE001 - one bad reading must not stop the batch
                    log.exception("alarm engine: point %s reading at %s failed", reading.point_id, reading.ts)
                    result.errors += 1
                    self._reload_soon(known)
        for alarm_id, repeat in repeats.items():
            self._keep(alarm_id, repeat)
        if not defer_repeats:
            result.extended += self.flush_repeats()
        return result

    def _forget_alarms(self, alarm_ids: set[int]) -> None:
        """Alarms this process thought active that are not: re-read their points at the next message."""
        for known in self._points.values():
            if alarm_ids & set(known.alarms.values()):
                self._reload_soon(known)

    def _reading(
        self, known: _Point, reading: AcceptedReading, repeats: dict[int, _Repeat], result: BatchResult
    ) -> None:
        evaluation = evaluate(known.rules, known.state, Reading(reading.ts, reading.value), known.pause)
        known.state = evaluation.state
        for event in evaluation.events:
            alarm_id = known.alarms.get(event.family)
            if event.kind is EventKind.RAISE:
                alarm = raise_alarm(known.point, event)
                known.alarms[event.family] = alarm.pk
                if Severity(alarm.severity) != event.severity:  # taken over from another process
                    known.state = replace(
                        known.state, active={**known.state.active, event.family: Severity(alarm.severity)}
                    )
                result.raised += 1
                result.alarm_ids.append(alarm.pk)
            elif alarm_id is None:
                continue
            elif event.kind is EventKind.EXTEND:
                if alarm_id in repeats:
                    repeats[alarm_id].add(event)
                else:
                    repeats[alarm_id] = _Repeat.of(event)
            elif event.kind is EventKind.ESCALATE:
                if upgrade_alarm(Alarm(pk=alarm_id), event) is not None:  # it locks and reads the row
                    result.upgraded += 1
                    result.alarm_ids.append(alarm_id)
                else:  # upgraded or cleared by another process: re-read the point's alarms next time
                    self._reload_soon(known)
            elif event.kind is EventKind.CLEAR:
                known.alarms.pop(event.family, None)
                # its repeats before the clear (this batch's and any deferred), counted before it clears
                before = self._repeats.pop(alarm_id, None)
                now_too = repeats.pop(alarm_id, None)
                if before is not None and now_too is not None:
                    before.merge(now_too)
                counted = before if before is not None else now_too
                if counted is not None:
                    extend_alarms({alarm_id: counted})
                if clear_alarm(Alarm(pk=alarm_id), at=event.ts, value=event.value) is not None:
                    result.cleared += 1
                    result.alarm_ids.append(alarm_id)


def _by_ts(reading: AcceptedReading) -> dt.datetime:
    return reading.ts


_engine: AlarmEngine | None = None


def engine() -> AlarmEngine:
    """The process's engine (registered as a sink in MonitoringConfig.ready)."""
    global _engine
    if _engine is None:
        _engine = AlarmEngine()
    return _engine


def sink(readings: Sequence[AcceptedReading]) -> None:
    engine()(readings)


def flush() -> None:
    """The sink's flush hook: the deferred repeat counts."""
    engine().flush_repeats()
