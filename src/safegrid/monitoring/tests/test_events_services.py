"""Events become alarms of the one alarm model (services/events.py): duplicates once, refusals as dead
letters, presence across events, the minute tick, and the alarm lifecycle of an event alarm."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safegrid.core.models import AuditEntry
from safegrid.monitoring.choices import AlarmStatus, DisposalCause
from safegrid.monitoring.models import (
    Alarm,
    AlarmCount,
    DeadLetter,
    EventSource,
    SourceEvent,
    ZonePresence,
)
from safegrid.monitoring.rules.ingest import epoch_ms
from safegrid.monitoring.services import alarms as alarm_services
from safegrid.monitoring.services import events as services

from .events_helpers import events, make_source

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def ms(seconds: float = 0) -> int:
    return epoch_ms(NOW + dt.timedelta(seconds=seconds))


def send(world, *items, enterprise=None):
    ent = enterprise or world.ent_a
    return services.events_accept(uscc=ent.uscc, payload=events(*items), topic=f"safegrid/events/{ent.uscc}")


def test_video_offline_alarm_extends_then_clears(world):
    cam = make_source(world.ent_a, "CAM-01", kind="video")
    out = send(
        world,
        {"source": "CAM-01", "ts": ms(0), "type": "video_offline"},
        {"source": "CAM-01", "ts": ms(1), "type": "video_offline"},
    )
    assert (out.accepted, out.duplicates, out.rejected) == (2, 0, [])
    alarm = Alarm.objects.get(point=cam)
    assert (alarm.rule, alarm.severity, alarm.repeat_count, alarm.status) == (
        "video_off",
        "OFFLINE",
        1,
        AlarmStatus.ACTIVE_UNACK,
    )
    assert alarm.get_rule_display() == "视频通道离线"
    send(world, {"source": "CAM-01", "ts": ms(2), "type": "video_online"})
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED_UNACK and alarm.cleared_at is not None


def test_duplicates_are_handled_once(world):
    make_source(world.ent_a, "ZONE-1", rated_headcount=10)
    item = {"source": "ZONE-1", "ts": ms(0), "type": "headcount", "value": 12}
    first = send(world, item)
    again = send(world, item, item)
    assert (first.accepted, again.accepted, again.duplicates) == (1, 0, 2)
    assert SourceEvent.objects.count() == 1
    assert Alarm.objects.get().repeat_count == 0


def test_bad_events_are_dead_letters_with_their_reason(world):
    make_source(world.ent_a, "ZONE-1", rated_headcount=10)
    make_source(world.ent_b, "ZONE-B", rated_headcount=10)
    make_source(world.ent_a, "CAM-01", kind="video")
    out = send(
        world,
        {"source": "NOPE", "ts": ms(), "type": "headcount", "value": 1},
        {"source": "ZONE-B", "ts": ms(), "type": "headcount", "value": 1},
        {"source": "ZONE-1", "ts": ms(), "type": "explode"},
        {"source": "CAM-01", "ts": ms(), "type": "headcount", "value": 1},
        {"source": "ZONE-1", "ts": "2026-01-01 08:00", "type": "headcount", "value": 1},
        {"source": "ZONE-1", "ts": ms(), "type": "enter"},
        {"source": "ZONE-1", "ts": ms(), "type": "headcount", "value": 3},
    )
    reasons = [r.reason for r in out.rejected]
    assert reasons == [
        "unknown_point",
        "other_enterprise",
        "unknown_event",
        "unknown_event",
        "bad_timestamp",
        "schema",
    ]
    assert out.accepted == 1
    stored = list(DeadLetter.objects.order_by("id").values_list("reason", "enterprise_id"))
    assert stored == [(r, world.ent_a.pk) for r in reasons]
    assert services.events_accept(uscc="X" * 18, payload=b"{}", topic="t").rejected[0].reason == "schema"
    assert services.events_accept(uscc="X" * 18, payload=b"nope", topic="t").rejected[0].reason == "malformed"
    unknown = services.events_accept(uscc="X" * 18, payload=events(), topic="t")
    assert unknown.rejected[0].reason == "unknown_enterprise"


def test_overstay_by_tick_and_cleared_when_the_person_leaves(world):
    zone = make_source(world.ent_a, "ZONE-1", max_stay_minutes=10)
    send(world, {"source": "ZONE-1", "ts": ms(-700), "type": "enter", "person": "tag-7"})
    assert ZonePresence.objects.get().person == "tag-7"
    assert not Alarm.objects.exists()  # entered 700 s ago but nothing ran at a later time yet
    assert services.events_tick(now=NOW) == 1
    alarm = Alarm.objects.get(point=zone)
    assert (alarm.rule, alarm.severity, alarm.limit_value) == ("overstay", "H", 600.0)
    assert services.events_tick(now=NOW + dt.timedelta(minutes=1)) == 0  # still due: nothing new
    send(world, {"source": "ZONE-1", "ts": ms(1), "type": "leave", "person": "tag-7"})
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED_UNACK
    assert not ZonePresence.objects.exists()


def test_motionless_alarm_is_severe_and_goes_through_the_alarm_lifecycle(world):
    make_source(world.ent_a, "ZONE-1", motionless_seconds=60)
    out = send(world, {"source": "ZONE-1", "ts": ms(0), "type": "motionless", "value": 75, "person": "tag-3"})
    alarm = Alarm.objects.select_related("point", "enterprise").get(pk=out.alarm_ids[0])
    assert (alarm.rule, alarm.severity) == ("motionless", "HH")
    count = AlarmCount.objects.get(pk=world.ent_a.pk)
    assert (count.open, count.severe, count.unacknowledged) == (1, 1, 1)
    manager = world.user("ent_a")
    alarm = alarm_services.alarm_acknowledge(actor=manager, alarm=alarm, comment="已派人查看")
    assert alarm.status == AlarmStatus.ACTIVE_ACK
    send(world, {"source": "ZONE-1", "ts": ms(5), "type": "moving", "person": "tag-3"})
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED_ACK
    alarm_services.alarm_dispose(actor=manager, alarm=alarm, cause=DisposalCause.REAL, note="人员已恢复活动")
    closed = alarm_services.alarm_close(actor=manager, alarm=alarm)
    assert closed.status == AlarmStatus.CLOSED
    assert list(closed.transitions.values_list("action", flat=True)) == [
        "raise",
        "acknowledge",
        "clear",
        "dispose",
        "close",
    ]
    assert AlarmCount.objects.get(pk=world.ent_a.pk).open == 0


def test_overcrowd_escalates_to_hh(world):
    make_source(world.ent_a, "ZONE-1", rated_headcount=10)
    send(
        world,
        {"source": "ZONE-1", "ts": ms(0), "type": "headcount", "value": 11},
        {"source": "ZONE-1", "ts": ms(1), "type": "headcount", "value": 14},
    )
    alarm = Alarm.objects.get()
    assert (alarm.severity, alarm.status) == ("HH", AlarmStatus.ACTIVE_UNACK)


def test_event_source_create_audited_and_refusals_name_the_field(world):
    manager = world.user("ent_a")
    source = services.event_source_create(
        actor=manager,
        enterprise=world.ent_a,
        data={
            "kind": "zone",
            "code": "ZONE-9",
            "name": "罐区A",
            "rated_headcount": 8,
            "max_stay_minutes": 30,
        },
    )
    assert (source.point.kind, source.rated_headcount, source.max_stay_minutes) == ("zone", 8, 30)
    assert AuditEntry.objects.filter(object_type="monitoring.eventsource", action="create").exists()
    with pytest.raises(ValidationError) as empty:
        services.event_source_create(
            actor=manager, enterprise=world.ent_a, data={"kind": "zone", "code": "ZONE-8", "name": "空"}
        )
    assert "rated_headcount" in empty.value.message_dict
    with pytest.raises(ValidationError) as kind:
        services.event_source_create(
            actor=manager, enterprise=world.ent_a, data={"kind": "level", "code": "X", "name": "x"}
        )
    assert "kind" in kind.value.message_dict
    assert EventSource.objects.count() == 1


def test_event_alarm_text_names_the_rule_and_its_numbers(world):
    from safegrid.monitoring.workflows import alarm_text

    make_source(world.ent_a, "ZONE-1", rated_headcount=6, max_stay_minutes=10)
    send(
        world,
        {"source": "ZONE-1", "ts": ms(-900), "type": "enter", "person": "tag-1"},
        {"source": "ZONE-1", "ts": ms(0), "type": "headcount", "value": 8},
    )
    texts = sorted(alarm_text(a) for a in Alarm.objects.select_related("point", "enterprise"))
    assert [t.split("ZONE-1 事件源 ZONE-1 ")[1] for t in texts] == [
        "超员（人数 8，额定人数 6）",
        "超时滞留（已滞留 15 分钟，允许 10 分钟）",
    ]


def test_events_older_than_their_own_retention_are_refused(world, settings):
    settings.SAFEGRID_READINGS_RETENTION_DAYS = 365
    settings.SAFEGRID_EVENTS_RETENTION_DAYS = 30
    make_source(world.ent_a, "ZONE-1", rated_headcount=10)
    out = send(
        world,
        {"source": "ZONE-1", "ts": ms(-40 * 86400), "type": "headcount", "value": 3},
        {"source": "ZONE-1", "ts": ms(-20 * 86400), "type": "headcount", "value": 3},
    )
    assert [r.reason for r in out.rejected] == ["too_old"] and out.accepted == 1


def test_changed_zone_numbers_raise_and_clear_its_alarms_at_once(world):
    zone = make_source(world.ent_a, "ZONE-1", rated_headcount=10, max_stay_minutes=30)
    source = zone.event_source
    manager = world.user("ent_a")
    send(
        world,
        {"source": "ZONE-1", "ts": ms(-1200), "type": "enter", "person": "tag-7"},
        {"source": "ZONE-1", "ts": ms(-5), "type": "headcount", "value": 12},
    )
    overcrowd = Alarm.objects.get(point=zone, rule="overcrowd")
    assert overcrowd.severity == "H" and not Alarm.objects.filter(rule="overstay").exists()

    # the rated headcount raised to 15 and the allowed stay cut to 10 minutes (the person has been in 20)
    services.event_source_update(
        actor=manager, source=source, data={"rated_headcount": 15, "max_stay_minutes": 10}
    )
    overcrowd.refresh_from_db()
    assert overcrowd.status == AlarmStatus.CLEARED_UNACK
    overstay = Alarm.objects.get(point=zone, rule="overstay")
    assert (overstay.severity, overstay.status, overstay.limit_value) == (
        "H",
        AlarmStatus.ACTIVE_UNACK,
        600.0,
    )
    assert AlarmCount.objects.get(pk=world.ent_a.pk).open == 2  # a cleared alarm stays open until closed

    # lowered again under the last count: raised again from the last headcount, without a new report
    source.refresh_from_db()
    services.event_source_update(actor=manager, source=source, data={"rated_headcount": 8})
    again = Alarm.objects.filter(point=zone, rule="overcrowd", status=AlarmStatus.ACTIVE_UNACK).get()
    assert (again.severity, again.limit_value) == ("HH", 8.0)  # 12 is more than 20 % over 8
