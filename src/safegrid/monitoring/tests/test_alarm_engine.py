"""The engine as the ingest's sink: a batch of readings → the right alarms, written through the workflow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safegrid.core.models import AuditEntry
from safegrid.hazards.models import ShutdownRecord
from safegrid.monitoring import counters
from safegrid.monitoring.alarm_engine import AlarmEngine
from safegrid.monitoring.choices import AlarmStatus, BypassStatus
from safegrid.monitoring.ingest import sinks
from safegrid.monitoring.models import Alarm, AlarmCount, AlarmTransition, LatestValue, PointBypass
from safegrid.notifications.models import Notification

from .alarm_helpers import T0, make_point, reading

pytestmark = pytest.mark.django_db


def engine() -> AlarmEngine:
    return AlarmEngine(refresh_s=3600)


def test_registered_as_sink():
    from safegrid.monitoring.alarm_engine import sink

    assert sink in sinks.registered()


def test_excursion_raises_one_alarm_and_repeats_extend(world):
    point = make_point(world.ent_a)
    result = engine().process(
        [reading(point, 0, 5.0), reading(point, 10, 8.2), reading(point, 20, 8.4), reading(point, 30, 8.1)]
    )
    assert result.raised == 1
    alarm = Alarm.objects.get()
    assert (alarm.rule, alarm.severity, alarm.status) == ("high", "H", AlarmStatus.ACTIVE_UNACK)
    assert alarm.first_value == 8.2 and alarm.limit_value == 8.0
    assert (alarm.repeat_count, alarm.last_value, alarm.peak_value) == (2, 8.1, 8.4)
    assert alarm.last_at == T0 + dt.timedelta(seconds=30)
    assert alarm.enterprise_id == world.ent_a.pk
    assert AlarmTransition.objects.filter(alarm=alarm, action="raise").count() == 1
    assert AuditEntry.objects.filter(object_type="monitoring.alarm", object_id=str(alarm.pk)).count() == 1
    told = Notification.objects.filter(kind="monitoring.alarm_raised")
    assert list(told.values_list("recipient__username", flat=True)) == ["ent_a"]


def test_h_escalates_to_hh_and_becomes_unacknowledged(world):
    point = make_point(world.ent_a)
    eng = engine()
    eng.process([reading(point, 0, 8.5)])
    alarm = Alarm.objects.get()
    from safegrid.monitoring.services.alarms import alarm_acknowledge

    alarm_acknowledge(actor=world.user("ent_a"), alarm=alarm)
    eng.process([reading(point, 10, 9.2), reading(point, 20, 8.6)])
    alarm.refresh_from_db()
    assert (alarm.severity, alarm.status, alarm.limit_value) == ("HH", AlarmStatus.ACTIVE_UNACK, 9.0)
    assert alarm.peak_value == 9.2 and Alarm.objects.count() == 1
    assert AlarmTransition.objects.filter(alarm=alarm, action="upgrade").count() == 1


def test_clears_only_past_the_deadband(world):
    point = make_point(world.ent_a)
    eng = engine()
    eng.process([reading(point, 0, 8.5), reading(point, 10, 7.6), reading(point, 20, 7.5)])
    assert Alarm.objects.get().status == AlarmStatus.ACTIVE_UNACK
    eng.process([reading(point, 30, 7.4)])
    alarm = Alarm.objects.get()
    assert alarm.status == AlarmStatus.CLEARED_UNACK
    assert alarm.cleared_value == 7.4 and alarm.cleared_at == T0 + dt.timedelta(seconds=30)
    # a new excursion after clearing is a new alarm
    eng.process([reading(point, 40, 8.0)])
    assert Alarm.objects.count() == 2


def test_low_side_and_rate(world):
    point = make_point(world.ent_a, rate_limit=1.0)
    engine().process([reading(point, 0, 5.0), reading(point, 60, 3.5), reading(point, 120, 1.9)])
    rows = sorted(Alarm.objects.values_list("rule", "severity"))
    assert rows == [("low", "L"), ("rate", "RATE")]


def test_rate_uses_latest_value_after_restart(world):
    point = make_point(world.ent_a, rate_limit=1.0)
    LatestValue.objects.create(point=point, ts=T0, value=5.0, received_at=timezone.now())
    engine().process([reading(point, 60, 7.0)])
    assert list(Alarm.objects.values_list("rule", flat=True)) == ["rate"]


def test_counters_follow_the_moves(world):
    point = make_point(world.ent_a)
    eng = engine()
    eng.process([reading(point, 0, 9.5)])
    count = AlarmCount.objects.get(pk=world.ent_a.pk)
    assert (count.open, count.unacknowledged, count.active, count.severe) == (1, 1, 1, 1)
    assert count.division_code == world.ent_a.division_id
    eng.process([reading(point, 10, 5.0)])
    count.refresh_from_db()
    assert (count.open, count.unacknowledged, count.active, count.severe) == (1, 1, 0, 1)
    assert counters.totals(world.town_a.code)["open"] == 1
    assert counters.totals(world.town_b.code)["open"] == 0
    before = {f: getattr(count, f) for f in counters.FIELDS}
    counters.recount()
    count.refresh_from_db()
    assert {f: getattr(count, f) for f in counters.FIELDS} == before


def test_paused_during_enterprise_shutdown(world):
    point = make_point(world.ent_a)
    ShutdownRecord.objects.create(
        enterprise=world.ent_a,
        start=timezone.now() - dt.timedelta(hours=1),
        reason="检修",
        recorded_at=timezone.now(),
    )
    engine().process([reading(point, 0, 9.5)])
    assert not Alarm.objects.exists()


def test_ended_shutdown_does_not_pause(world):
    point = make_point(world.ent_a)
    now = timezone.now()
    ShutdownRecord.objects.create(
        enterprise=world.ent_a,
        start=now - dt.timedelta(hours=3),
        end=now - dt.timedelta(hours=1),
        reason="检修",
        recorded_at=now,
    )
    engine().process([reading(point, 0, 9.5)])
    assert Alarm.objects.count() == 1


def _bypass(point, user, rule=""):
    now = timezone.now()
    return PointBypass.objects.create(
        point=point,
        enterprise=point.enterprise,
        rule=rule,
        reason="仪表校验",
        status=BypassStatus.APPROVED,
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
        requested_by=user,
        requested_at=now,
    )


def test_bypassed_point_raises_nothing(world):
    point = make_point(world.ent_a)
    _bypass(point, world.user("ent_a"))
    engine().process([reading(point, 0, 9.5), reading(point, 10, 0.5)])
    assert not Alarm.objects.exists()


def test_bypassed_rule_only_masks_that_rule(world):
    point = make_point(world.ent_a)
    _bypass(point, world.user("ent_a"), rule="high")
    engine().process([reading(point, 0, 9.5), reading(point, 10, 0.5)])
    assert list(Alarm.objects.values_list("rule", flat=True)) == ["low"]


def test_inactive_and_unknown_points_are_skipped(world):
    point = make_point(world.ent_a, active=False)
    result = engine().process([reading(point, 0, 9.5)])
    assert result.raised == 0 and not Alarm.objects.exists()


def test_a_failing_reading_does_not_stop_the_batch(world, monkeypatch):
    good = make_point(world.ent_a, code="P-GOOD")
    bad = make_point(world.ent_a, code="P-BAD")
    from safegrid.monitoring import alarm_engine

    real = alarm_engine.raise_alarm

    def flaky(point, event):
        if point.pk == bad.pk:
            raise RuntimeError("boom")
        return real(point, event)

    monkeypatch.setattr(alarm_engine, "raise_alarm", flaky)
    result = engine().process([reading(bad, 0, 9.5), reading(good, 0, 9.5)])
    assert result.errors == 1 and result.raised == 1
    assert list(Alarm.objects.values_list("point_id", flat=True)) == [good.pk]


def test_two_engines_one_alarm(world):
    """Two processes see readings of the same point: the second takes over the first's alarm."""
    point = make_point(world.ent_a)
    first, second = engine(), engine()
    second.process([reading(point, 0, 5.0)])  # loaded before the alarm exists
    first.process([reading(point, 10, 8.5)])
    second.process([reading(point, 20, 9.3)])  # its memory says no alarm: the insert is refused, it upgrades
    alarm = Alarm.objects.get()
    assert alarm.severity == "HH"
    first.process([reading(point, 30, 8.8)])  # knows an H alarm: the upgrade is already done, it extends
    alarm.refresh_from_db()
    assert alarm.severity == "HH" and Alarm.objects.count() == 1


def test_refresh_picks_up_limit_changes(world):
    point = make_point(world.ent_a)
    clock = [0.0]
    eng = AlarmEngine(refresh_s=60, clock=lambda: clock[0])
    eng.process([reading(point, 0, 8.5)])
    assert Alarm.objects.count() == 1
    type(point).objects.filter(pk=point.pk).update(h=8.6)
    clock[0] = 61.0
    eng.process([reading(point, 10, 7.0)])  # below H - deadband of the new limit: clears
    assert Alarm.objects.get().status == AlarmStatus.CLEARED_UNACK


def test_reading_posted_to_the_ingest_becomes_an_alarm(client, world):
    """End to end: POST /api/v1/monitoring/readings → the ingest hands the accepted reading to the engine →
    the alarm is committed with the request, before the readings' bulk write is awaited."""
    import json

    from safegrid.core import tokens
    from safegrid.core.testing import SYSTEM

    point = make_point(world.ent_a, code="E2E-LT-1")
    raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user("ent_a"), name="test")
    now_ms = int(timezone.now().timestamp() * 1000)
    body = {"readings": [{"point": "E2E-LT-1", "ts": now_ms, "value": 9.4}]}
    response = client.post(
        "/api/v1/monitoring/readings",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200, response.content
    alarm = Alarm.objects.get(point=point)
    assert (alarm.severity, alarm.first_value) == ("HH", 9.4)


def test_alarm_cleared_elsewhere_is_noticed_at_the_next_repeat(world):
    from safegrid.monitoring.alarm_engine import clear_alarm

    point = make_point(world.ent_a)
    eng = engine()
    eng.process([reading(point, 0, 8.5)])
    first = Alarm.objects.get()
    clear_alarm(first, at=first.first_at, value=8.5, comment="另一进程")  # e.g. a bypass approved meanwhile
    eng.process([reading(point, 10, 8.6)])  # a repeat of an alarm that is no longer active: state re-read
    eng.process([reading(point, 20, 8.7)])
    assert Alarm.objects.filter(status="active_unack").exclude(pk=first.pk).count() == 1


def test_deferred_repeats_are_written_at_the_flush_and_before_a_clear(world):
    point = make_point(world.ent_a)  # H 8.0, HH 9.0
    eng = engine()
    for n, value in enumerate([8.2, 8.4, 8.1, 8.3]):  # one message each, as the ingest delivers them
        eng.process([reading(point, 10 * n, value)], defer_repeats=True)
    alarm = Alarm.objects.get()
    assert alarm.repeat_count == 0  # raised at once; its three repeats wait for the batch write
    assert eng.flush_repeats() == 3
    alarm.refresh_from_db()
    assert (alarm.repeat_count, alarm.last_value, alarm.peak_value) == (3, 8.3, 8.4)
    assert eng.flush_repeats() == 0  # nothing left

    eng.process([reading(point, 40, 8.6)], defer_repeats=True)
    eng.process([reading(point, 50, 5.0)], defer_repeats=True)  # back in band: cleared
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED_UNACK
    assert (alarm.repeat_count, alarm.peak_value) == (4, 8.6)  # the repeat before the clear counted


def test_deferred_repeats_wait_while_the_database_is_away(world, monkeypatch):
    from django.db import OperationalError

    from safegrid.monitoring import alarm_engine

    point = make_point(world.ent_a)
    eng = engine()
    eng.process([reading(point, 0, 8.2), reading(point, 10, 8.3)], defer_repeats=True)
    real = alarm_engine.extend_alarms

    def away(repeats):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(alarm_engine, "extend_alarms", away)
    assert eng.flush_repeats() == 0
    eng.process([reading(point, 20, 8.5)], defer_repeats=True)
    monkeypatch.setattr(alarm_engine, "extend_alarms", real)
    assert eng.flush_repeats() == 2
    alarm = Alarm.objects.get()
    assert (alarm.repeat_count, alarm.peak_value) == (2, 8.5)


def test_the_ingest_flushes_the_repeats_with_each_batch(world, tmp_path, monkeypatch):
    from safegrid.monitoring import alarm_engine
    from safegrid.monitoring.ingest.pipeline import Pipeline

    from .ingest_helpers import ms, payload

    monkeypatch.setattr(alarm_engine, "_engine", engine())
    point = make_point(world.ent_a, code="LT-9")
    pipeline = Pipeline(spill_dir=tmp_path / "spill")
    start = timezone.now() - dt.timedelta(minutes=1)
    for n, value in enumerate([8.2, 8.4, 8.3]):
        when = ms(start + dt.timedelta(seconds=n))
        pipeline.submit("t", world.ent_a.uscc, payload((point.code, when, value)))
    assert Alarm.objects.get().repeat_count == 0
    assert pipeline.flush()
    assert Alarm.objects.get().repeat_count == 2


@pytest.mark.parametrize("chunk", [1000, 2])
def test_repeats_of_many_alarms_are_one_statement_high_low_and_stale(world, monkeypatch, chunk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safegrid.monitoring import alarm_engine
    from safegrid.monitoring.alarm_engine import clear_alarm

    monkeypatch.setattr(alarm_engine, "EXTEND_CHUNK", chunk)
    high = [make_point(world.ent_a, code=f"H-{n}") for n in range(3)]
    low = make_point(world.ent_a, code="L-1")  # LL 1.0, L 2.0
    eng = engine()
    eng.process([reading(p, 0, 8.5) for p in high] + [reading(low, 0, 1.5)])
    gone = Alarm.objects.get(point=high[2])
    clear_alarm(gone, at=gone.first_at, value=8.5, comment="另一进程")
    repeats = [reading(p, 10, 8.9) for p in high] + [reading(p, 20, 8.6) for p in high]
    repeats += [reading(low, 10, 1.2), reading(low, 20, 1.8)]
    with CaptureQueriesContext(connection) as queries:
        eng.process(repeats, defer_repeats=True)
        assert eng.flush_repeats() == 6  # two repeats each of the three still active
    updates = [q for q in queries.captured_queries if "UPDATE" in q["sql"].upper()]
    assert len(updates) == (1 if chunk == 1000 else 2)
    for p in high[:2]:
        alarm = Alarm.objects.get(point=p, status=AlarmStatus.ACTIVE_UNACK)
        assert (alarm.repeat_count, alarm.last_value, alarm.peak_value) == (2, 8.6, 8.9)
        assert alarm.last_at == T0 + dt.timedelta(seconds=20)
    alarm = Alarm.objects.get(point=low)
    assert (alarm.repeat_count, alarm.last_value, alarm.peak_value) == (
        2,
        1.8,
        1.2,
    )  # the low peak is the lowest
    gone.refresh_from_db()
    assert gone.repeat_count == 0  # cleared elsewhere: not extended


def test_repeats_in_the_same_batch_as_the_clear_are_counted(world):
    point = make_point(world.ent_a)
    engine().process(
        [reading(point, 0, 8.2), reading(point, 10, 8.7), reading(point, 20, 8.4), reading(point, 30, 5.0)]
    )
    alarm = Alarm.objects.get()
    assert alarm.status == AlarmStatus.CLEARED_UNACK
    assert (alarm.repeat_count, alarm.peak_value, alarm.last_value) == (2, 8.7, 8.4)


def test_preloaded_points_cost_no_query_at_their_first_reading(world, django_assert_num_queries):
    points = [make_point(world.ent_a, code=f"PRE-{n}") for n in range(3)]
    eng = engine()
    assert eng.preload([p.pk for p in points], chunk=2) == 3
    with django_assert_num_queries(0):
        eng.process([reading(p, 0, 5.0) for p in points])  # in band: nothing to write either


def test_preloaded_points_come_due_one_after_another(world, django_assert_num_queries):
    """Loaded at one moment, all the points would come due at one moment a minute later: a wave of reloads
    that stalls every reading behind it. The preload spreads their reloads over the refresh time, and a point
    that came due is reloaded at the next message, whichever points that message holds."""
    points = sorted((make_point(world.ent_a, code=f"DUE-{n}") for n in range(4)), key=lambda p: p.pk)
    clock = [100.0]
    eng = AlarmEngine(refresh_s=60, clock=lambda: clock[0])
    eng.preload([p.pk for p in points])
    clock[0] = 114.0  # none due yet: a message of known points costs no query
    with django_assert_num_queries(0):
        eng.process([reading(p, 0, 5.0) for p in points])
    clock[0] = 116.0  # 16 s on: the last point counts as loaded 45 s before the first, so it is due
    with CaptureQueriesContext(connection) as reload:
        eng.process([reading(points[0], 10, 5.0)])
    assert any("monitoring_monitoringpoint" in q["sql"] for q in reload.captured_queries)
    with django_assert_num_queries(0):  # reloaded with it: every point past half its time (all but the first)
        eng.process([reading(p, 20, 5.0) for p in points])


def test_a_reload_keeps_the_previous_reading_newer_than_the_latest_value(world):
    """LatestValue is written about once a second: a reload must not forget a newer reading the process holds,
    or the next rate of change would be measured from an older value (or, as here, from none)."""
    point = make_point(world.ent_a, rate_limit=100.0)
    clock = [0.0]
    eng = AlarmEngine(refresh_s=60, clock=lambda: clock[0])
    eng.process([reading(point, 0, 5.0)])  # no LatestValue row: only this process knows it
    clock[0] = 61.0  # due: reloaded at the next reading
    eng.process([reading(point, 1, 7.0)])  # 2.0 in one second: 120 a minute, over the limit of 100
    assert Alarm.objects.get(point=point).rule == "rate"
