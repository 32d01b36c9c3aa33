"""Flow control of the MQTT ingest: the broker may send only `receive_maximum` unacknowledged messages, and
the process flushes (writes, then acknowledges) when half of them wait, whatever its batch size or timer."""

from __future__ import annotations

import pytest

from safegrid.monitoring.ingest.mqtt import Ingest, Options
from safegrid.monitoring.ingest.pipeline import Pipeline

from .test_events_held import Directory, FakeClient, Writes, _reading_message, _run_until
from .test_storage import _start_up


def _options(**extra) -> Options:
    return Options(host="127.0.0.1", port=1, group="g", client_id="c", topic_root="r", **extra)


def test_the_connect_asks_the_broker_for_at_most_receive_maximum_unacknowledged_messages(monkeypatch):
    ingest = Ingest(_options(receive_maximum=123), Pipeline(directory=Directory(), write=Writes()))
    sent = {}
    monkeypatch.setattr(ingest.client, "connect_async", lambda *a, **kw: sent.update(kw))
    monkeypatch.setattr(ingest.client, "loop_start", lambda: None)
    ingest.start()
    assert sent["properties"].ReceiveMaximum == 123
    assert sent["clean_start"] is False  # the persistent session as before


def test_half_the_receive_maximum_waiting_is_flushed_before_the_batch_is_full_or_its_timer(tmp_path):
    writes = Writes()
    # a batch of 5,000 readings and a one-minute timer: neither comes due in this test
    pipeline = Pipeline(
        directory=Directory(), spill_dir=tmp_path / "spill", batch_size=5000, flush_ms=60_000, write=writes
    )
    ingest = Ingest(_options(receive_maximum=6), pipeline)
    ingest.client = FakeClient()  # type: ignore[assignment]
    for mid in range(1, 4):
        ingest.inbox.put(_reading_message(mid))
    acks = ingest.client.acks  # type: ignore[attr-defined]
    _run_until(ingest, lambda: len(acks) == 3, seconds=10)
    assert acks == [1, 2, 3]
    assert [len(batch.readings) for batch in writes.batches] == [3]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"SAFEGRID_MQTT_RECEIVE_MAXIMUM": "4000", "SAFEGRID_INGEST_EVENTS_HELD": "5000"}, "must be below"),
        ({"SAFEGRID_MQTT_RECEIVE_MAXIMUM": "70000"}, "at most 65535"),
    ],
)
def test_a_receive_maximum_without_room_for_the_held_events_is_refused_at_start_up(variables, message):
    result = _start_up(**variables)
    assert result.returncode != 0
    assert message in result.stderr
