"""Two ingest processes writing the same readings at once (a redelivery after a process died went to the
other one, a gateway resent a message and the shared subscription split the copies): both batches commit, no
deadlock, each reading stored once."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.monitoring.ingest import writer
from safegrid.monitoring.ingest.sinks import AcceptedReading
from safegrid.monitoring.models import Reading

from .ingest_helpers import make_point
from .race import race

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


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
    forward, backward = writer.Batch(readings=list(rows)), writer.Batch(readings=rows[::-1])
    race(lambda: writer.write(forward), lambda: writer.write(backward))
    assert Reading.objects.filter(point__in=points).count() == len(rows)
