"""The dynamic risk index: the bulk recompute from registers, hazards and alarm counters; the ranked list,
the explanation page and the risk-map layer, each scoped."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from safegrid.core.testing import SYSTEM
from safegrid.hazards.choices import HazardLevel, HazardStatus
from safegrid.hazards.tests.factories import hazard_in
from safegrid.monitoring.alarm_engine import AlarmEngine
from safegrid.monitoring.models import EnterpriseRiskIndex
from safegrid.monitoring.services.risk_index import risk_index_recompute
from safegrid.risks.models import RegisterRevision

from .alarm_helpers import make_point, reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(world):
    RegisterRevision.objects.update_or_create(enterprise=world.ent_a, defaults={"risk_level": 1})
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    hazard_in(world.ent_a, HazardStatus.RECTIFYING, level=HazardLevel.MAJOR, deadline=yesterday)
    hazard_in(world.ent_a, HazardStatus.CLOSED, level=HazardLevel.MAJOR, deadline=yesterday)  # not counted
    hazard_in(world.ent_b, HazardStatus.CONFIRMED, deadline=timezone.localdate())  # due today: not overdue
    point = make_point(world.ent_a, code="A-LT-9")
    AlarmEngine().process([reading(point, 0, 9.5)])  # one HH alarm: active and unacknowledged
    return risk_index_recompute(actor=SYSTEM)


def test_recompute_stores_every_term(world, indexed):
    a = EnterpriseRiskIndex.objects.get(enterprise=world.ent_a)
    assert (a.static_level, a.open_major, a.open_general, a.overdue) == (1, 1, 0, 1)
    assert (a.active_alarms, a.unacknowledged_alarms, a.enforcement_cases) == (1, 1, 0)
    assert (a.static_points, a.hazard_points, a.alarm_points, a.overdue_points, a.enforcement_points) == (
        40,
        12,
        5,
        6,
        0,
    )
    assert (a.value, a.colour, a.version) == (63, "orange", "RISKINDEX/1")
    assert a.division_code == world.ent_a.division.code
    b = EnterpriseRiskIndex.objects.get(enterprise=world.ent_b)
    assert (b.value, b.colour, b.static_level, b.open_general, b.overdue) == (3, "blue", None, 1, 0)
    assert indexed.enterprises == EnterpriseRiskIndex.objects.count() and indexed.orange >= 1


def test_recompute_updates_in_place_with_few_queries(world, indexed, django_assert_max_num_queries):
    hazard_in(world.ent_b, HazardStatus.RECTIFYING, level=HazardLevel.MAJOR)
    with django_assert_max_num_queries(8):  # the same for 2 enterprises or 19,000
        risk_index_recompute(actor=SYSTEM)
    b = EnterpriseRiskIndex.objects.get(enterprise=world.ent_b)
    assert (b.open_major, b.value) == (1, 15)
    assert EnterpriseRiskIndex.objects.filter(enterprise=world.ent_b).count() == 1


def test_settings_override_the_method(world, indexed, settings):
    settings.SAFEGRID_RISK_INDEX = json.dumps({"red": 60, "version": "RISKINDEX/1-test"})
    risk_index_recompute(actor=SYSTEM)
    a = EnterpriseRiskIndex.objects.get(enterprise=world.ent_a)
    assert (a.value, a.colour, a.version) == (63, "red", "RISKINDEX/1-test")


def test_list_is_scoped(login, world, indexed):
    county = login(world.user("county_admin")).get("/monitoring/risk-index/")
    html = county.content.decode()
    assert county.status_code == 200 and world.ent_a.name in html and world.ent_b.name in html
    assert {c: n for c, _label, _css, n in county.context["counts"]}["orange"] == 1
    names = [p["name"] for p in county.context["chart_data"]["points"]]
    assert set(names) >= {world.ent_a.name, world.ent_b.name}
    town = login(world.user("county_admin")).get(f"/monitoring/risk-index/?town={world.town_b.code}")
    assert world.ent_a.name not in town.content.decode()
    own = login(world.user("ent_a")).get("/monitoring/risk-index/")
    assert world.ent_a.name in own.content.decode() and world.ent_b.name not in own.content.decode()
    town_a = login(world.user("town_a")).get("/monitoring/risk-index/?colour=blue")
    assert world.ent_b.name not in town_a.content.decode()
    csv = login(world.user("ent_a")).get("/monitoring/risk-index/?export=csv")
    body = (
        b"".join(csv.streaming_content).decode("utf-8-sig")
        if csv.streaming
        else csv.content.decode("utf-8-sig")
    )
    assert csv.status_code == 200 and world.ent_a.name in body and world.ent_b.name not in body


def test_detail_explains_each_term(login, world, indexed):
    client = login(world.user("town_a"))
    page = client.get(f"/monitoring/risk-index/{world.ent_a.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and page.context["row"].value == 63
    assert "12×1" in html and "2×1 + 3×1" in html and "执法模块尚未建设" in html
    assert not page.context["stale"]
    assert client.get(f"/monitoring/risk-index/{world.ent_b.pk}/").status_code == 404
    assert login(world.user("ent_b")).get(f"/monitoring/risk-index/{world.ent_a.pk}/").status_code == 404


def test_detail_says_when_the_method_changed(login, world, indexed, settings):
    settings.SAFEGRID_RISK_INDEX = {"major_hazard": 20}
    page = login(world.user("county_admin")).get(f"/monitoring/risk-index/{world.ent_a.pk}/")
    assert page.context["stale"] and page.context["worked"].value == 71


def test_map_layer(login, world, indexed):
    client = login(world.user("county_admin"))
    found = client.get("/monitoring/risk-index/map.json").json()
    by_name = {m["name"]: m for m in found["markers"]}
    assert (
        by_name[world.ent_a.name]["colour"] == "#f76707" and by_name[world.ent_b.name]["colour"] == "#206bc4"
    )
    town = client.get(f"/monitoring/risk-index/map.json?division={world.town_b.code}").json()
    assert [m["name"] for m in town["markers"]] == [world.ent_b.name]
    town_a = login(world.user("town_a"))
    assert town_a.get(f"/monitoring/risk-index/map.json?division={world.town_b.code}").status_code == 404
    assert town_a.get("/monitoring/risk-index/map.json?division=x1").status_code == 404
    mine = town_a.get("/monitoring/risk-index/map.json").json()
    assert [m["name"] for m in mine["markers"]] == [world.ent_a.name]


def test_layer_offered_on_the_risk_map(world):
    from safegrid.risks import map_layers

    keys = [layer["key"] for layer in map_layers.layers_for(world.user("county_admin"))]
    assert "risk-index" in keys
    assert "risk-index" not in [layer["key"] for layer in map_layers.layers_for(world.user("outsider"))]


def test_the_schedule_job_recomputes(world):
    from safegrid import jobs
    from safegrid.jobs.registry import schedules
    from safegrid.jobs.testing import run_queued

    assert "monitoring.risk_index" in {entry.job_kind for entry in schedules()}
    jobs.enqueue("monitoring.risk_index", title="t", actor=SYSTEM, args={})
    assert run_queued("monitoring.risk_index") == ["succeeded"]
    assert EnterpriseRiskIndex.objects.filter(enterprise=world.ent_a).exists()


def test_api(client, world, indexed):
    from safegrid.core import tokens

    def bearer(name: str) -> dict[str, str]:
        raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user(name), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    county = client.get("/api/v1/monitoring/risk-index", **bearer("county_admin")).json()
    assert county["items"][0]["enterprise"] == world.ent_a.pk and county["items"][0]["value"] == 63
    assert county["items"][0]["hazard_points"] == 12 and county["total"] >= 2
    town_b = client.get(
        f"/api/v1/monitoring/risk-index?town={world.town_b.code}", **bearer("county_admin")
    ).json()
    assert [r["enterprise"] for r in town_b["items"]] == [world.ent_b.pk]
    orange = client.get("/api/v1/monitoring/risk-index?colour=orange", **bearer("county_admin")).json()
    assert [r["colour"] for r in orange["items"]] == ["orange"]
    bad = client.get("/api/v1/monitoring/risk-index?colour=green", **bearer("county_admin"))
    assert bad.status_code == 422 and "colour" in bad.content.decode()
    own = client.get("/api/v1/monitoring/risk-index", **bearer("ent_b")).json()
    assert [r["enterprise"] for r in own["items"]] == [world.ent_b.pk]
    one = client.get(f"/api/v1/monitoring/risk-index/{world.ent_a.pk}", **bearer("ent_a"))
    assert one.status_code == 200 and one.json()["alarm_points"] == 5
    assert client.get(f"/api/v1/monitoring/risk-index/{world.ent_a.pk}", **bearer("ent_b")).status_code == 404
