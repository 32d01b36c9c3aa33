"""The monitoring wall: county and enterprise walls (scoping, counts, point states, live partials) and the
trend page with its JSON."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safegrid.majorhazards.models import HazardUnit
from safegrid.monitoring.alarm_engine import AlarmEngine
from safegrid.monitoring.models import Alarm, LatestValue, PointBypass, Reading, ReadingRollup
from safegrid.monitoring.rules.ingest import epoch_ms
from safegrid.monitoring.selectors import wall as sel
from safegrid.monitoring.services import alarms as alarm_services

from .alarm_helpers import make_point, reading

pytestmark = pytest.mark.django_db


def _latest(point, value, *, age_s: float = 5.0):
    now = timezone.now()
    at = now - dt.timedelta(seconds=age_s)
    LatestValue.objects.update_or_create(point=point, defaults={"ts": at, "value": value, "received_at": at})


@pytest.fixture
def plant(world):
    """Enterprise A: a tank level in HH (alarm), a temperature normal, a gas detector offline, a pressure
    bypassed, in a major hazard unit and outside; enterprise B: one point in H (alarm)."""
    unit = HazardUnit.objects.create(
        enterprise=world.ent_a, code="TK-A01", name="甲醇储罐区", kind="tank_farm", is_major=True, grade=2
    )
    level = make_point(world.ent_a, code="A-LT-1", name="甲罐液位", unit=unit)
    temp = make_point(world.ent_a, code="A-TT-1", name="甲罐温度", unit=unit, kind="temperature", h=40, hh=50)
    gas = make_point(world.ent_a, code="A-GT-1", name="甲可燃气体", kind="gas_combustible", ll=None, l=None)
    pressure = make_point(world.ent_a, code="A-PT-1", name="甲压力", kind="pressure")
    other = make_point(world.ent_b, code="B-LT-1", name="乙罐液位")
    now = timezone.now()
    AlarmEngine().process(
        [
            reading(level, 0, 9.5, now=now),
            reading(other, 0, 8.5, now=now),
        ]
    )
    _latest(level, 9.5)
    _latest(temp, 25.0)
    _latest(gas, 3.0, age_s=3600)
    _latest(pressure, 9.9)
    _latest(other, 8.5)
    PointBypass.objects.create(
        point=pressure,
        enterprise=world.ent_a,
        reason="压力表校验",
        status="approved",
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=1),
        requested_at=now - dt.timedelta(hours=2),
    )
    return {"unit": unit, "level": level, "temp": temp, "gas": gas, "pressure": pressure, "other": other}


def test_county_wall_counts_towns_and_alarms(login, world, plant):
    page = login(world.user("county_admin")).get("/monitoring/wall/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲罐液位" in html and "乙罐液位" in html
    totals = page.context["totals"]
    assert totals["active"] == 2 and totals["severe"] == 1 and totals["points"] == 5
    assert totals["enterprises"] == 2
    towns = {t.code: t for t in page.context["towns"]}
    assert towns[world.town_a.code].name == world.town_a.name
    assert towns[world.town_a.code].counts["active"] == 1 and towns[world.town_a.code].points == 4
    assert towns[world.town_b.code].counts["active"] == 1
    # the worst enterprise first (an HH alarm), each with a link to its wall
    assert [e.id for e in page.context["enterprises"]] == [world.ent_a.pk, world.ent_b.pk]
    assert f"/monitoring/wall/enterprises/{world.ent_b.pk}/" in html
    assert 'hx-trigger="every 2s"' in html


def test_town_wall_sees_only_its_town(login, world, plant):
    client = login(world.user("town_a"))
    page = client.get("/monitoring/wall/")
    html = page.content.decode()
    assert page.status_code == 200 and "甲罐液位" in html
    assert "乙罐液位" not in html and world.ent_b.name not in html and world.town_b.name not in html
    assert page.context["totals"]["active"] == 1
    live = client.get("/monitoring/wall/live/")
    assert live.status_code == 200 and "乙罐液位" not in live.content.decode()
    assert "<html" not in live.content.decode()  # the partial alone
    assert client.get(f"/monitoring/wall/enterprises/{world.ent_b.pk}/").status_code == 404
    assert client.get(f"/monitoring/wall/enterprises/{world.ent_b.pk}/live/").status_code == 404


def test_enterprise_user_is_sent_to_their_wall(login, world, plant):
    client = login(world.user("ent_a"))
    page = client.get("/monitoring/wall/")
    assert page.status_code == 302 and page["Location"] == f"/monitoring/wall/enterprises/{world.ent_a.pk}/"
    assert client.get("/monitoring/wall/live/").status_code == 404
    assert client.get(f"/monitoring/wall/enterprises/{world.ent_b.pk}/").status_code == 404
    assert login(world.user("outsider")).get("/monitoring/wall/").status_code == 404


def test_enterprise_wall_points_states_and_acknowledge(login, world, plant):
    client = login(world.user("ent_a"))
    page = client.get(f"/monitoring/wall/enterprises/{world.ent_a.pk}/")
    assert page.status_code == 200
    groups = page.context["groups"]
    assert [g["name"] for g in groups] == ["甲醇储罐区", ""]  # the unit first, points of no unit last
    states = {item["row"].point.code: item["row"].state.value for g in groups for item in g["points"]}
    assert states == {"A-LT-1": "HH", "A-TT-1": "normal", "A-GT-1": "offline", "A-PT-1": "bypassed"}
    counts = {state: n for state, _label, _css, n in page.context["states"]}
    assert counts["HH"] == 1 and counts["offline"] == 1 and counts["bypassed"] == 1 and counts["normal"] == 1
    html = page.content.decode()
    assert "乙罐液位" not in html and 'data-testid="wall-acknowledge"' in html
    alarm = Alarm.objects.get(point=plant["level"])
    assert f"/monitoring/alarms/{alarm.pk}/acknowledge/" in html
    assert client.post(f"/monitoring/alarms/{alarm.pk}/acknowledge/", {}).status_code == 302
    live = client.get(f"/monitoring/wall/enterprises/{world.ent_a.pk}/live/").content.decode()
    assert "报警中·已确认" in live and 'data-testid="wall-acknowledge"' not in live


def test_regulator_reads_enterprise_wall_without_acknowledge_of_others(login, world, plant):
    page = login(world.user("town_a")).get(f"/monitoring/wall/enterprises/{world.ent_a.pk}/")
    assert page.status_code == 200 and "甲罐液位" in page.content.decode()
    assert page.context["is_regulator"]


def test_cleared_alarm_leaves_the_wall(login, world, plant):
    alarm = Alarm.objects.get(point=plant["other"])
    alarm_services.alarm_acknowledge(actor=world.user("ent_b"), alarm=alarm, comment="")
    AlarmEngine().process([reading(plant["other"], 60, 5.0)])
    page = login(world.user("county_admin")).get("/monitoring/wall/")
    assert [row["point"].code for row in page.context["alarms"]] == ["A-LT-1"]


def test_a_point_with_two_alarms_is_one_row_coloured_by_the_worst(login, world):
    point = make_point(world.ent_a, code="A-LT-9", name="双报警液位", rate_limit=1.0)
    # 5.0 → 8.5 in a minute: H and a rate-of-change alarm at once
    AlarmEngine(refresh_s=3600).process([reading(point, 0, 5.0), reading(point, 60, 8.5)])
    assert sorted(Alarm.objects.filter(point=point).values_list("severity", flat=True)) == ["H", "RATE"]
    for user in ("ent_a", "county_admin"):
        client = login(world.user(user))
        url = f"/monitoring/wall/enterprises/{world.ent_a.pk}/" if user == "ent_a" else "/monitoring/wall/"
        page = client.get(url)
        rows = page.context["alarms"]
        assert len(rows) == 1 and rows[0]["point"] == point
        assert [item["alarm"].severity for item in rows[0]["alarms"]] == ["H", "RATE"]  # worst first
        assert rows[0]["severity"] == "H" and "border-warning" in rows[0]["row_css"]
        html = page.content.decode()
        assert (
            html.count('data-testid="wall-alarm-point"') == 1 and html.count('data-testid="wall-alarm"') == 2
        )
    # an HH on top makes the row red
    AlarmEngine(refresh_s=3600).process([reading(point, 120, 9.5)])
    row = (
        login(world.user("ent_a")).get(f"/monitoring/wall/enterprises/{world.ent_a.pk}/").context["alarms"][0]
    )
    assert row["severity"] == "HH" and "border-danger" in row["row_css"]


def test_wall_queries_do_not_grow_with_points(world, plant, django_assert_max_num_queries):
    for i in range(20):
        _latest(make_point(world.ent_a, code=f"A-X-{i}", name=f"点{i}"), 5.0)
    with django_assert_max_num_queries(8):
        groups = sel.enterprise_points(world.user("ent_a"), world.ent_a)
    assert sum(len(g.points) for g in groups) == 24


def test_trend_page_and_json(login, world, plant):
    level = plant["level"]
    now = timezone.now()
    Reading.objects.bulk_create(
        [
            Reading(point=level, ts=now - dt.timedelta(minutes=m), value=5.0 + m / 10, received_at=now)
            for m in (50, 10, 1)
        ]
        + [Reading(point=level, ts=now - dt.timedelta(hours=3), value=1.0, received_at=now)]
    )
    minute = now.replace(second=0, microsecond=0) - dt.timedelta(hours=5)
    hour = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=3)
    ReadingRollup.objects.bulk_create(
        [
            ReadingRollup(point=level, period="1m", bucket=minute, count=4, min=4.0, max=6.0, sum=20.0),
            ReadingRollup(point=level, period="1h", bucket=hour, count=10, min=3.0, max=9.0, sum=60.0),
        ]
    )
    client = login(world.user("ent_a"))
    page = client.get(f"/monitoring/points/{level.pk}/trend/?range=24h")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="trend-text"' in html and "monitoring/trend.js" in html
    assert page.context["chosen"] == "24h"
    hour_data = client.get(f"/monitoring/points/{level.pk}/trend/data/?range=1h").json()
    assert hour_data["resolution"] == "raw" and [v for _t, v in hour_data["values"]] == [10.0, 6.0, 5.1]
    assert hour_data["limits"] == {"ll": 1.0, "l": 2.0, "h": 8.0, "hh": 9.0}
    assert hour_data["point"]["unit"] == "m" and hour_data["min"] == []
    day = client.get(f"/monitoring/points/{level.pk}/trend/data/?range=24h").json()
    assert day["resolution"] == "1m" and day["values"] == [[epoch_ms(minute), 5.0]]
    assert day["min"] == [[epoch_ms(minute), 4.0]] and day["max"] == [[epoch_ms(minute), 6.0]]
    week = client.get(f"/monitoring/points/{level.pk}/trend/data/?range=7d").json()
    assert week["resolution"] == "1h" and week["values"] == [[epoch_ms(hour), 6.0]]
    bad = client.get(f"/monitoring/points/{level.pk}/trend/data/?range=1y")
    assert bad.status_code == 422 and "range" in bad.json()
    other = plant["other"].pk
    assert client.get(f"/monitoring/points/{other}/trend/").status_code == 404
    assert client.get(f"/monitoring/points/{other}/trend/data/?range=1h").status_code == 404
