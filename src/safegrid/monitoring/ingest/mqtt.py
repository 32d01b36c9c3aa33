"""The MQTT side of the ingest: `safegrid ingest` runs one of these per process.

- Topic `<SAFEGRID_MQTT_TOPIC_ROOT>/<USCC>` (default `safegrid/readings/<USCC>`), QoS 1.
- Events of video channels and positioning zones on `<SAFEGRID_MQTT_EVENTS_TOPIC_ROOT>/<USCC>` (default
  `safegrid/events/<USCC>`), in the same session: few, so each message is handled at once with the ORM
  (`services.events`) and acknowledged when that returned; the readings' batching is not involved. While the
  database is away they wait in memory, in order and unacknowledged, and are retried with the spill's
  back-off (`held.HeldEvents`, at most `events_held`; when that many wait, nothing more is taken from the
  broker until the database takes some). One whose handling fails for a fault of its own is dead-lettered
  with the readings' next batch and acknowledged after it.
- Shared subscription `$share/<group>/<root>/+`: the broker hands each message to one process of the group,
  so N processes on N machines split the stream.
- MQTT 5 with a persistent session (clean start off, session expiry SAFEGRID_MQTT_SESSION_EXPIRY_S) and a
  stable client id per process: the broker keeps the session's subscription and its unacknowledged
  messages while the process is away and sends them again when it returns.
- Flow control: at most `SAFEGRID_MQTT_RECEIVE_MAXIMUM` messages wait in the process's inbox (the CONNECT's
  Receive Maximum says the same to the broker, which does not always hold to it); when that many wait, paho's
  thread reads no more from the socket (for ROOM_WAIT_S at a time, inside the keepalive), so a process that
  falls behind leaves the backlog at the broker rather than in its own memory; the batch is flushed early
  when half of them wait for it.
- Manual acknowledgement: a message is acknowledged (PUBACK) only after the flush holding its readings
  committed them or spilled them to disk; a process killed before that leaves them unacknowledged, and the
  broker delivers them again. A redelivered reading is dropped as a duplicate.

Threads: paho's network loop runs in its own thread and only queues what arrives; the main thread decodes,
writes and acknowledges (paho's `ack` is safe to call from another thread). A message received on an
earlier connection is not acknowledged on a later one: the broker redelivers it on the new connection.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from ..rules.ingest import Reject
from . import collector
from .held import HeldEvents
from .pipeline import Pipeline

log = logging.getLogger("safegrid.monitoring.ingest")
# paho's thread waits this long at most for room in a full inbox: well inside the keepalive (30 s; the broker
# drops a client silent for 1.5 times that), which paho's loop sends between messages
ROOM_WAIT_S = 10.0
TRIM_EVERY_S = 5.0  # freed C memory handed back to the system this often (collector.release_freed_memory)


@dataclass(frozen=True, slots=True)
class Options:
    host: str
    port: int
    group: str
    client_id: str
    topic_root: str
    username: str = ""
    password: str = ""
    session_expiry_s: int = 7 * 24 * 3600
    stats_every_s: float = 10.0
    events_root: str = ""  # "" : no events subscription
    events_held: int = 5000  # events messages held unacknowledged while the database is away (held.py)
    # MQTT 5 Receive Maximum: messages the broker sends before this process acknowledges; bounds its memory
    receive_maximum: int = 10_000


@dataclass(slots=True)
class _Message:
    topic: str
    payload: bytes
    mid: int
    qos: int
    generation: int


class Ingest:
    def __init__(
        self,
        options: Options,
        pipeline: Pipeline,
        events: Callable[[str, str, bytes], None] | None = None,
    ) -> None:
        self.options = options
        self.pipeline = pipeline
        self.events = events
        self.held: HeldEvents[_Message] = HeldEvents(
            self._handle_event, done=self._ack, refused=self._refuse_event, limit=options.events_held
        )
        # readings messages (and refused events messages) acknowledged after the next flush
        self.pending: list[_Message] = []
        # flush when this many wait for acknowledgement, whatever the batch's size (the broker stops at
        # receive_maximum, so a batch of small messages must not wait for its timer)
        self.flush_pending = max(1, options.receive_maximum // 2)
        self.inbox: queue.SimpleQueue[_Message] = queue.SimpleQueue()
        # At most `receive_maximum` messages wait in the inbox. The broker should stop there by itself (the
        # CONNECT's Receive Maximum), but Mosquitto 2.0.11 sent a shared subscription's backlog regardless:
        # 30,000 messages waited in one process's inbox with a Receive Maximum of 2,000, about 250 MB. When the
        # inbox is full, paho's network thread waits in `_on_message` and reads no more from the socket, so
        # the backlog stays at the broker (TCP flow control); the acknowledgements the main thread queues
        # meanwhile go out when it resumes. It waits ROOM_WAIT_S at most, then lets one message in: while the
        # main thread takes nothing for long (a spill replayed, events held while the database is away)
        # paho's loop still runs between messages and keeps the connection alive.
        self.room = threading.Condition()
        self.waiting = 0  # messages in the inbox (under `room`)
        self.generation = 0
        self.connected = threading.Event()
        self.stopping = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=options.client_id,
            protocol=MQTTProtocolVersion.MQTTv5,
            manual_ack=True,
        )
        if options.username:
            self.client.username_pw_set(options.username, options.password or None)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)

    @property
    def subscription(self) -> str:
        return f"$share/{self.options.group}/{self.options.topic_root}/+"

    @property
    def events_subscription(self) -> str | None:
        if not self.options.events_root or self.events is None:
            return None
        return f"$share/{self.options.group}/{self.options.events_root}/+"

    # ---- paho's thread ------------------------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        if reason_code.is_failure:
            log.error("MQTT connection refused: %s", reason_code)
            return
        self.generation += 1
        client.subscribe(self.subscription, options=SubscribeOptions(qos=1))
        if self.events_subscription is not None:
            client.subscribe(self.events_subscription, options=SubscribeOptions(qos=1))
        log.info(
            "connected to %s:%s as %s (session present: %s), subscribed to %s",
            self.options.host,
            self.options.port,
            self.options.client_id,
            flags.session_present,
            self.subscription,
        )
        self.connected.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:  # type: ignore[no-untyped-def]
        self.connected.clear()
        if not self.stopping.is_set():
            log.warning("MQTT disconnected (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message) -> None:  # type: ignore[no-untyped-def]
        with self.room:
            deadline = time.monotonic() + ROOM_WAIT_S
            while self.waiting >= self.options.receive_maximum and not self.stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.room.wait(min(1.0, left))
            self.waiting += 1
        self.inbox.put(_Message(message.topic, message.payload, message.mid, message.qos, self.generation))

    # ---- main thread --------------------------------------------------------------------------------

    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.options.session_expiry_s
        properties.ReceiveMaximum = self.options.receive_maximum
        self.client.connect_async(
            self.options.host, self.options.port, keepalive=30, clean_start=False, properties=properties
        )
        self.client.loop_start()

    def run(self) -> None:
        """Until `stop()`: take messages, write by size or time, acknowledge what was written."""
        pipeline = self.pipeline
        held = self.held
        prefix = self.options.topic_root + "/"
        events_prefix = self._events_prefix
        next_stats = time.monotonic() + self.options.stats_every_s
        next_refresh = time.monotonic()
        next_trim = time.monotonic() + TRIM_EVERY_S
        while not self.stopping.is_set():
            if held.due():
                held.drain()
            # idle: wake at least every second (a stop is noticed, whatever SAFEGRID_INGEST_FLUSH_MS)
            timeout = min(pipeline.flush_seconds, 1.0) if pipeline.batch_started is None else 0.02
            message: _Message | None = None
            if held.full():
                # As many events wait as may: nothing more is taken until the database takes some (what
                # arrives waits in the inbox and at the broker, unacknowledged).
                self.stopping.wait(timeout)
            else:
                message = self._take(timeout)
            while message is not None:
                if events_prefix is not None and message.topic.startswith(events_prefix):
                    held.put(message)  # behind any waiting: handled now unless the database is away
                    if held.due():
                        held.drain()
                    if held.full():
                        break
                    message = self._take()
                    continue
                uscc = message.topic[len(prefix) :] if message.topic.startswith(prefix) else message.topic
                pipeline.submit(message.topic, uscc, message.payload)
                self.pending.append(message)
                if pipeline.due() or len(self.pending) >= self.flush_pending:
                    break
                message = self._take()
            if pipeline.due() or len(self.pending) >= self.flush_pending:
                self._flush()
            now = time.monotonic()
            if now >= next_refresh:
                pipeline.directory.refresh_if_stale()
                if pipeline.batch_started is None and (
                    pipeline.latest_due() or (pipeline.spill.may_retry() and pipeline.spill.pending())
                ):
                    # No traffic: the latest values still go out, and what was spilled is replayed as soon
                    # as the database is back.
                    pipeline.flush()
                next_refresh = now + 1
            if now >= next_trim:
                collector.release_freed_memory()
                next_trim = now + TRIM_EVERY_S
            if now >= next_stats:
                waiting = f" events_waiting={len(held)}" if len(held) else ""
                log.info(
                    "ingest %s: %s inbox=%d%s",
                    self.options.client_id,
                    pipeline.counters.line(),
                    self.inbox.qsize(),
                    waiting,
                )
                next_stats = now + self.options.stats_every_s
        if held.due():
            held.drain()
        self._flush(final=True)
        if len(held):
            log.warning(
                "ingest %s stopping with %d events message(s) not handled (database away): left unacknowledged, "
                "the broker sends them again when this client id reconnects",
                self.options.client_id,
                len(held),
            )
        log.info("ingest %s stopping: %s", self.options.client_id, pipeline.counters.line())

    def _take(self, timeout: float | None = None) -> _Message | None:
        """The next message received (waiting up to `timeout` seconds; None: not at all); its place freed."""
        try:
            message = self.inbox.get(timeout=timeout) if timeout is not None else self.inbox.get_nowait()
        except queue.Empty:
            return None
        with self.room:
            self.waiting -= 1
            self.room.notify()
        return message

    def _flush(self, *, final: bool = False) -> None:
        pending, self.pending = self.pending, []
        if not self.pipeline.flush(final=final):
            return  # neither written nor spilled: left unacknowledged, the broker sends them again
        for message in pending:
            self._ack(message)

    def _ack(self, message: _Message) -> None:
        """PUBACK, unless the message came on an earlier connection (the broker sends it again on this one)."""
        if message.qos > 0 and message.generation == self.generation:
            self.client.ack(message.mid, message.qos)

    @property
    def _events_prefix(self) -> str | None:
        return self.options.events_root + "/" if self.events_subscription else None

    def _handle_event(self, message: _Message) -> None:
        """One events message (held.HeldEvents calls this, oldest first; acknowledged when it returns)."""
        assert self.events is not None and self._events_prefix is not None
        self.events(message.topic, message.topic[len(self._events_prefix) :], message.payload)

    def _refuse_event(self, message: _Message, exc: BaseException) -> None:
        """An events message whose handling failed for a fault of its own: a dead letter with the readings'
        batch (written, or spilled while the database is away), acknowledged after that batch's flush."""
        assert self._events_prefix is not None
        uscc = message.topic[len(self._events_prefix) :]
        detail = f"事件报文处理出错：{type(exc).__name__}: {exc}"
        self.pipeline.dead_letter(message.topic, uscc, message.payload, Reject.ERROR, detail)
        self.pending.append(message)

    def stop(self) -> None:
        self.stopping.set()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
