"""`safegrid simulate` against the real Mosquitto at 127.0.0.1:1883: a subscriber receives the messages of the
world's active points on `<prefix>/<USCC>` at QoS 1 with the documented payload, numbered by the publisher,
with the injected duplicates and malformed messages. Skipped only when no broker answers and
SAFEGRID_REQUIRE_BROKER is not set."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid

import pytest
from django.core.management import call_command

from safegrid.core.testing import SYSTEM
from safegrid.monitoring.services import points as services

pytestmark = pytest.mark.django_db
HOST, PORT = "127.0.0.1", 1883


def _broker_answers() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def broker():
    if not _broker_answers():
        if os.environ.get("SAFEGRID_REQUIRE_BROKER"):
            pytest.fail(f"no MQTT broker at {HOST}:{PORT} and SAFEGRID_REQUIRE_BROKER is set")
        pytest.skip(f"no MQTT broker at {HOST}:{PORT}")


class Subscriber:
    def __init__(self, topic: str) -> None:
        import paho.mqtt.client as mqtt

        self.received: list[tuple[str, bytes]] = []
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-sub-{uuid.uuid4().hex[:8]}"
        )
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.on_message = lambda c, u, m: self.received.append((m.topic, m.payload))
        self.client.connect(HOST, PORT)
        self.client.loop_start()
        assert self.subscribed.wait(5), "subscription not acknowledged"

    def stop(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def _points(world):
    common = {"limits_version": "V1", "limits_source": "指标"}
    services.point_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        data={"code": "T101-LT-01", "name": "液位", "kind": "level", "l": 1.0, "h": 8.0, "hh": 9.0, **common},
    )
    services.point_create(
        actor=SYSTEM,
        enterprise=world.ent_b,
        data={"code": "GC-01", "name": "可燃气体", "kind": "gas_combustible"},
    )
    inactive = services.point_create(
        actor=SYSTEM, enterprise=world.ent_a, data={"code": "OLD-01", "name": "旧点位", "kind": "flow"}
    )
    services.write_active(actor=SYSTEM, point=inactive, active=False)


def test_simulate_publishes_the_documented_payload(world, broker):
    _points(world)
    prefix = f"test-sim-{uuid.uuid4().hex[:8]}/readings"
    sub = Subscriber(f"{prefix}/#")
    try:
        call_command(
            "simulate",
            duration=2.0,
            rate=5,
            county=world.county.code,
            topic_prefix=prefix,
            publisher="sim-test",
            seed=3,
            duplicate_rate=0.3,
            malformed_rate=0.3,
            stdout=open(os.devnull, "w"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(sub.received) < 10:
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        sub.stop()
    topics = {t for t, _ in sub.received}
    assert topics == {f"{prefix}/{world.ent_a.uscc}", f"{prefix}/{world.ent_b.uscc}"}
    good, bad = [], []
    for topic, payload in sub.received:
        try:
            body = json.loads(payload, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
        except ValueError:
            bad.append(payload)
            continue
        if isinstance(body.get("readings"), list) and "seq" in body:
            good.append((topic, body))
        else:
            bad.append(payload)
    assert good and bad  # malformed messages were injected
    seqs = [b["seq"] for _, b in good]
    assert sorted(set(seqs)) == list(range(1, max(seqs) + 1))  # QoS 1: nothing lost
    assert len(seqs) > len(set(seqs))  # duplicates were injected (same seq again)
    for topic, body in good:
        assert body["publisher"] == "sim-test"
        for r in body["readings"]:
            assert set(r) == {"point", "ts", "value"} and isinstance(r["ts"], int)
            expected = "T101-LT-01" if topic.endswith(world.ent_a.uscc) else "GC-01"
            assert r["point"] == expected  # the inactive point is not simulated
