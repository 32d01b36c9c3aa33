"""Placing a risk point on the site plan by clicking: the JSON layer says who may, the endpoint saves
through the service (scoped, permitted, validated, audited) without making a filed book outdated."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.risks.models import RegisterRevision, RiskPoint
from safegrid.risks.services import regional as regional_services
from safegrid.risks.tests.test_map_views import mapped, png_bytes
from safegrid.testworld import World

__all__ = ["mapped"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _plan(world: World) -> None:
    upload = SimpleUploadedFile("plan.png", png_bytes(), content_type="image/png")
    regional_services.site_plan_upload(actor=SYSTEM, enterprise=world.ent_a, image=upload)


def _points(client: Any, world: World) -> dict[str, Any]:
    return client.get(reverse("risks:map_points"), {"enterprise": world.ent_a.pk}).json()


def test_the_points_layer_shows_every_point_and_who_may_place_them(mapped: World, login: Any) -> None:
    _plan(mapped)
    data = _points(login(mapped.user("ent_a")), mapped)
    by_code = {p["code"]: p for p in data["points"]}
    assert set(by_code) == {"RP-1", "RP-2"}  # the one on the plan and the one only with lat/lon
    assert (by_code["RP-1"]["x"], by_code["RP-2"]["x"], by_code["RP-2"]["lat"]) == (0.25, None, 36.951)
    assert data["canPlace"] and by_code["RP-2"]["placeUrl"].endswith("/plan-position/")
    town = _points(login(mapped.user("town_a")), mapped)
    assert not town["canPlace"] and all(p["placeUrl"] is None for p in town["points"])


def test_an_editor_places_a_point_where_they_clicked(mapped: World, login: Any) -> None:
    _plan(mapped)
    point = RiskPoint.objects.get(code="RP-2")
    url = reverse("risks:map_point_place", args=[point.pk])
    revision = RegisterRevision.objects.get(enterprise=mapped.ent_a).revision
    client = login(mapped.user("ent_a"))
    response = client.post(url, {"x": "0.6125", "y": "0.3"})
    assert response.status_code == 200 and response.json() == {"id": point.pk, "x": 0.6125, "y": 0.3}
    point.refresh_from_db()
    assert (point.plan_x, point.plan_y) == (0.6125, 0.3)
    entry = AuditEntry.objects.filter(object_type="risks.riskpoint", object_id=str(point.pk)).latest("pk")
    assert entry.actor == mapped.user("ent_a") and entry.after == {"plan_x": 0.6125, "plan_y": 0.3}
    assert entry.before == {"plan_x": None, "plan_y": None}
    # a dot moved on the picture is not a register change: a filed book does not become outdated
    assert RegisterRevision.objects.get(enterprise=mapped.ent_a).revision == revision


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"x": "1.2", "y": "0.3"}, "plan_x", "0–1"),
        ({"x": "0.2", "y": "-0.1"}, "plan_y", "0–1"),
        ({"x": "left", "y": "0.3"}, "plan_x", "数字"),
        ({"y": "0.3"}, "plan_x", "数字"),
    ],
)
def test_a_position_off_the_plan_is_refused_by_field(mapped: World, login: Any, body, field, words) -> None:
    _plan(mapped)
    point = RiskPoint.objects.get(code="RP-2")
    response = login(mapped.user("ent_a")).post(reverse("risks:map_point_place", args=[point.pk]), body)
    assert response.status_code == 422
    assert words in response.json()["errors"][field][0]
    point.refresh_from_db()
    assert point.plan_x is None


def test_no_plan_no_placing_and_only_editors_in_scope(mapped: World, login: Any) -> None:
    point = RiskPoint.objects.get(code="RP-2")
    url = reverse("risks:map_point_place", args=[point.pk])
    refused = login(mapped.user("ent_a")).post(url, {"x": "0.5", "y": "0.5"})
    assert refused.status_code == 422 and "尚未上传厂区平面图" in refused.json()["errors"]["plan_x"][0]
    _plan(mapped)
    assert login(mapped.user("town_a")).post(url, {"x": "0.5", "y": "0.5"}).status_code == 403
    assert login(mapped.user("ent_b")).post(url, {"x": "0.5", "y": "0.5"}).status_code == 404
    assert login(mapped.user("ent_a")).get(url).status_code == 405
    point.refresh_from_db()
    assert point.plan_x is None


def test_the_point_page_links_to_placing_it_and_the_form_has_no_fraction_fields(
    mapped: World, login: Any
) -> None:
    _plan(mapped)
    point = RiskPoint.objects.get(code="RP-2")
    client = login(mapped.user("ent_a"))
    body = client.get(reverse("risks:point_detail", args=[point.pk])).content.decode()
    assert f"?enterprise={mapped.ent_a.pk}&amp;place={point.pk}" in body and "在平面图上标注" in body
    form = client.get(reverse("risks:point_edit", args=[point.pk])).context["form"]
    assert "plan_x" not in form.fields and "plan_y" not in form.fields
    config = client.get(reverse("risks:map"), {"enterprise": mapped.ent_a.pk, "place": point.pk}).context[
        "config"
    ]
    assert config["placePoint"] == point.pk
