"""Alarm pages: the scoped list with counts, the detail with its move forms, the bypass page, the panels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safegrid.core.choices import Role
from safegrid.core.testing import make_user
from safegrid.monitoring.alarm_engine import AlarmEngine
from safegrid.monitoring.choices import AlarmStatus, BypassStatus
from safegrid.monitoring.models import Alarm, PointBypass

from .alarm_helpers import make_point, reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def alarms(world):
    a = make_point(world.ent_a, code="A-LT-1", name="甲罐液位")
    b = make_point(world.ent_b, code="B-LT-1", name="乙罐液位")
    AlarmEngine().process([reading(a, 0, 9.5), reading(b, 0, 1.5)])
    return Alarm.objects.get(point=a), Alarm.objects.get(point=b)


def test_list_scoped_with_counts(login, world, alarms):
    page = login(world.user("ent_a")).get("/monitoring/alarms/")
    html = page.content.decode()
    assert page.status_code == 200 and "甲罐液位" in html and "乙罐液位" not in html
    assert page.context["counts"]["open"] == 1
    county = login(world.user("county_admin")).get("/monitoring/alarms/?state=unacknowledged")
    assert county.context["counts"]["open"] == 2 and "乙罐液位" in county.content.decode()
    town = login(world.user("county_admin")).get(f"/monitoring/alarms/?town={world.town_b.code}")
    assert town.context["counts"]["open"] == 1


def test_detail_and_moves(login, world, alarms):
    a, b = alarms
    client = login(world.user("ent_a"))
    assert client.get(f"/monitoring/alarms/{b.pk}/").status_code == 404
    page = client.get(f"/monitoring/alarms/{a.pk}/")
    assert page.status_code == 200 and "确认" in page.content.decode()
    moved = client.post(f"/monitoring/alarms/{a.pk}/acknowledge/", {"acknowledge-comment": "收到"})
    assert moved.status_code == 302
    a.refresh_from_db()
    assert a.status == AlarmStatus.ACTIVE_ACK
    refused = client.post(f"/monitoring/alarms/{a.pk}/close/", {})
    assert refused.status_code == 422 and "不能执行" in refused.content.decode()
    bad = client.post(f"/monitoring/alarms/{a.pk}/dispose/", {"dispose-cause": ""})
    assert bad.status_code == 422
    client.post(f"/monitoring/alarms/{a.pk}/dispose/", {"dispose-cause": "real", "dispose-note": "已处理"})
    client.post(f"/monitoring/alarms/{a.pk}/comment/", {"comment-text": "请复核"})
    a.refresh_from_db()
    assert a.disposal_cause == "real" and a.comments.count() == 1
    assert client.post(f"/monitoring/alarms/{a.pk}/nonsense/", {}).status_code == 404
    assert (
        login(world.user("town_a"))
        .post(f"/monitoring/alarms/{a.pk}/dispose/", {"dispose-cause": "real"})
        .status_code
        == 403
    )


def test_bypass_page_request_and_approve(login, world, alarms):
    a, _ = alarms
    boss = make_user("legal_a", {"role": Role.LEGAL_REP, "enterprise": world.ent_a})
    client = login(world.user("ent_a"))
    assert client.get("/monitoring/bypasses/").status_code == 200
    start = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    made = client.post(
        "/monitoring/bypasses/new/",
        {
            "point": a.point_id,
            "rule": "",
            "reason": "液位计检修",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert made.status_code == 302
    bypass = PointBypass.objects.get()
    assert (
        client.post(f"/monitoring/bypasses/{bypass.pk}/approve/", {}).status_code == 403
    )  # not the requester
    assert login(boss).post(f"/monitoring/bypasses/{bypass.pk}/approve/", {}).status_code == 302
    bypass.refresh_from_db()
    assert bypass.status == BypassStatus.APPROVED
    page = login(world.user("ent_b")).get("/monitoring/bypasses/")
    assert "液位计检修" not in page.content.decode()


def test_enterprise_panel(login, world, alarms):
    page = login(world.user("ent_a")).get(f"/enterprises/{world.ent_a.pk}/")
    assert page.status_code == 200 and "甲罐液位" in page.content.decode()


def test_home_todo(login, world, alarms):
    page = login(world.user("ent_a")).get("/")
    assert "监测报警待确认" in page.content.decode()


def test_unit_page_shows_its_open_alarms(login, world):
    from safegrid.majorhazards.tests.work_helpers import major_unit

    unit = major_unit(world.ent_a)
    on_unit = make_point(world.ent_a, code="U-LT-1", name="单元罐液位", unit=unit)
    elsewhere = make_point(world.ent_a, code="X-LT-1", name="别处罐液位")
    AlarmEngine().process([reading(on_unit, 0, 9.5), reading(elsewhere, 0, 9.5)])
    page = login(world.user("ent_a")).get(f"/majorhazards/units/{unit.pk}/").content.decode()
    assert "本单元未消警的监测报警" in page and "单元罐液位" in page and "别处罐液位" not in page


def test_assign_form_lists_the_enterprises_people_through_the_scoped_selector(login, world, alarms):
    from safegrid.enterprises.selectors import enterprise_users

    a, _b = alarms
    page = login(world.user("ent_a")).get(f"/monitoring/alarms/{a.pk}/")
    people = list(page.context["moves"])
    form = next(f for action, _label, f in people if action == "assign")
    names = {u.username for u in form.fields["assignee"].queryset}
    assert {"ent_a", "post_a"} <= names and "ent_b" not in names and "town_a" not in names
    # the selector is scoped: the people of an enterprise out of the reader's scope are none
    assert not enterprise_users(world.user("ent_b"), world.ent_a.pk).exists()
    assert enterprise_users(world.user("town_a"), world.ent_a.pk).filter(username="post_a").exists()
