"""Two engines (two ingest processes) raising the same alarm at the same moment, on PostgreSQL: the partial
unique index keeps one active alarm per (point, rule), the loser takes the winner's alarm over."""

from __future__ import annotations

import pytest
from django.db import connection

from safegrid.monitoring.alarm_engine import AlarmEngine
from safegrid.monitoring.models import Alarm, AlarmCount, AlarmTransition

from .alarm_helpers import make_point, reading
from .race import race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("values", [(8.5, 8.6), (8.5, 9.5), (9.5, 8.5)])
def test_two_engines_raise_one_alarm(world, values):
    point = make_point(world.ent_a)
    first, second = AlarmEngine(), AlarmEngine()
    first.process([reading(point, 0, 5.0)])
    second.process([reading(point, 0, 5.0)])  # both know the point, neither an alarm
    race(
        lambda: first.process([reading(point, 10, values[0])]),
        lambda: second.process([reading(point, 11, values[1])]),
    )
    alarm = Alarm.objects.get()
    assert alarm.severity == ("HH" if max(values) >= 9.0 else "H")
    assert alarm.repeat_count == 1
    assert AlarmTransition.objects.filter(alarm=alarm, action="raise").count() == 1
    count = AlarmCount.objects.get(pk=world.ent_a.pk)
    assert (count.open, count.active, count.severe) == (1, 1, int(alarm.severity == "HH"))


def test_two_engines_clear_once(world):
    point = make_point(world.ent_a)
    first, second = AlarmEngine(), AlarmEngine()
    first.process([reading(point, 0, 8.5)])
    second.process([reading(point, 1, 8.6)])
    race(
        lambda: first.process([reading(point, 10, 5.0)]),
        lambda: second.process([reading(point, 11, 5.1)]),
    )
    alarm = Alarm.objects.get()
    assert alarm.status == "cleared_unack"
    assert AlarmTransition.objects.filter(alarm=alarm, action="clear").count() == 1
    assert AlarmCount.objects.get(pk=world.ent_a.pk).active == 0
