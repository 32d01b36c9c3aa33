"""Events over the real broker: `safegrid ingest` subscribes to `<events root>/<USCC>` next to the readings,
and an event becomes an alarm; a bad one a dead letter. Skipped without a broker unless
SAFEGRID_REQUIRE_BROKER is set (the fixtures of test_ingest_broker.py)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from django.db import connection

from safegrid.monitoring.models import Alarm, DeadLetter, LatestValue, SourceEvent

from .events_helpers import make_source
from .ingest_helpers import make_point, ms
from .test_ingest_broker import broker, ingests, publisher, wait_for  # noqa: F401 - fixtures

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_events_over_mqtt_raise_alarms_beside_the_readings(world, ingests, publisher):  # noqa: F811
    zone = make_source(world.ent_a, "ZONE-1", rated_headcount=4)
    point = make_point(world.ent_a, "LT-301")
    ingests.start(0)
    now = ms(dt.datetime.now(dt.UTC))
    events_topic = f"{ingests.events_root}/{world.ent_a.uscc}"
    body = {"events": [{"source": "ZONE-1", "ts": now, "type": "headcount", "value": 6}]}
    publisher.send(events_topic, body)
    publisher.send(events_topic, body)  # a resend: handled once
    publisher.send(events_topic, {"events": [{"source": "ZONE-1", "ts": now, "type": "dance"}]})
    publisher.send(
        ingests.topic(world.ent_a.uscc), {"readings": [{"point": "LT-301", "ts": now, "value": 1.0}]}
    )
    alarm = wait_for(lambda: Alarm.objects.filter(point=zone).first(), "the overcrowd alarm", ingests.logs)
    assert isinstance(alarm, Alarm) and (alarm.rule, alarm.severity) == ("overcrowd", "HH")
    wait_for(
        lambda: DeadLetter.objects.filter(reason="unknown_event", source=events_topic).exists(),
        "the unknown event's dead letter",
        ingests.logs,
    )
    wait_for(lambda: LatestValue.objects.filter(point=point).exists(), "the reading", ingests.logs)
    assert SourceEvent.objects.filter(point=zone).count() == 1
    assert Alarm.objects.get(point=zone).repeat_count == 0


def test_events_sent_while_the_database_is_away_go_in_by_themselves(world, ingests, publisher):  # noqa: F811
    """The database refuses every write for a while (SQLite's write lock held by another connection: each
    write fails with "database is locked"): the events wait in the ingest, unacknowledged, and go in, in
    order, once it is back, with no restart."""
    if connection.vendor != "sqlite":
        pytest.skip("holds SQLite's write lock; the retry logic itself is tested in test_events_held.py")
    zone = make_source(world.ent_a, "ZONE-2", rated_headcount=4)
    ingests.start(0)
    topic = f"{ingests.events_root}/{world.ent_a.uscc}"
    now = ms(dt.datetime.now(dt.UTC))
    lock = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    try:
        lock.execute("BEGIN IMMEDIATE")
        publisher.send(topic, {"events": [{"source": "ZONE-2", "ts": now, "type": "headcount", "value": 6}]})
        publisher.send(
            topic, {"events": [{"source": "ZONE-2", "ts": now + 1, "type": "headcount", "value": 3}]}
        )
        wait_for(lambda: "events message not handled" in ingests.log(0), "a failed attempt", ingests.logs)
        wait_for(lambda: "events_waiting=" in ingests.log(0), "the waiting events counted", ingests.logs)
        assert not SourceEvent.objects.exists()
    finally:
        lock.rollback()
        lock.close()
    wait_for(lambda: SourceEvent.objects.filter(point=zone).count() == 2, "both events stored", ingests.logs)
    alarm = Alarm.objects.get(point=zone)  # raised by the first, cleared by the second: the order was kept
    assert alarm.rule == "overcrowd" and alarm.cleared_at is not None
