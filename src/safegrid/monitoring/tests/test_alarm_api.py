"""/api/v1/monitoring/alarms: scope, filters, each move, refusals as 422 naming the field or the state."""

from __future__ import annotations

import pytest

from safegrid.core import tokens
from safegrid.core.testing import SYSTEM
from safegrid.monitoring.alarm_engine import AlarmEngine
from safegrid.monitoring.models import Alarm

from .alarm_helpers import make_point, reading

pytestmark = pytest.mark.django_db
URL = "/api/v1/monitoring/alarms"


@pytest.fixture
def bearer(world):
    def _bearer(name: str) -> dict[str, str]:
        raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user(name), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


@pytest.fixture
def alarms(world):
    a = make_point(world.ent_a, code="A-LT-1")
    b = make_point(world.ent_b, code="B-LT-1")
    AlarmEngine().process([reading(a, 0, 9.5), reading(b, 0, 1.5)])
    return Alarm.objects.get(point=a), Alarm.objects.get(point=b)


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_list_is_scoped_and_filtered(client, world, alarms, bearer):
    a, b = alarms
    body = client.get(URL, **bearer("ent_a")).json()
    assert [row["id"] for row in body["items"]] == [a.pk]
    assert body["items"][0]["point_code"] == "A-LT-1" and body["items"][0]["severity"] == "HH"
    county = client.get(URL, **bearer("county_admin")).json()
    assert {row["id"] for row in county["items"]} == {a.pk, b.pk}
    only_b = client.get(URL, {"enterprise": world.ent_b.pk}, **bearer("county_admin")).json()
    assert [row["id"] for row in only_b["items"]] == [b.pk]
    assert client.get(URL, {"state": "closed"}, **bearer("county_admin")).json()["items"] == []
    assert client.get(URL, {"state": "nonsense"}, **bearer("county_admin")).status_code == 422


def test_detail_out_of_scope_is_404(client, alarms, bearer):
    a, b = alarms
    assert client.get(f"{URL}/{b.pk}", **bearer("ent_a")).status_code == 404
    detail = client.get(f"{URL}/{a.pk}", **bearer("ent_a")).json()
    assert [t["action"] for t in detail["timeline"]] == ["raise"]
    assert post(client, f"{URL}/{b.pk}/acknowledge", {}, bearer("ent_a")).status_code == 404


def test_lifecycle_through_the_api(client, world, alarms, bearer):
    a, _ = alarms
    h = bearer("ent_a")
    assert post(client, f"{URL}/{a.pk}/acknowledge", {"comment": "收到"}, h).json()["status"] == "active_ack"
    refused = post(client, f"{URL}/{a.pk}/close", {}, h)
    assert refused.status_code == 422 and "status" in str(refused.json())
    bad = post(client, f"{URL}/{a.pk}/assign", {"assignee": world.user("ent_b").pk}, h)
    assert bad.status_code == 422 and "assignee" in str(bad.json())
    ok = post(client, f"{URL}/{a.pk}/assign", {"assignee": world.user("post_a").pk}, h)
    assert ok.json()["assignee"] == world.user("post_a").pk
    commented = post(client, f"{URL}/{a.pk}/comment", {"text": "已到现场"}, h)
    assert commented.status_code == 201 and commented.json()["comments"][0]["text"] == "已到现场"
    assert post(client, f"{URL}/{a.pk}/dispose", {"cause": "weather"}, h).status_code == 422
    disposed = post(client, f"{URL}/{a.pk}/dispose", {"cause": "real", "note": "进料阀未关"}, h)
    assert disposed.json()["disposal_cause"] == "real"
    AlarmEngine().process([reading(a.point, 60, 5.0)])
    closed = post(client, f"{URL}/{a.pk}/close", {}, h)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_to_hazard_and_forbidden_moves(client, world, alarms, bearer):
    a, _ = alarms
    assert post(client, f"{URL}/{a.pk}/dispose", {"cause": "real"}, bearer("town_a")).status_code == 403
    made = post(client, f"{URL}/{a.pk}/to-hazard", {"hazard_type": 2}, bearer("ent_a"))
    assert made.status_code == 201 and made.json()["hazard"] is not None
    again = post(client, f"{URL}/{a.pk}/to-hazard", {}, bearer("ent_a"))
    assert again.status_code == 422 and "hazard" in str(again.json())
