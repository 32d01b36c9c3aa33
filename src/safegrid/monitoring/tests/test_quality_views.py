"""/monitoring/quality/: floods, chattering points, offline rate and alarms per day, scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safegrid.majorhazards.models import HazardUnit
from safegrid.monitoring.choices import AlarmRule, AlarmSeverity, AlarmStatus
from safegrid.monitoring.models import Alarm
from safegrid.monitoring.selectors.quality import quality_report

from .alarm_helpers import make_point

pytestmark = pytest.mark.django_db


def _raise(point, at, rule=AlarmRule.HIGH, status=AlarmStatus.CLOSED):
    return Alarm.objects.create(
        point=point,
        enterprise=point.enterprise,
        rule=rule,
        severity=AlarmSeverity.OFFLINE if rule == AlarmRule.OFFLINE else AlarmSeverity.H,
        status=status,
        first_at=at,
        last_at=at,
    )


@pytest.fixture
def raised(world):
    now = timezone.now()
    unit = HazardUnit.objects.create(enterprise=world.ent_a, code="ME-01", name="甲醇罐区", kind="tank_farm")
    flood = make_point(world.ent_a, code="A-LT-F", name="甲泛滥点位", unit=unit)
    others = [make_point(world.ent_a, code=f"A-LT-{n}", name=f"甲点位{n}") for n in range(3)]
    for n in range(11):  # 11 raises within 6 minutes, 31 s apart: a flood, but no chattering
        _raise(flood, now - dt.timedelta(minutes=30) + dt.timedelta(seconds=31 * n))
    chatter = make_point(world.ent_b, code="B-LT-C", name="乙振荡点位")
    for n in range(3):  # three within 40 s: chattering
        _raise(chatter, now - dt.timedelta(hours=2) + dt.timedelta(seconds=20 * n))
    _raise(others[0], now - dt.timedelta(days=3))  # only in the 7-day period
    _raise(others[1], now - dt.timedelta(minutes=1), rule=AlarmRule.OFFLINE, status=AlarmStatus.ACTIVE_UNACK)
    return now


def test_report_for_the_county(world, raised):
    report = quality_report(world.user("county_admin"), "24h", now=raised)
    assert report.raises == 11 + 3 + 1
    assert [(f["name"], f["count"]) for f in report.enterprise_floods] == [(world.ent_a.name, 11)]
    assert [(f["name"], f["enterprise"], f["count"]) for f in report.unit_floods] == [
        ("甲醇罐区", world.ent_a.name, 11)
    ]
    assert [(c["point"].name, c["burst"], c["raises"]) for c in report.chattering] == [("乙振荡点位", 3, 3)]
    offline = {r["name"]: (r["offline"], r["points"]) for r in report.offline}
    assert offline[world.ent_a.name] == (1, 4) and offline[world.ent_b.name] == (0, 1)
    assert (report.offline_points, report.points) == (1, 5)
    assert sum(sum(counts.values()) for _day, counts in report.days) == 15
    week = quality_report(world.user("county_admin"), "7d", now=raised)
    assert week.raises == 16 and len(week.days) == 8


def test_report_is_scoped(world, raised):
    report = quality_report(world.user("ent_a"), "24h", now=raised)
    assert report.chattering == [] and report.raises == 12
    assert [f["name"] for f in report.unit_floods] == ["甲醇罐区"]
    assert quality_report(world.user("ent_b"), "24h", now=raised).unit_floods == []
    assert {r["name"] for r in report.offline} == {world.ent_a.name}


def test_page(login, world, raised):
    county = login(world.user("county_admin")).get("/monitoring/quality/?period=7d")
    html = county.content.decode()
    assert county.status_code == 200 and "乙振荡点位" in html and world.ent_a.name in html
    assert county.context["report"].period == "7d"
    assert county.context["chart_data"]["series"][0]["rule"] == "high"
    odd = login(world.user("county_admin")).get("/monitoring/quality/?period=1y")
    assert odd.status_code == 200 and odd.context["report"].period == "24h"
    own = login(world.user("ent_a")).get("/monitoring/quality/")
    assert own.status_code == 200 and "乙振荡点位" not in own.content.decode()
    assert login(world.user("outsider")).get("/monitoring/quality/").status_code == 404
