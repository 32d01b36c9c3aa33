"""Two ingest processes writing the same readings at once (a redelivery after a process died went to the
other one, a gateway resent a message and the shared subscription split the copies): both batches commit, no
deadlock, each reading stored once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from safegrid.monitoring.ingest import writer
from safegrid.monitoring.ingest.sinks import AcceptedReading
from safegrid.monitoring.models import Reading

from .ingest_helpers import make_point

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
WAIT = 120  # seconds a thread waits for its partner before the test fails instead of hanging


@pytest.mark.postgres_only
@committed
def test_two_writers_of_the_same_readings_in_opposite_orders_both_commit(world):
    points = [make_point(world.ent_a, code=f"DUP-{n}") for n in range(50)]
    t0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=10)
    rows = [
        AcceptedReading(p.pk, p.enterprise_id, t0 + dt.timedelta(seconds=s), float(s), t0)
        for s in range(200)
        for p in points
    ]
    # the same 10,000 readings, received in opposite orders: inserted as received, each writer would wait for
    # the other's transaction on the first key the other holds — a deadlock, a batch refused and spilled
    batches = [writer.Batch(readings=list(rows)), writer.Batch(readings=rows[::-1])]
    start = threading.Barrier(len(batches))
    errors: list[BaseException] = []

    def write(batch: writer.Batch) -> None:
        try:
            start.wait(timeout=WAIT)
            writer.write(batch)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert errors == []
    assert Reading.objects.filter(point__in=points).count() == len(rows)
