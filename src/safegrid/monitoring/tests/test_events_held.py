"""Events messages while the database is away (ingest/held.py and its use in ingest/mqtt.py): kept in memory
in order, retried with the spill's back-off on a new connection, acknowledged only once handled; a message
that fails for a fault of its own is dead-lettered and acknowledged. No broker, no database: fake handlers,
a fake clock, a fake MQTT client and a fake writer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import DataError, IntegrityError, InterfaceError, OperationalError

from safegrid.monitoring.ingest import mqtt
from safegrid.monitoring.ingest.held import OWN_FAULT_ATTEMPTS, HeldEvents
from safegrid.monitoring.ingest.mqtt import Ingest, Options, _Message
from safegrid.monitoring.ingest.pipeline import Pipeline, PointDirectory, PointRef
from safegrid.monitoring.ingest.spill import Backoff


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Handler:
    """Fails with `error` the first `failures` calls, then records what it handled."""

    def __init__(self, failures: int = 0, error: BaseException | None = None) -> None:
        self.failures = failures
        self.error = error or OperationalError("connection refused")
        self.calls: list[str] = []
        self.handled: list[str] = []

    def __call__(self, item: str) -> None:
        self.calls.append(item)
        if self.failures > 0:
            self.failures -= 1
            raise self.error
        self.handled.append(item)


def _held(handler: Callable[[str], None], clock: Clock, *, limit: int = 100):
    done: list[str] = []
    refused: list[tuple[str, str]] = []
    resets: list[int] = []
    held = HeldEvents(
        handler,
        done=done.append,
        refused=lambda item, exc: refused.append((item, type(exc).__name__)),
        limit=limit,
        backoff=Backoff(clock=clock),
        reset=lambda: resets.append(1),
    )
    return held, done, refused, resets


def test_a_database_error_keeps_the_message_and_retries_with_the_spills_back_off():
    clock = Clock()
    handler = Handler(failures=3)
    held, done, refused, resets = _held(handler, clock)
    held.put("e1")
    assert held.drain() == 0
    assert (held.backoff.failures, len(resets), done) == (1, 1, [])
    held.put("e2")  # behind e1: not tried while e1 waits
    held.put("e3")
    assert not held.due() and held.drain() == 0 and handler.calls == ["e1"]
    waits = []
    while handler.failures:
        waits.append(held.backoff.retry_at - clock.now)
        clock.now = held.backoff.retry_at
        held.drain()
    assert waits == [0.5, 1.0]  # the spill's doubling (then 2.0, 4.0 … up to 30 s)
    assert len(resets) == 3  # the broken connection closed after each failure, before the next attempt
    clock.now = held.backoff.retry_at
    assert held.drain() == 3
    assert handler.handled == done == ["e1", "e2", "e3"]  # in order, each acknowledged once handled
    assert handler.calls == ["e1"] * 4 + ["e2", "e3"]
    assert (len(held), held.backoff.failures, held.backoff.may_retry(), refused) == (0, 0, True, [])


@pytest.mark.parametrize("failures", [1, 5, 12])
def test_nothing_is_lost_whatever_the_number_of_failures(failures):
    clock = Clock()
    handler = Handler(failures=failures)
    held, done, refused, _ = _held(handler, clock)
    for n in range(10):
        held.put(f"e{n}")
        if held.due():
            held.drain()
        clock.now += 0.3
    while len(held):
        clock.now = max(clock.now, held.backoff.retry_at)
        held.drain()
    assert done == [f"e{n}" for n in range(10)] and not refused
    assert handler.calls.count("e0") == failures + 1 and handler.calls.count("e9") == 1


def test_an_interface_error_counts_as_the_database_away():
    clock = Clock()
    held, done, refused, resets = _held(
        Handler(failures=1, error=InterfaceError("connection already closed")), clock
    )
    held.put("e1")
    held.drain()
    assert (done, refused, len(resets)) == ([], [], 1)
    clock.now = held.backoff.retry_at
    held.drain()
    assert done == ["e1"]


def test_a_fault_of_the_message_is_refused_and_the_queue_goes_on():
    clock = Clock()

    def handler(item: str) -> None:
        if item == "bad":
            raise KeyError("source")

    held, done, refused, resets = _held(handler, clock)
    for item in ("e1", "bad", "e2"):
        held.put(item)
    assert held.drain() == 3
    assert done == ["e1", "e2"] and refused == [("bad", "KeyError")]
    assert (held.refused_count, held.handled, resets) == (1, 2, [])


@pytest.mark.parametrize("error", [IntegrityError("dup"), DataError("too long")])
def test_a_database_error_about_the_message_is_retried_a_few_times_then_refused(error):
    clock = Clock()
    handler = Handler(failures=100, error=error)
    held, done, refused, _ = _held(handler, clock)
    held.put("bad")
    held.put("e2")
    for _ in range(OWN_FAULT_ATTEMPTS):
        clock.now = held.backoff.retry_at
        held.drain()
    assert refused == [("bad", type(error).__name__)]
    assert handler.calls[:OWN_FAULT_ATTEMPTS] == ["bad"] * OWN_FAULT_ATTEMPTS
    # e2 went on after it (and fails here too, since the fake handler still raises): it waits its own turn
    assert list(held.waiting) == ["e2"] and done == []


def test_full_at_the_limit():
    held, *_ = _held(Handler(failures=10), Clock(), limit=2)
    held.put("e1")
    assert not held.full()
    held.put("e2")
    assert held.full()


# ---- inside the ingest's loop ----------------------------------------------------------------------------

USCC = "91370321MA0000001X"


class FakeClient:
    def __init__(self) -> None:
        self.acks: list[int] = []

    def ack(self, mid: int, qos: int) -> None:
        self.acks.append(mid)


class Directory(PointDirectory):
    """One enterprise and one point, no database."""

    def __init__(self) -> None:
        super().__init__(reload_every=1e9, miss_reload_after=1e9)
        self.enterprises = {USCC: 7}
        self.points = {(USCC, "LT-1"): PointRef(70, 7, True)}
        self.loaded_at = time.monotonic()


class Writes:
    def __init__(self) -> None:
        self.batches: list = []

    def __call__(self, batch, latest) -> None:
        self.batches.append(batch)

    def dead(self) -> list:
        return [row for batch in self.batches for row in batch.dead]


def _ingest(
    events: Callable[[str, str, bytes], None], tmp_path, *, held: int = 100, receive_maximum: int = 10_000
) -> tuple[Ingest, Writes]:
    writes = Writes()
    pipeline = Pipeline(directory=Directory(), spill_dir=tmp_path / "spill", flush_ms=10, write=writes)
    ingest = Ingest(
        Options(
            host="127.0.0.1",
            port=1,
            group="g",
            client_id="c",
            topic_root="r",
            events_root="ev",
            events_held=held,
            receive_maximum=receive_maximum,
        ),
        pipeline,
        events=events,
    )
    ingest.client = FakeClient()  # type: ignore[assignment]
    ingest.held.backoff = Backoff(base_delay=0.01, max_delay=0.05)
    ingest.held.reset = lambda: None
    return ingest, writes


def _event_message(mid: int, body: bytes = b"{}") -> _Message:
    return _Message(f"ev/{USCC}", body, mid, 1, 0)


def _reading_message(mid: int) -> _Message:
    ts = int(time.time() * 1000) - mid
    return _Message(f"r/{USCC}", b'{"readings": [{"point": "LT-1", "ts": %d, "value": 1.0}]}' % ts, mid, 1, 0)


def _run_until(ingest: Ingest, condition: Callable[[], bool], seconds: float = 20) -> None:
    def watch() -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not condition():
            time.sleep(0.01)
        ingest.stop()

    watcher = threading.Thread(target=watch)
    watcher.start()
    ingest.run()
    watcher.join()
    assert condition(), "gave up waiting"


def test_the_ingest_handles_events_in_order_once_the_database_is_back(tmp_path):
    failures = {"left": 4}
    handled: list[bytes] = []

    def events(topic: str, uscc: str, payload: bytes) -> None:
        assert uscc == USCC
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("the database system is shutting down")
        handled.append(payload)

    ingest, writes = _ingest(events, tmp_path)
    ingest.inbox.put(_event_message(1, b"a"))
    ingest.inbox.put(_reading_message(2))
    ingest.inbox.put(_event_message(3, b"b"))
    ingest.inbox.put(_event_message(4, b"c"))
    acks = ingest.client.acks  # type: ignore[attr-defined]
    _run_until(ingest, lambda: len(acks) == 4)
    assert handled == [b"a", b"b", b"c"]
    # the reading went on meanwhile (written and acknowledged before the events held back)
    assert acks.index(2) < acks.index(1) and [m for m in acks if m != 2] == [1, 3, 4]
    assert sum(len(b.readings) for b in writes.batches) == 1


def test_the_ingest_stops_taking_messages_while_the_held_events_are_full(tmp_path):
    down = threading.Event()
    down.set()
    handled: list[bytes] = []

    def events(topic: str, uscc: str, payload: bytes) -> None:
        if down.is_set():
            raise OperationalError("connection refused")
        handled.append(payload)

    ingest, writes = _ingest(events, tmp_path, held=2)
    for mid in (1, 2, 3):
        ingest.inbox.put(_event_message(mid, b"%d" % mid))
    ingest.inbox.put(_reading_message(4))
    acks = ingest.client.acks  # type: ignore[attr-defined]
    seen: dict[str, int] = {}

    def back_when_full() -> bool:
        if len(ingest.held) == 2 and "waiting" not in seen:
            time.sleep(0.2)  # a few loop turns: the third message and the reading stay in the inbox
            seen["waiting"] = ingest.inbox.qsize()
            down.clear()
        return len(acks) == 4

    _run_until(ingest, back_when_full)
    assert seen["waiting"] == 2  # the third events message and the reading were left in the inbox
    assert handled == [b"1", b"2", b"3"] and sorted(acks) == [1, 2, 3, 4]


def test_a_faulty_events_message_is_dead_lettered_and_acknowledged_after_the_flush(tmp_path):
    def events(topic: str, uscc: str, payload: bytes) -> None:
        if payload == b"bad":
            raise TypeError("'NoneType' object is not subscriptable")

    ingest, writes = _ingest(events, tmp_path)
    ingest.inbox.put(_event_message(1, b"bad"))
    ingest.inbox.put(_event_message(2, b"ok"))
    acks = ingest.client.acks  # type: ignore[attr-defined]
    _run_until(ingest, lambda: len(acks) == 2)
    assert acks == [2, 1]  # the good one at once; the faulty one once its dead letter was written
    [dead] = writes.dead()
    assert (dead.reason, dead.source, dead.enterprise_id, dead.payload) == ("error", f"ev/{USCC}", 7, "bad")
    assert "TypeError" in dead.detail


def test_a_faulty_events_message_waits_in_the_spill_with_the_readings(tmp_path):
    """The database is away when the faulty message is refused: its dead letter is spilled, then acknowledged."""

    def events(topic: str, uscc: str, payload: bytes) -> None:
        raise ValueError("bug")

    ingest, writes = _ingest(events, tmp_path)

    def down(batch, latest) -> None:
        raise OperationalError("down")

    ingest.pipeline._write = down
    ingest.inbox.put(_event_message(1, b"bad"))
    acks = ingest.client.acks  # type: ignore[attr-defined]
    _run_until(ingest, lambda: acks == [1])
    assert ingest.pipeline.spill.files()


def test_held_events_on_stop_stay_unacknowledged(tmp_path, caplog):
    def events(topic: str, uscc: str, payload: bytes) -> None:
        raise OperationalError("down")

    ingest, _ = _ingest(events, tmp_path)
    ingest.inbox.put(_event_message(1))
    _run_until(ingest, lambda: ingest.held.backoff.failures >= 2)
    assert ingest.client.acks == []  # type: ignore[attr-defined]
    assert "left unacknowledged" in caplog.text


class _Delivered:
    """What paho hands `_on_message`."""

    def __init__(self, mid: int) -> None:
        self.topic, self.payload, self.mid, self.qos = f"r/{USCC}", b"{}", mid, 1


def _eventually(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.01)
    return condition()


def test_at_most_receive_maximum_messages_wait_in_the_inbox_whatever_the_broker_sends(tmp_path):
    """Mosquitto 2.0.11 sent a shared subscription's backlog past the CONNECT's Receive Maximum (30,000 messages
    in one process, 250 MB): paho's thread waits while the inbox is full, reading no more from the socket, and
    goes on when the main thread takes a message."""
    ingest, _ = _ingest(lambda *event: None, tmp_path, receive_maximum=3)
    paho = threading.Thread(
        target=lambda: [ingest._on_message(None, None, _Delivered(m)) for m in range(1, 6)]
    )
    paho.start()
    assert _eventually(lambda: ingest.inbox.qsize() == 3)
    time.sleep(0.2)
    assert ingest.inbox.qsize() == 3 and paho.is_alive()  # the fourth waits
    first = ingest._take()
    assert first is not None and first.mid == 1
    assert (
        _eventually(lambda: ingest.inbox.qsize() == 3) and paho.is_alive()
    )  # the fourth came, the fifth waits
    ingest._take()
    paho.join(timeout=10)
    assert not paho.is_alive()
    assert [m.mid for m in (ingest._take(), ingest._take(), ingest._take()) if m is not None] == [3, 4, 5]


def test_paho_waits_for_room_no_longer_than_its_keepalive_allows(tmp_path, monkeypatch):
    """While the main thread takes nothing for long (a spill replayed, events held while the database is away),
    paho's loop must still run between messages to send its keepalive: after ROOM_WAIT_S a message comes in."""
    monkeypatch.setattr(mqtt, "ROOM_WAIT_S", 0.3)
    ingest, _ = _ingest(lambda *event: None, tmp_path, receive_maximum=1)
    ingest._on_message(None, None, _Delivered(1))
    began = time.monotonic()
    ingest._on_message(None, None, _Delivered(2))  # the inbox is full: it waits, then comes in
    assert time.monotonic() - began >= 0.25 and ingest.inbox.qsize() == 2
