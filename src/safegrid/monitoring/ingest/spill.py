"""Batches the database did not take, kept on disk until it does: nothing received is lost.

When a write fails (database down, connection lost) the ingest saves the batch to a file under its own
directory (one per client id, so a restarted process finds and replays its own) and then acknowledges the
messages: the readings are as safe on disk as in the broker. In memory it holds at most the batch being
filled. Files are replayed oldest first, and while any is waiting, new batches queue behind it as files
too, so readings reach the database in the order they were received. Retries back off from 0.5 s to 30 s
(`Backoff`, the events held in memory back off the same way: held.py).
A batch is written to a temporary name, flushed to disk (fsync), then renamed: a crash leaves either the
whole file or none.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

from .sinks import AcceptedReading
from .writer import Batch, DeadRow

log = logging.getLogger(__name__)

SUFFIX = ".spill"


class _Spilled(msgspec.Struct):
    readings: list[AcceptedReading]
    dead: list[DeadRow]
    sequences: list[tuple[int, str, int, int, int]]


class _MappedReading(msgspec.Struct):
    """A reading as files spilled before AcceptedReading became a named tuple hold it (a map, not an array)."""

    point_id: int
    enterprise_id: int
    ts: dt.datetime
    value: float
    received_at: dt.datetime


class _EarlierSpilled(msgspec.Struct):
    readings: list[_MappedReading]
    dead: list[DeadRow]
    sequences: list[tuple[int, str, int, int, int]]


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(_Spilled)
_earlier_decoder = msgspec.msgpack.Decoder(_EarlierSpilled)


def _decode_spilled(data: bytes) -> _Spilled:
    try:
        return _decoder.decode(data)
    except msgspec.ValidationError:  # written by the earlier layout: still replayed, nothing is lost
        earlier = _earlier_decoder.decode(data)
        readings = [AcceptedReading(*msgspec.structs.astuple(r)) for r in earlier.readings]
        return _Spilled(readings, earlier.dead, earlier.sequences)


def _encode(batch: Batch) -> bytes:
    sequences = [(e, p, s.first, s.last, s.messages) for (e, p), s in batch.spans().items()]
    return _encoder.encode(_Spilled(batch.readings, batch.dead, sequences))


def _decode(data: bytes) -> Batch:
    from ..rules.ingest import SequenceSpan

    spilled = _decode_spilled(data)
    batch = Batch(readings=spilled.readings, dead=spilled.dead)
    for enterprise_id, publisher, first, last, messages in spilled.sequences:
        batch.sequences[(enterprise_id, publisher)] = SequenceSpan(first, last, messages)
    return batch


class Backoff:
    """When to try the database again: after the n-th failure in a row, base_delay × 2^(n−1) capped at max_delay;
    a success starts over. The spilled readings use it, and the events held in memory (held.py) their own."""

    def __init__(
        self,
        *,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.failures = 0
        self.retry_at = 0.0
        self._clock = clock

    def failed(self, exc: BaseException) -> float:
        """Count a failure; returns the seconds until the next attempt."""
        self.failures += 1
        delay = min(self.max_delay, self.base_delay * 2 ** (self.failures - 1))
        self.retry_at = self._clock() + delay
        return delay

    def succeeded(self) -> None:
        self.failures = 0
        self.retry_at = 0.0

    def may_retry(self) -> bool:
        return self._clock() >= self.retry_at


class Spill(Backoff):
    def __init__(self, directory: Path, *, base_delay: float = 0.5, max_delay: float = 30.0) -> None:
        super().__init__(base_delay=base_delay, max_delay=max_delay)
        self.directory = directory  # created on the first spill
        self.spilled_batches = 0
        self._counter = 0

    def files(self) -> list[Path]:
        return sorted(self.directory.glob(f"*{SUFFIX}"))

    def pending(self) -> bool:
        return any(self.directory.glob(f"*{SUFFIX}"))

    def save(self, batch: Batch) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._counter += 1
        name = f"{time.time_ns():020d}-{os.getpid()}-{self._counter:06d}{SUFFIX}"
        target = self.directory / name
        temporary = self.directory / (name + ".tmp")
        with temporary.open("wb") as handle:
            handle.write(_encode(batch))
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(target)
        self.spilled_batches += 1
        return target

    def failed(self, exc: BaseException) -> float:
        delay = super().failed(exc)
        log.warning("database write failed (%s); spilling to %s, retry in %.1f s", exc, self.directory, delay)
        return delay

    def replay(self, write: Callable[[Batch], None]) -> int:
        """Write every spilled batch, oldest first; stops at (and raises) the first failure."""
        done = 0
        for path in self.files():
            write(_decode(path.read_bytes()))
            path.unlink()
            done += 1
        if done:
            log.info("replayed %d spilled batch(es) from %s", done, self.directory)
        return done
