"""The event-source pages (/monitoring/event-sources/…): the scoped list with its people and open alarms in a
constant number of queries, filters and export, the detail (people, events, alarms, why paused), the new and
edit forms through the service (permission, Chinese refusals, audit), the menu entry; the event alarms' limits
with their units on the alarm pages and the wall."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safegrid.core.models import AuditEntry
from safegrid.monitoring.models import Alarm, EventSource, MonitoringPoint, ZonePresence
from safegrid.monitoring.rules.ingest import epoch_ms
from safegrid.monitoring.services import events as services

from .events_helpers import events, make_source

pytestmark = pytest.mark.django_db


def _send(world, *items):
    return services.events_accept(uscc=world.ent_a.uscc, payload=events(*items), topic="test")


@pytest.fixture
def sources(world):
    """Enterprise A: a zone with two people and an overcrowd alarm, a video channel offline; B: a zone."""
    zone = make_source(world.ent_a, "ZONE-1", rated_headcount=10, max_stay_minutes=30, motionless_seconds=60)
    cam = make_source(world.ent_a, "CAM-01", kind="video")
    other = make_source(world.ent_b, "B-ZONE-9", rated_headcount=4)
    now = epoch_ms(timezone.now() - dt.timedelta(seconds=5))
    _send(
        world,
        {"source": "ZONE-1", "ts": now, "type": "enter", "person": "TAG-1"},
        {"source": "ZONE-1", "ts": now, "type": "enter", "person": "TAG-2"},
        {"source": "ZONE-1", "ts": now + 1, "type": "headcount", "value": 12},
        {"source": "CAM-01", "ts": now, "type": "video_offline"},
    )
    return {"zone": zone, "cam": cam, "other": other}


# ---- the list ----------------------------------------------------------------------------------------------


def test_list_shows_limits_people_and_open_alarms_in_scope(login, world, sources):
    page = login(world.user("ent_a")).get("/monitoring/event-sources/")
    assert page.status_code == 200
    rows = {r["object"].point.code: r["object"] for r in page.context["rows"]}
    assert set(rows) == {"ZONE-1", "CAM-01"}  # not B's
    assert (rows["ZONE-1"].headcount, rows["ZONE-1"].open_alarms) == (2, 1)
    assert (rows["CAM-01"].headcount, rows["CAM-01"].open_alarms) == (0, 1)
    html = page.content.decode()
    assert "人员定位区域" in html and "视频通道" in html and "额定人数（人）" in html
    assert "B-ZONE-9" not in html
    assert page.context["create_url"] == "/monitoring/event-sources/new/"
    county = login(world.user("county_admin")).get("/monitoring/event-sources/")
    assert {r["object"].point.code for r in county.context["rows"]} == {"ZONE-1", "CAM-01", "B-ZONE-9"}


def test_list_filters_and_export(login, world, sources):
    client = login(world.user("county_admin"))
    zones = client.get("/monitoring/event-sources/?kind=zone")
    assert {r["object"].point.code for r in zones.context["rows"]} == {"ZONE-1", "B-ZONE-9"}
    of_b = client.get(f"/monitoring/event-sources/?enterprise={world.ent_b.pk}")
    assert [r["object"].point.code for r in of_b.context["rows"]] == ["B-ZONE-9"]
    csv = client.get(f"/monitoring/event-sources/?enterprise={world.ent_a.pk}&export=csv")
    text = b"".join(csv.streaming_content if csv.streaming else [csv.content]).decode("utf-8-sig")
    assert csv.status_code == 200 and "区域内人数" in text and "ZONE-1" in text and "B-ZONE-9" not in text


def test_list_queries_do_not_grow_with_sources(login, world, sources):
    client = login(world.user("county_admin"))
    client.get("/monitoring/event-sources/?sort=code")  # the remembered filters written, caches filled
    with CaptureQueriesContext(connection) as few:
        assert client.get("/monitoring/event-sources/?sort=code").status_code == 200
    for n in range(12):
        point = make_source(world.ent_a, f"ZONE-X{n}", rated_headcount=5)
        ZonePresence.objects.create(
            source_id=point.pk, enterprise=world.ent_a, person=f"T{n}", entered_at=timezone.now()
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get("/monitoring/event-sources/?sort=code")
    assert len(page.context["rows"]) == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_list_and_menu_for_whom(login, world, sources):
    assert login(world.user("outsider")).get("/monitoring/event-sources/").context["rows"] == []
    menu = login(world.user("ent_a")).get("/").content.decode()
    assert "/monitoring/event-sources/" in menu and "视频与人员定位" in menu
    assert "/monitoring/event-sources/" not in login(world.user("outsider")).get("/").content.decode()
    town = login(world.user("town_a")).get("/monitoring/event-sources/")
    assert town.status_code == 200 and town.context["create_url"] is None


# ---- the detail ----------------------------------------------------------------------------------------------


def test_detail_people_events_and_alarm_links(login, world, sources):
    zone = sources["zone"]
    page = login(world.user("town_a")).get(f"/monitoring/event-sources/{zone.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    alarm = Alarm.objects.get(point=zone)
    assert f"/monitoring/alarms/{alarm.pk}/" in html and "超员" in html
    assert "TAG-1" in html and "TAG-2" in html and "30 分钟" in html and "60 秒" in html and "10 人" in html
    assert [item["event"].type for item in page.context["events"]][0] == "headcount"  # newest first
    assert len(page.context["events"]) == 3 and not page.context["can_edit"]
    cam = login(world.user("ent_a")).get(f"/monitoring/event-sources/{sources['cam'].pk}/")
    assert cam.status_code == 200 and "视频通道离线" in cam.content.decode() and cam.context["can_edit"]


def test_detail_out_of_scope_is_404(login, world, sources):
    other = sources["other"]
    assert login(world.user("ent_a")).get(f"/monitoring/event-sources/{other.pk}/").status_code == 404
    assert login(world.user("town_a")).get(f"/monitoring/event-sources/{other.pk}/edit/").status_code == 404
    assert login(world.user("ent_a")).get("/monitoring/event-sources/99999999/").status_code == 404


# ---- new and edit ---------------------------------------------------------------------------------------


def test_new_zone_through_the_form(login, world):
    client = login(world.user("ent_a"))
    assert client.get("/monitoring/event-sources/new/").status_code == 200  # one enterprise: its form
    answer = client.post(
        "/monitoring/event-sources/new/",
        {
            "kind": "zone",
            "code": "ZONE-T101",
            "name": "T101 罐区",
            "rated_headcount": "6",
            "motionless_seconds": "90",
        },
    )
    source = EventSource.objects.get(point__code="ZONE-T101")
    assert answer.status_code == 302 and answer["Location"] == f"/monitoring/event-sources/{source.pk}/"
    assert (source.rated_headcount, source.max_stay_minutes, source.motionless_seconds) == (6, None, 90)
    assert source.enterprise_id == world.ent_a.pk
    assert AuditEntry.objects.filter(object_type="monitoring.eventsource", action="create").exists()


def test_new_refusals_in_chinese(login, world):
    client = login(world.user("ent_a"))
    video = client.post(
        "/monitoring/event-sources/new/",
        {"kind": "video", "code": "CAM-9", "name": "摄像头", "rated_headcount": "3"},
    )
    assert video.status_code == 422 and "视频通道没有人数和滞留设置" in video.content.decode()
    empty = client.post("/monitoring/event-sources/new/", {"kind": "zone", "code": "Z-9", "name": "空区"})
    assert empty.status_code == 422 and "至少要填写额定人数" in empty.content.decode()
    make_source(world.ent_a, "Z-1", rated_headcount=2)
    taken = client.post(
        "/monitoring/event-sources/new/",
        {"kind": "zone", "code": "Z-1", "name": "重", "rated_headcount": "2"},
    )
    assert taken.status_code == 422 and "本企业已有编码为“Z-1”的监测点位" in taken.content.decode()
    assert not MonitoringPoint.objects.filter(code__in=["CAM-9", "Z-9"]).exists()


def test_new_and_edit_refused_without_the_permission(login, world, sources):
    zone = sources["zone"]
    client = login(world.user("town_a"))  # a regulator reads, does not keep an enterprise's sources
    assert client.get("/monitoring/event-sources/new/").status_code == 403
    assert client.get(f"/monitoring/event-sources/{zone.pk}/edit/").status_code == 403
    assert (
        client.post(f"/monitoring/event-sources/{zone.pk}/edit/", {"code": "X", "name": "x"}).status_code
        == 403
    )
    assert login(world.user("post_a")).get("/monitoring/event-sources/new/").status_code == 403
    assert (
        login(world.user("ent_a"))
        .get(f"/monitoring/event-sources/new/?enterprise={world.ent_b.pk}")
        .status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        services.event_source_update(
            actor=world.user("ent_b"), source=EventSource.objects.get(pk=zone.pk), data={"rated_headcount": 3}
        )


def test_edit_zone_limits_audited(login, world, sources):
    zone = sources["zone"]
    client = login(world.user("ent_a"))
    form = client.get(f"/monitoring/event-sources/{zone.pk}/edit/")
    assert form.status_code == 200 and form.context["form"].initial["rated_headcount"] == 10
    answer = client.post(
        f"/monitoring/event-sources/{zone.pk}/edit/",
        {"kind": "video", "code": "ZONE-1", "name": "新名称", "rated_headcount": "8", "max_stay_minutes": ""},
    )
    assert answer.status_code == 302
    source = EventSource.objects.select_related("point").get(pk=zone.pk)
    # the kind field is disabled: a posted kind is ignored, the kind stays
    assert (source.point.kind, source.point.name, source.rated_headcount, source.max_stay_minutes) == (
        "zone",
        "新名称",
        8,
        None,
    )
    entry = AuditEntry.objects.filter(object_type="monitoring.eventsource", action="update").latest("pk")
    assert entry.after["rated_headcount"] == 8 and entry.before["rated_headcount"] == 10


def test_update_service_refusals(world, sources):
    manager = world.user("ent_a")
    zone = EventSource.objects.get(pk=sources["zone"].pk)
    cam = EventSource.objects.get(pk=sources["cam"].pk)
    cases = [
        (zone, {"kind": "video"}, "kind", "事件源类型不能修改"),
        (
            zone,
            {"rated_headcount": None, "max_stay_minutes": None, "motionless_seconds": None},
            "rated_headcount",
            "至少要填写",
        ),
        (zone, {"rated_headcount": 0}, "rated_headcount", "请填写正整数"),
        (cam, {"rated_headcount": 5}, "rated_headcount", "视频通道没有人数和滞留设置"),
        (zone, {"ll": 1.0}, "ll", "不能修改此字段"),
        (zone, {"code": "CAM-01"}, "code", "本企业已有编码"),
    ]
    for source, data, field, message in cases:
        with pytest.raises(ValidationError) as refused:
            services.event_source_update(actor=manager, source=source, data=data)
        assert message in " ".join(refused.value.message_dict[field]), (data, refused.value.message_dict)
    zone.refresh_from_db()
    assert zone.rated_headcount == 10 and zone.point.code == "ZONE-1"


# ---- units of event alarms -----------------------------------------------------------------------------------


def test_event_alarm_limits_show_their_units(login, world):
    zone = make_source(world.ent_a, "ZONE-2", rated_headcount=6, max_stay_minutes=10, motionless_seconds=60)
    _send(
        world,
        {
            "source": "ZONE-2",
            "ts": epoch_ms(timezone.now() - dt.timedelta(minutes=15)),
            "type": "enter",
            "person": "T1",
        },
        {
            "source": "ZONE-2",
            "ts": epoch_ms(timezone.now() - dt.timedelta(seconds=5)),
            "type": "headcount",
            "value": 8,
        },
        {
            "source": "ZONE-2",
            "ts": epoch_ms(timezone.now() - dt.timedelta(seconds=4)),
            "type": "motionless",
            "value": 90,
            "person": "T1",
        },
    )
    alarms = {a.rule: a for a in Alarm.objects.filter(point=zone).select_related("point")}
    assert {rule: a.limit_text for rule, a in alarms.items()} == {
        "overcrowd": "6 人",
        "overstay": "10 分钟",
        "motionless": "60 秒",
    }
    assert alarms["overcrowd"].last_value_text == "8 人"
    client = login(world.user("ent_a"))
    for rule, limit in (("overcrowd", "6 人"), ("overstay", "10 分钟"), ("motionless", "60 秒")):
        html = client.get(f"/monitoring/alarms/{alarms[rule].pk}/").content.decode()
        assert f'<span data-testid="alarm-limit">{limit}</span>' in html
    listing = client.get("/monitoring/alarms/").content.decode()
    assert "6 人" in listing and "10 分钟" in listing and "60 秒" in listing
    wall = client.get(f"/monitoring/wall/enterprises/{world.ent_a.pk}/").content.decode()
    assert '<span data-testid="wall-alarm-limit">10 分钟</span>' in wall
    assert "额定人数 6 人 · 最长滞留时间 10 分钟 · 静止报警阈值 60 秒" in wall  # the zone's card


def test_limit_alarm_keeps_its_measure_unit(world):
    from .alarm_helpers import make_point

    point = make_point(world.ent_a, "LT-1")
    alarm = Alarm(point=point, rule="high", severity="HH", limit_value=9.0, last_value=None)
    assert (alarm.limit_text, alarm.last_value_text) == ("9 m", "—")
    video = Alarm(point=point, rule="video_off", severity="OFFLINE", limit_value=None)
    assert video.limit_text == "—"


def test_rate_alarm_numbers_are_per_minute(world):
    from django.utils import translation

    from .alarm_helpers import make_point

    point = make_point(world.ent_a, "LT-2")
    alarm = Alarm(point=point, rule="rate", severity="RATE", limit_value=0.5, last_value=1.25)
    assert (alarm.limit_text, alarm.last_value_text) == ("0.5 m/分钟", "1.25 m/分钟")
    with translation.override("en"):
        assert alarm.limit_text == "0.5 m/min"
