"""The ingest pipeline on the test database: stored once, every refusal in the dead-letter table with its
reason, the sinks before the write, and nothing lost while the database is away."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError

from safegrid.monitoring.ingest import sinks, writer
from safegrid.monitoring.ingest.pipeline import Pipeline, RecentKeys
from safegrid.monitoring.models import DeadLetter, LatestValue, PublisherSequence, Reading

from .ingest_helpers import make_point, ms, payload

pytestmark = pytest.mark.django_db

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture
def points(world):
    return {
        "a1": make_point(world.ent_a, "LT-101"),
        "a2": make_point(world.ent_a, "TT-102"),
        "off": make_point(world.ent_a, "PT-OFF", active=False),
        "b1": make_point(world.ent_b, "B-ONLY"),
    }


@pytest.fixture
def pipeline(tmp_path):
    return Pipeline(spill_dir=tmp_path / "spill", clock=lambda: NOW)


def test_readings_are_stored_once_and_the_latest_value_kept(world, points, pipeline):
    uscc = world.ent_a.uscc
    first = payload(("LT-101", ms(NOW - dt.timedelta(seconds=2)), 1.5), ("LT-101", ms(NOW), 2.5))
    pipeline.submit("t", uscc, first)
    again = pipeline.submit("t", uscc, first)  # a QoS 1 redelivery
    assert (again.accepted, again.duplicates) == (0, 2)
    assert pipeline.flush()
    # A redelivery the in-memory set no longer knows (another process, a restart) is dropped by the table.
    fresh = Pipeline(spill_dir=pipeline.spill.directory, clock=lambda: NOW)
    assert fresh.submit("t", uscc, first).accepted == 2
    fresh.submit("t", uscc, payload(("TT-102", "2026-01-01T00:00:00Z", 1.0)))  # too old: dead letter
    assert fresh.flush()
    rows = list(Reading.objects.filter(point=points["a1"]).order_by("ts").values_list("ts", "value"))
    assert rows == [(NOW - dt.timedelta(seconds=2), 1.5), (NOW, 2.5)]
    latest = LatestValue.objects.get(point=points["a1"])
    assert (latest.ts, latest.value) == (NOW, 2.5)
    # An older reading arriving late does not replace the latest value.
    fresh.submit("t", uscc, payload(("LT-101", ms(NOW - dt.timedelta(seconds=60)), 9.0)))
    fresh.flush()
    assert LatestValue.objects.get(point=points["a1"]).value == 2.5
    assert Reading.objects.filter(point=points["a1"]).count() == 3


def test_every_refusal_is_a_dead_letter_with_its_reason(world, points, pipeline, settings):
    a = world.ent_a
    cases = [
        (a.uscc, b"{not json", "malformed"),
        (a.uscc, b'{"values": []}', "schema"),
        (a.uscc, b'{"readings": [], "seq": "seven"}', "schema"),
        ("91370321MA00000000", payload(("LT-101", ms(NOW), 1)), "unknown_enterprise"),
        (a.uscc, payload(("NOPE", ms(NOW), 1)), "unknown_point"),
        (a.uscc, payload(("B-ONLY", ms(NOW), 1)), "other_enterprise"),
        (a.uscc, payload(("PT-OFF", ms(NOW), 1)), "inactive_point"),
        (a.uscc, b'{"readings": [{"point": "LT-101", "ts": 1796212800000, "value": NaN}]}', "non_finite"),
        (a.uscc, b'{"readings": [{"point": "LT-101", "ts": 1796212800000, "value": 1e999}]}', "non_finite"),
        (a.uscc, payload(("LT-101", "2026-12-02 12:00", 1)), "bad_timestamp"),
        (a.uscc, payload(("LT-101", ms(NOW + dt.timedelta(minutes=5, seconds=1)), 1)), "future"),
        (a.uscc, payload(("LT-101", ms(NOW - dt.timedelta(days=30, seconds=1)), 1)), "too_old"),
    ]
    for uscc, body, _reason in cases:
        pipeline.submit("safegrid/readings/" + uscc, uscc, body)
    # One bad reading refuses only itself.
    mixed = b'{"readings": [{"point": "LT-101", "ts": %d, "value": 1}, {"point": 7}]}' % ms(NOW)
    assert pipeline.submit("t", a.uscc, mixed).accepted == 1
    assert pipeline.flush()
    got = list(DeadLetter.objects.order_by("id").values_list("reason", "enterprise_id"))
    expected = [(reason, None if reason == "unknown_enterprise" else a.pk) for _, _, reason in cases]
    assert got == [*expected, ("schema", a.pk)]
    assert pipeline.counters.rejected == len(cases) + 1
    assert Reading.objects.count() == 1
    assert DeadLetter.objects.get(reason="malformed").payload == "{not json"


def test_dead_letter_payload_is_truncated(world, points, pipeline):
    body = b"x" * 10_000
    pipeline.submit("t", world.ent_a.uscc, body)
    pipeline.flush()
    assert len(DeadLetter.objects.get().payload) == 4096


def test_sinks_get_the_readings_before_the_write(world, points, pipeline, monkeypatch):
    monkeypatch.setattr(sinks, "_sinks", [])
    seen: list[tuple[int, int]] = []

    def sink(batch):
        seen.append((len(batch), Reading.objects.count()))

    sinks.register(sink)
    body = payload(("LT-101", ms(NOW), 1.0), ("TT-102", ms(NOW), 2.0))
    pipeline.submit("t", world.ent_a.uscc, body)
    pipeline.submit("t", world.ent_a.uscc, body)  # duplicates are not handed on again
    assert seen == [(2, 0)]
    pipeline.flush()
    assert Reading.objects.count() == 2


def test_publisher_sequences_count_the_gaps(world, points, pipeline):
    for seq in (1, 2, 3, 6):
        pipeline.submit(
            "t", world.ent_a.uscc, payload(("LT-101", ms(NOW) - seq, 1.0), publisher="gw-1", seq=seq)
        )
    pipeline.flush()
    pipeline.submit("t", world.ent_a.uscc, payload(("LT-101", ms(NOW), 1.0), publisher="gw-1", seq=5))
    pipeline.flush()
    row = PublisherSequence.objects.get(enterprise=world.ent_a, publisher="gw-1")
    assert (row.first_seq, row.last_seq, row.messages, row.gaps) == (1, 6, 5, 1)  # 4 never arrived


def test_nothing_is_lost_while_the_database_is_away(world, points, tmp_path, monkeypatch):
    down = {"on": True}

    def flaky(batch, latest):
        if down["on"]:
            raise OperationalError("connection refused")
        writer.write(batch, latest)

    pipeline = Pipeline(spill_dir=tmp_path / "spill", write=flaky, clock=lambda: NOW)
    pipeline.spill.base_delay = 0  # retry at once (the back-off itself is not what this test is about)
    for n in range(3):
        pipeline.submit(
            "t", world.ent_a.uscc, payload(("LT-101", ms(NOW) - n * 1000, float(n)), publisher="gw", seq=n)
        )
        assert pipeline.flush()  # spilled to disk: safe to acknowledge
    pipeline.submit("t", world.ent_a.uscc, b"{broken")
    assert pipeline.flush()
    assert len(pipeline.spill.files()) == 4
    assert Reading.objects.count() == 0
    down["on"] = False
    pipeline.submit("t", world.ent_a.uscc, payload(("TT-102", ms(NOW), 7.0)))
    assert pipeline.flush()
    assert pipeline.spill.files() == []
    assert sorted(Reading.objects.values_list("value", flat=True)) == [0.0, 1.0, 2.0, 7.0]
    # Spilled readings replayed in the order received: the latest value is the newest reading.
    assert LatestValue.objects.get(point=points["a1"]).value == 0.0
    assert DeadLetter.objects.get().payload == "{broken"
    sequence = PublisherSequence.objects.get(publisher="gw")
    assert (sequence.first_seq, sequence.last_seq, sequence.messages) == (0, 2, 3)


def test_spill_backs_off(tmp_path, world, points):
    def broken(batch, latest):
        raise OperationalError("down")

    pipeline = Pipeline(spill_dir=tmp_path / "s", write=broken, clock=lambda: NOW)
    pipeline.submit("t", world.ent_a.uscc, payload(("LT-101", ms(NOW), 1.0)))
    pipeline.flush()
    assert pipeline.spill.failures == 1 and not pipeline.spill.may_retry()
    pipeline.submit("t", world.ent_a.uscc, payload(("LT-101", ms(NOW) - 1, 1.0)))
    pipeline.flush()  # within the back-off: straight to disk, no attempt
    assert pipeline.spill.failures == 1
    assert len(pipeline.spill.files()) == 2


def test_the_point_directory_survives_a_database_outage(world, points, pipeline, monkeypatch):
    directory = pipeline.directory
    directory.load()
    known = dict(directory.points)

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(directory, "load", down)
    directory.loaded_at = -1e9
    directory.refresh_if_stale()  # no exception: the points loaded before are kept
    assert directory.points == known
    assert pipeline.submit("t", world.ent_a.uscc, payload(("LT-101", ms(NOW), 1.0))).accepted == 1


def test_latest_values_are_written_about_once_a_second_and_at_shutdown(world, points, tmp_path):
    pipeline = Pipeline(spill_dir=tmp_path / "s", clock=lambda: NOW, latest_every=3600)
    pipeline.submit("t", world.ent_a.uscc, payload(("LT-101", ms(NOW) - 1000, 1.0)))
    pipeline.flush()  # the first batch writes them
    pipeline.submit("t", world.ent_a.uscc, payload(("LT-101", ms(NOW), 2.0)))
    pipeline.flush()  # readings written, the latest value waits
    assert Reading.objects.count() == 2
    assert LatestValue.objects.get(point=points["a1"]).value == 1.0
    assert not pipeline.latest_due()
    pipeline.flush(final=True)
    assert LatestValue.objects.get(point=points["a1"]).value == 2.0


def test_recent_keys_remember_at_least_half_their_capacity_and_no_more_than_it():
    recent = RecentKeys(capacity=10)
    ts = 1_780_000_000_000
    assert recent.add(7, ts) and not recent.add(7, ts)
    assert recent.add(8, ts) and recent.add(7, ts + 1)  # another point, another time: both new
    for i in range(2, 100):
        recent.add(7, ts + i)
        assert len(recent) <= 10
        # the last five keys (half the capacity) are always remembered
        assert all(not recent.add(7, ts + j) for j in range(max(0, i - 4), i + 1))
    assert recent.add(7, ts)  # long forgotten: new again (the database's key drops it at the write)


def test_recent_keys_do_not_confuse_points_and_times():
    recent = RecentKeys()
    big_ts = (1 << RecentKeys.TS_BITS) - 1
    assert recent.add(1, 0) and recent.add(0, big_ts) and recent.add(2, 0) and recent.add(1, big_ts)


def test_the_sinks_flush_only_after_the_database_took_the_batch(world, points, tmp_path, monkeypatch):
    flushed: list[int] = []
    monkeypatch.setattr(sinks, "_flushes", [lambda: flushed.append(1)])
    down = {"yes": True}

    def write(batch, latest):
        if down["yes"]:
            raise OperationalError("the database system is shutting down")

    pipeline = Pipeline(spill_dir=tmp_path / "spill", clock=lambda: NOW, write=write)
    pipeline.submit("t", world.ent_a.uscc, payload(("LT-101", ms(NOW), 1.0)))
    assert pipeline.flush()  # spilled: safe to acknowledge
    assert flushed == []  # the repeat counts wait in memory, nothing tried against a database that is away
    down["yes"] = False
    pipeline.spill.retry_at = 0.0  # the back-off over: the spilled batch is replayed first
    pipeline.submit("t", world.ent_a.uscc, payload(("LT-101", ms(NOW) + 1, 1.0)))
    assert pipeline.flush()
    assert flushed == [1]
