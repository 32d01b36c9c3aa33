"""`safegrid ingest` processes against the real Mosquitto broker and the test database.

Skipped (with the reason) when no broker answers on SAFEGRID_MQTT_HOST:SAFEGRID_MQTT_PORT, and failed
instead when SAFEGRID_REQUIRE_BROKER is set (CI). Each test uses its own topic root and group, so runs in
parallel do not see each other's messages. Waits are bounded and fail with a message; nothing asserts how
long anything took.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from django.conf import settings
from django.db import connection
from paho.mqtt.enums import CallbackAPIVersion

from safegrid.monitoring.models import DeadLetter, LatestValue, PublisherSequence, Reading

from .ingest_helpers import make_point, ms

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BOUND_SECONDS = 180


def wait_for(condition: Callable[[], object], what: str, logs: Callable[[], str] = lambda: "") -> object:
    deadline = time.monotonic() + BOUND_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"gave up waiting: {what}\n{logs()}")


@pytest.fixture(scope="module")
def broker() -> tuple[str, int]:
    host, port = settings.SAFEGRID_MQTT_HOST, settings.SAFEGRID_MQTT_PORT
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as exc:
        message = f"no MQTT broker answers at {host}:{port} ({exc}); start Mosquitto (deploy/mosquitto.conf)"
        if os.environ.get("SAFEGRID_REQUIRE_BROKER"):
            pytest.fail(message)
        pytest.skip(message)
    return host, port


def _database_env() -> dict[str, str]:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"SAFEGRID_DB_PATH": str(db["NAME"])}
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return {
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    }


class Ingests:
    """`safegrid ingest` subprocesses on one topic root and group, each with its own stable client id."""

    def __init__(self, broker: tuple[str, int], tmp_path: Path) -> None:
        self.host, self.port = broker
        self.tmp_path = tmp_path
        run = uuid.uuid4().hex[:10]
        self.topic_root = f"test-{run}/readings"
        self.events_root = f"test-{run}/events"
        self.group = f"g-{run}"
        self.procs: dict[int, tuple[subprocess.Popen[bytes], Path]] = {}
        self.starts: dict[int, int] = {}
        self.run = run

    def client_id(self, n: int) -> str:
        return f"ingest-{self.run}-{n}"

    def start(self, n: int) -> None:
        self.starts[n] = self.starts.get(n, 0) + 1
        log = self.tmp_path / f"ingest-{n}-{self.starts[n]}.log"
        env = {
            **os.environ,
            **_database_env(),
            "SAFEGRID_PROFILE": "test",
            "SAFEGRID_VAR_DIR": str(settings.VAR_DIR),
            "SAFEGRID_INGEST_SPILL_DIR": str(self.tmp_path / "spill"),
            "SAFEGRID_LOG_LEVEL": "INFO",
        }
        command = [sys.executable, "-m", "safegrid", "ingest", "--host", self.host, "--port", str(self.port)]
        command += ["--group", self.group, "--client-id", self.client_id(n), "--topic-root", self.topic_root]
        command += ["--events-root", self.events_root, "--stats", "1"]
        proc = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
        self.procs[n] = (proc, log)
        wait_for(
            lambda: "subscribed to" in log.read_text(errors="ignore"), f"ingest {n} subscribed", self.logs
        )

    def log(self, n: int) -> str:
        return self.procs[n][1].read_text(errors="ignore")

    def logs(self) -> str:
        parts = []
        for path in sorted(self.tmp_path.glob("ingest-*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='ignore')[-3000:]}")
        return "\n".join(parts)

    def kill(self, n: int) -> None:
        proc, _ = self.procs[n]
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        for proc, _ in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in self.procs.values():
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._forget_sessions()

    def _forget_sessions(self) -> None:
        """End the persistent sessions the tests made, so the broker does not keep them for a week."""
        for n in self.starts:
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id(n), clean_session=True)
            try:
                client.connect(self.host, self.port)
                client.disconnect()
            except OSError:
                pass

    def topic(self, uscc: str) -> str:
        return f"{self.topic_root}/{uscc}"


@pytest.fixture
def ingests(broker, tmp_path, transactional_db) -> Iterator[Ingests]:
    pool = Ingests(broker, tmp_path)
    yield pool
    pool.stop()


class Publisher:
    def __init__(self, broker: tuple[str, int]) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
        self.client.max_inflight_messages_set(100)
        self.client.max_queued_messages_set(0)
        self.client.connect(*broker)
        self.client.loop_start()

    def send(self, topic: str, body: bytes | dict) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.client.publish(topic, data, qos=1).wait_for_publish(timeout=30)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def publisher(broker) -> Iterator[Publisher]:
    pub = Publisher(broker)
    yield pub
    pub.close()


def _message(code: str, ts_ms: int, value: float, seq: int | None = None) -> dict:
    body: dict = {"readings": [{"point": code, "ts": ts_ms, "value": value}]}
    if seq is not None:
        body |= {"publisher": "test-gw", "seq": seq}
    return body


def test_readings_in_stored_once_and_every_bad_message_dead_lettered(world, ingests, publisher):
    point = make_point(world.ent_a, "LT-201")
    make_point(world.ent_b, "B-201")
    ingests.start(0)
    topic = ingests.topic(world.ent_a.uscc)
    now = ms(dt.datetime.now(dt.UTC))
    good = {
        "readings": [
            {"point": "LT-201", "ts": now - 1000, "value": 1.5},
            {"point": "LT-201", "ts": now, "value": 2.5},
        ]
    }
    publisher.send(topic, good)
    publisher.send(topic, good)  # the same readings again
    publisher.send(topic, b"{broken")
    publisher.send(topic, _message("NOPE", now, 1))
    publisher.send(topic, _message("B-201", now, 1))
    publisher.send(topic, b'{"readings": [{"point": "LT-201", "ts": %d, "value": NaN}]}' % now)
    publisher.send(topic, _message("LT-201", now + 3_600_000, 1))
    publisher.send(ingests.topic("91370321MA0000000X"), _message("LT-201", now, 1))
    wait_for(lambda: DeadLetter.objects.count() >= 6, "six dead letters", ingests.logs)
    wait_for(lambda: Reading.objects.count() >= 2, "the readings", ingests.logs)
    reasons = sorted(DeadLetter.objects.values_list("reason", flat=True))
    assert reasons == sorted(
        ["malformed", "unknown_point", "other_enterprise", "non_finite", "future", "unknown_enterprise"]
    )
    assert sorted(Reading.objects.filter(point=point).values_list("value", flat=True)) == [1.5, 2.5]
    assert LatestValue.objects.get(point=point).value == 2.5
    wait_for(lambda: "duplicates=2" in ingests.log(0), "the duplicates counted", ingests.logs)


def _publish_numbered(publisher: Publisher, topic: str, code: str, count: int, start_ms: int) -> None:
    for seq in range(1, count + 1):
        publisher.send(topic, _message(code, start_ms + seq, float(seq), seq=seq))


def test_two_processes_split_the_stream_nothing_lost_or_doubled(world, ingests, publisher):
    make_point(world.ent_a, "LT-301")
    ingests.start(0)
    ingests.start(1)
    count = 400
    start = ms(dt.datetime.now(dt.UTC)) - 10 * 60_000
    _publish_numbered(publisher, ingests.topic(world.ent_a.uscc), "LT-301", count, start)
    wait_for(lambda: Reading.objects.count() >= count, f"{count} readings stored", ingests.logs)
    ingests.stop()
    assert Reading.objects.count() == count
    assert sorted(Reading.objects.values_list("value", flat=True)) == [float(n) for n in range(1, count + 1)]
    sequence = PublisherSequence.objects.get(enterprise=world.ent_a, publisher="test-gw")
    assert (sequence.first_seq, sequence.last_seq, sequence.gaps) == (1, count, 0)
    # Both processes took part (the broker split the stream between them).
    for n in (0, 1):
        last = [line for line in ingests.log(n).splitlines() if "stopping:" in line][-1]
        taken = int(last.split("messages=")[1].split()[0])
        assert 0 < taken < count, ingests.logs()


def test_killing_one_process_mid_stream_loses_nothing(world, ingests, publisher):
    make_point(world.ent_a, "LT-401")
    ingests.start(0)
    ingests.start(1)
    count = 600
    start = ms(dt.datetime.now(dt.UTC)) - 10 * 60_000
    sender = threading.Thread(
        target=_publish_numbered, args=(publisher, ingests.topic(world.ent_a.uscc), "LT-401", count, start)
    )
    sender.start()
    wait_for(lambda: Reading.objects.count() >= count // 4, "a quarter stored", ingests.logs)
    ingests.kill(0)  # no flush, no acknowledgement: what it held unacknowledged is redelivered
    sender.join(timeout=BOUND_SECONDS)
    ingests.start(0)  # the same client id: the broker resumes its session
    assert "session present: True" in ingests.log(0), ingests.logs()
    wait_for(lambda: Reading.objects.count() >= count, f"all {count} readings stored", ingests.logs)
    ingests.stop()
    assert sorted(Reading.objects.values_list("value", flat=True)) == [float(n) for n in range(1, count + 1)]


@pytest.mark.postgres_only
def test_connections_dropped_mid_stream_lose_nothing(world, ingests, publisher):
    """The database drops the ingest's connection again and again (as a restart or failover would): the
    batches spill to disk and are replayed on a new connection, nothing lost or doubled."""
    if connection.vendor != "postgresql":
        pytest.skip("drops PostgreSQL backends")
    make_point(world.ent_a, "LT-601")
    ingests.start(0)
    count = 300
    start = ms(dt.datetime.now(dt.UTC)) - 10 * 60_000
    sender = threading.Thread(
        target=_publish_numbered, args=(publisher, ingests.topic(world.ent_a.uscc), "LT-601", count, start)
    )
    sender.start()
    dropped = 0
    while sender.is_alive():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            dropped += cursor.fetchone()[0]
        time.sleep(0.3)
    assert dropped, "no ingest connection was dropped"
    wait_for(lambda: Reading.objects.count() >= count, f"all {count} readings stored", ingests.logs)
    ingests.stop()
    assert "spilling to" in ingests.logs(), "the dropped connection never failed a write"
    assert sorted(Reading.objects.values_list("value", flat=True)) == [float(n) for n in range(1, count + 1)]
