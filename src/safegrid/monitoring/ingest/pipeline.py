"""The ingest pipeline: decode, check, resolve points, drop duplicates, hand on to the sinks, buffer, write.

Every message is accounted for: each reading is accepted, a duplicate, or a dead letter with its reason
(a refused message is one dead letter). `submit` does the per-message work in memory; `flush` writes the
buffered batch in one transaction (`writer.write`; the points' latest values about once a second), or spills it to disk when the database does not take
it (`spill.Spill`). The MQTT client (`mqtt.py`) acknowledges a message only after the flush that holds it
returned; the HTTP route uses `accept_now` (decode, check and write in the request).

Points are looked up in memory by (USCC, code): the directory is loaded once, reloaded every minute, and
reloaded early on a miss (at most every few seconds, so a flood of unknown codes costs no query each).
Duplicates (a QoS 1 redelivery, a gateway resending) are dropped cheaply by a bounded set of recent
(point, ts) keys before the sinks see them; what slips past it (after a restart, or in another process)
the table's unique (point, ts) drops at the write.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from math import isfinite
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

from ..rules.ingest import EPOCH, Reject, Window, accept_window_ms, check_raw, epoch_ms
from . import decode as decoding
from . import sinks, writer
from .spill import Spill
from .writer import Batch, DeadRow

log = logging.getLogger(__name__)

PAYLOAD_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class PointRef:
    point_id: int
    enterprise_id: int
    active: bool


class PointDirectory:
    """(USCC, code) → point, loaded from the database in one query."""

    def __init__(self, *, reload_every: float = 60.0, miss_reload_after: float = 2.0) -> None:
        self.reload_every = reload_every
        self.miss_reload_after = miss_reload_after
        self.points: dict[tuple[str, str], PointRef] = {}
        self.enterprises: dict[str, int] = {}
        self.code_owners: dict[str, set[str]] = {}
        self.loaded_at = -1e9

    def load(self) -> None:
        from safegrid.enterprises.models import Enterprise

        from ..models import MonitoringPoint

        self.enterprises = dict(Enterprise.objects.values_list("uscc", "id"))
        points: dict[tuple[str, str], PointRef] = {}
        owners: dict[str, set[str]] = {}
        rows = MonitoringPoint.objects.values_list(
            "id", "enterprise_id", "enterprise__uscc", "code", "active"
        )
        for point_id, enterprise_id, uscc, code, active in rows.iterator(chunk_size=5000):
            points[(uscc, code)] = PointRef(point_id, enterprise_id, active)
            owners.setdefault(code, set()).add(uscc)
        self.points, self.code_owners = points, owners
        self.loaded_at = time.monotonic()

    def refresh_if_stale(self) -> None:
        if time.monotonic() - self.loaded_at >= self.reload_every:
            self._try_load()

    def _reload_on_miss(self) -> bool:
        if time.monotonic() - self.loaded_at >= self.miss_reload_after:
            return self._try_load()
        return False

    def _try_load(self) -> bool:
        """Reload; while the database is away keep what is known (and try again after `miss_reload_after`)."""
        try:
            self.load()
        except DatabaseError as exc:
            drop_connection()
            self.loaded_at = time.monotonic() - self.reload_every + self.miss_reload_after
            log.warning("could not reload the monitoring points (%s); using the ones loaded before", exc)
            return False
        return True

    def enterprise(self, uscc: str) -> int | None:
        found = self.enterprises.get(uscc)
        if found is None and self._reload_on_miss():
            found = self.enterprises.get(uscc)
        return found

    def point(self, uscc: str, code: str) -> PointRef | Reject:
        ref = self.points.get((uscc, code))
        if ref is None and self._reload_on_miss():
            ref = self.points.get((uscc, code))
        if ref is None:
            return Reject.OTHER_ENTERPRISE if self.code_owners.get(code) else Reject.UNKNOWN_POINT
        return ref if ref.active else Reject.INACTIVE_POINT


class EnterpriseDirectory(PointDirectory):
    """One enterprise's points (an HTTP request): loaded per request; a missing code is looked up once."""

    def __init__(self, enterprise_id: int, uscc: str) -> None:
        super().__init__(reload_every=1e9, miss_reload_after=1e9)
        self.enterprise_id = enterprise_id
        self.uscc = uscc

    def load(self) -> None:
        from ..models import MonitoringPoint

        rows = MonitoringPoint.objects.filter(enterprise_id=self.enterprise_id).values_list(
            "id", "code", "active"
        )
        self.points = {
            (self.uscc, code): PointRef(pk, self.enterprise_id, active) for pk, code, active in rows
        }
        self.enterprises = {self.uscc: self.enterprise_id}
        self.loaded_at = time.monotonic()

    def point(self, uscc: str, code: str) -> PointRef | Reject:
        from ..models import MonitoringPoint

        if self.loaded_at < 0:
            self.load()
        ref = self.points.get((uscc, code))
        if ref is not None:
            return ref if ref.active else Reject.INACTIVE_POINT
        if code not in self.code_owners:
            elsewhere = MonitoringPoint.objects.filter(code=code).exclude(enterprise_id=self.enterprise_id)
            self.code_owners[code] = {"?"} if elsewhere.exists() else set()
        return Reject.OTHER_ENTERPRISE if self.code_owners[code] else Reject.UNKNOWN_POINT


class RecentKeys:
    """The (point, epoch ms) keys accepted lately, in two generations of `capacity // 2`: when the current one
    is full it becomes the previous one and the older is forgotten, so at least the last `capacity // 2`
    keys are always remembered and memory stays bounded. A key is one int (point id above bit 43, epoch ms
    below: ms up to the year 2248), half the memory of a tuple of two. A duplicate older than the window
    still reaches the database, whose primary key stores it once."""

    TS_BITS = 43

    def __init__(self, capacity: int = 250_000) -> None:
        self.generation = max(1, capacity // 2)
        self._current: set[int] = set()
        self._previous: set[int] = set()

    def add(self, point_id: int, ts_ms: int) -> bool:
        """True when the key is new (and now remembered)."""
        key = (point_id << self.TS_BITS) + ts_ms
        if key in self._current or key in self._previous:
            return False
        if len(self._current) >= self.generation:
            self._previous = self._current
            self._current = set()
        self._current.add(key)
        return True

    def __len__(self) -> int:
        return len(self._current) + len(self._previous)


@dataclass
class Counters:
    messages: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    written: int = 0
    spilled: int = 0

    def line(self) -> str:
        return (
            f"messages={self.messages} accepted={self.accepted} rejected={self.rejected} "
            f"duplicates={self.duplicates} written={self.written} spilled={self.spilled}"
        )


def drop_connection() -> None:
    """After a failed write the connection may be dead: the next attempt opens a new one."""
    if not connection.in_atomic_block:
        try:
            connection.close()
        except DatabaseError:
            connection.connection = None


def _window() -> Window:
    return Window(
        future=dt.timedelta(seconds=settings.SAFEGRID_INGEST_FUTURE_SECONDS),
        retention=dt.timedelta(days=settings.SAFEGRID_READINGS_RETENTION_DAYS),
    )


def _truncate(payload: bytes | str) -> str:
    text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload
    return text[:PAYLOAD_LIMIT]


@dataclass
class Outcome:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[DeadRow] = field(default_factory=list)


class Pipeline:
    def __init__(
        self,
        *,
        directory: PointDirectory | None = None,
        spill_dir: Path | None = None,
        batch_size: int | None = None,
        flush_ms: int | None = None,
        write: Callable[[Batch, dict[int, sinks.AcceptedReading] | None], None] = writer.write,
        latest_every: float = 1.0,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.directory = directory or PointDirectory()
        self.batch_size = batch_size or settings.SAFEGRID_INGEST_BATCH_SIZE
        self.flush_seconds = (flush_ms or settings.SAFEGRID_INGEST_FLUSH_MS) / 1000
        self.spill = Spill(spill_dir or Path(settings.SAFEGRID_INGEST_SPILL_DIR) / "default")
        self.window = _window()
        self.recent = RecentKeys()
        self.counters = Counters()
        self.batch = Batch()
        self.batch_started: float | None = None
        self._write = write
        self._clock = clock
        # The newest reading per point not yet in LatestValue, written about every `latest_every` seconds.
        self.pending_latest: dict[int, sinks.AcceptedReading] = {}
        self.latest_every = latest_every
        self.latest_written = -1e9

    # ---- per message (in memory) -------------------------------------------------------------------

    def submit(self, source: str, uscc: str, payload: bytes, *, enterprise_id: int | None = None) -> Outcome:
        """Decode and check one message into the current batch; the accepted readings go to the sinks."""
        now = self._clock()
        self.counters.messages += 1
        outcome = Outcome()
        if self.batch_started is None:
            self.batch_started = time.monotonic()
        if enterprise_id is None:
            enterprise_id = self.directory.enterprise(uscc)
        if enterprise_id is None:
            self._dead(outcome, now, source, None, Reject.UNKNOWN_ENTERPRISE, payload, f"USCC {uscc[:40]}")
            return outcome
        decoded = decoding.decode(payload)
        if isinstance(decoded, decoding.Refused):
            self._dead(outcome, now, source, enterprise_id, decoded.reason, payload, decoded.detail)
            return outcome
        for bad in decoded.bad:
            self._dead(outcome, now, source, enterprise_id, bad.reason, bad.raw, bad.detail)
        accepted: list[sinks.AcceptedReading] = []
        # The common case (epoch ms inside the window, a finite value) is checked on integers, and a time
        # shared by the message's readings (a gateway's snapshot) is turned into a datetime once;
        # everything else goes through the rules for its reason.
        low_ms, high_ms = accept_window_ms(now, self.window)
        times: dict[int, dt.datetime] = {}
        point = self.directory.point
        recent = self.recent.add
        for reading in decoded.readings:
            ref = point(uscc, reading.point)
            if isinstance(ref, Reject):
                self._dead_reading(outcome, now, source, enterprise_id, ref, reading)
                continue
            raw_ts, value = reading.ts, reading.value
            if type(raw_ts) is int and low_ms <= raw_ts <= high_ms and isfinite(value):
                ts_ms = raw_ts
                ts = times.get(ts_ms)
                if ts is None:
                    ts = times[ts_ms] = EPOCH + dt.timedelta(milliseconds=ts_ms)
            else:
                checked = check_raw(raw_ts, value, now=now, window=self.window)
                if isinstance(checked, Reject):
                    self._dead_reading(outcome, now, source, enterprise_id, checked, reading)
                    continue
                ts, ts_ms = checked, epoch_ms(checked)
            if not recent(ref.point_id, ts_ms):
                outcome.duplicates += 1
                continue
            accepted.append(sinks.AcceptedReading(ref.point_id, enterprise_id, ts, value, now))
        if decoded.publisher is not None and decoded.seq is not None:
            self.batch.add_sequence(enterprise_id, decoded.publisher, decoded.seq)
        if accepted:
            self._deliver(accepted)
            self.batch.readings.extend(accepted)
        outcome.accepted = len(accepted)
        self.counters.accepted += outcome.accepted
        self.counters.duplicates += outcome.duplicates
        return outcome

    def _deliver(self, accepted: list[sinks.AcceptedReading]) -> None:
        try:
            sinks.deliver(accepted)
        except Exception:  # a sink's fault must not lose the readings
            log.exception("a monitoring sink failed on %d readings", len(accepted))

    def _flush_sinks(self) -> None:
        try:
            sinks.flush()
        except Exception:  # a sink's fault must not lose the readings
            log.exception("a monitoring sink's flush failed")

    def _dead(self, outcome, now, source, enterprise_id, reason: Reject, payload, detail: str) -> None:  # type: ignore[no-untyped-def]
        row = DeadRow(now, source, enterprise_id, reason.value, _truncate(payload), detail)
        self.batch.dead.append(row)
        outcome.rejected.append(row)
        self.counters.rejected += 1

    def dead_letter(self, source: str, uscc: str, payload: bytes, reason: Reject, detail: str) -> None:
        """A whole message refused outside `submit` (an events message its handler failed on): its dead letter
        goes with the current batch, written or spilled like any other, and the caller acknowledges the message
        after that flush."""
        if self.batch_started is None:
            self.batch_started = time.monotonic()
        enterprise_id = self.directory.enterprises.get(uscc)  # no reload: the database may be away
        self._dead(Outcome(), self._clock(), source, enterprise_id, reason, payload, detail[:500])

    def _dead_reading(self, outcome, now, source, enterprise_id, reason: Reject, reading) -> None:  # type: ignore[no-untyped-def]
        detail = f"点位 {reading.point[:64]}" if reason is not Reject.NON_FINITE else f"数值 {reading.value}"
        self._dead(outcome, now, source, enterprise_id, reason, decoding.reading_json(reading), detail)

    # ---- batches ------------------------------------------------------------------------------------

    def due(self) -> bool:
        if self.batch_started is None:
            return False
        if len(self.batch) >= self.batch_size:
            return True
        return time.monotonic() - self.batch_started >= self.flush_seconds

    def flush(self, *, final: bool = False) -> bool:
        """Write the batch (or spill it); True when it is safe to acknowledge what it holds. `final` (at
        shutdown) writes the pending latest values whenever they were last written."""
        if final and self.pending_latest:
            self.latest_written = -1e9
        batch, self.batch, self.batch_started = self.batch, Batch(), None
        writer.newest(batch.readings, into=self.pending_latest)
        if not len(batch) and not batch.spans() and not self.latest_due():
            self._replay_if_due()
            return True
        if (self.spill.pending() or not self.spill.may_retry()) and not self._replay_if_due():
            return self._save(batch)  # older spilled batches first: the order received is kept
        latest = self.pending_latest if self.latest_due() else {}
        try:
            self._write_checked(batch, latest)
        except DatabaseError as exc:
            self.spill.failed(exc)
            return self._save(batch)
        # what the sinks kept for the batch (repeat counts) once the database took it: while it is away
        # they wait in memory rather than fail again at every flush
        self._flush_sinks()
        if latest:
            self.pending_latest = {}
            self.latest_written = time.monotonic()
        self.spill.succeeded()
        self.counters.written += len(batch.readings)
        return True

    def latest_due(self) -> bool:
        return bool(self.pending_latest) and time.monotonic() - self.latest_written >= self.latest_every

    def _write_checked(self, batch: Batch, latest: dict[int, sinks.AcceptedReading] | None = None) -> None:
        try:
            self._write(batch, latest)
        except DatabaseError:
            drop_connection()
            raise

    def _replay_if_due(self) -> bool:
        """Replay the spilled batches when a retry is due; True when none is left waiting."""
        if not self.spill.pending():
            return True
        if not self.spill.may_retry():
            return False
        try:
            self.spill.replay(lambda batch: self._write_checked(batch, {}))
        except DatabaseError as exc:
            self.spill.failed(exc)
            return False
        self.spill.succeeded()
        return True

    def _save(self, batch: Batch) -> bool:
        try:
            self.spill.save(batch)
        except OSError:
            log.exception(
                "could not spill %d readings to disk; they stay unacknowledged", len(batch.readings)
            )
            return False
        self.counters.spilled += len(batch.readings)
        return True

    # ---- HTTP ----------------------------------------------------------------------------------------

    def accept_now(self, uscc: str, payload: bytes, *, enterprise_id: int) -> Outcome:
        """One request's message, written before returning (inside the request's transaction)."""
        outcome = self.submit("http", uscc, payload, enterprise_id=enterprise_id)
        self._flush_sinks()
        batch, self.batch, self.batch_started = self.batch, Batch(), None
        self._write(batch, None)  # the latest values with the readings
        return outcome
