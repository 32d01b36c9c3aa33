"""The four-colour map: pages, JSON layers (scope, filters, constant queries), site plans, regional list."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.rules import make_uscc
from safegrid.regions.models import Division, Sector
from safegrid.risks.models import EnterpriseSitePlan, RegionalRisk, RiskSettings
from safegrid.risks.services import regional as regional_services
from safegrid.risks.tests.test_regional_services import graded_point
from safegrid.testworld import World

SQUARE = {"type": "Polygon", "coordinates": [[[118.0, 36.9], [118.1, 36.9], [118.1, 37.0], [118.0, 36.9]]]}


@pytest.fixture
def mapped(world: World) -> World:
    """The test world with boundaries, graded points and this year's regional rows."""
    for division in (world.county, world.town_a, world.town_b, world.village_a, world.village_b):
        Division.objects.filter(pk=division.pk).update(
            boundary=SQUARE, boundary_illustrative=division.level != "county"
        )
    graded_point(world.ent_a, "RP-1", 1, plan_x=0.25, plan_y=0.5)
    graded_point(world.ent_a, "RP-2", 3, lat=36.951, lon=118.081)
    graded_point(world.ent_b, "RP-B", 4)
    # One enterprise per town: count it as it is (no base floor), so town A's level-1 enterprise makes it red.
    RiskSettings.objects.create(county=world.county, regional_min_base=1)
    regional_services.regional_propose(actor=SYSTEM, year=2026)
    return world


def divisions(client: Any, **params: Any) -> Any:
    return client.get(reverse("risks:map_divisions"), {"year": 2026, **params})


def enterprises(client: Any, **params: Any) -> Any:
    return client.get(reverse("risks:map_enterprises"), params)


def png_bytes(width: int = 40, height: int = 20) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


# ---- pages ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["county_admin", "town_a", "grid_a", "dept_chem", "ent_a"])
def test_map_page_renders(mapped: World, login: Any, username: str) -> None:
    response = login(mapped.user(username)).get(reverse("risks:map"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "vendor/echarts/echarts.min.js" in body and "risks/map.js" in body
    assert "镇村边界为示意" in body
    for label in ("重大", "较大", "一般", "低"):
        assert label in body


@pytest.mark.django_db
def test_map_page_starts_where_the_user_is(mapped: World, login: Any) -> None:
    town = login(mapped.user("town_a")).get(reverse("risks:map")).context["config"]
    assert (town["root"], town["start"], town["startEnterprise"]) == (
        mapped.town_a.pk,
        mapped.town_a.pk,
        None,
    )
    ent = login(mapped.user("ent_b")).get(reverse("risks:map")).context["config"]
    assert (ent["root"], ent["startEnterprise"]) == (None, mapped.ent_b.pk)


@pytest.mark.django_db
def test_map_page_out_of_scope(mapped: World, login: Any) -> None:
    assert login(mapped.user("outsider")).get(reverse("risks:map")).status_code == 404
    client = login(mapped.user("ent_b"))
    assert client.get(reverse("risks:map"), {"enterprise": mapped.ent_a.pk}).status_code == 404


# ---- JSON layers: scope -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_county_sees_towns_coloured_by_regional_level(mapped: World, login: Any) -> None:
    data = divisions(login(mapped.user("county_admin"))).json()
    assert data["node"]["code"] == mapped.county.pk
    levels = {r["code"]: r["level"] for r in data["regions"]}
    assert levels == {mapped.town_a.pk: 1, mapped.town_b.pk: 4}
    assert {f["properties"]["code"] for f in data["geojson"]["features"]} == set(levels)
    assert data["illustrative"] is True
    drilled = divisions(login(mapped.user("county_admin")), division=mapped.town_a.pk).json()
    assert [r["code"] for r in drilled["regions"]] == [mapped.village_a.pk]
    assert [p["code"] for p in drilled["path"]] == [mapped.county.pk, mapped.town_a.pk]


@pytest.mark.django_db
def test_town_map_holds_only_its_town(mapped: World, login: Any) -> None:
    client = login(mapped.user("town_a"))
    data = divisions(client).json()
    assert data["node"]["code"] == mapped.town_a.pk
    assert [p["code"] for p in data["path"]] == [mapped.town_a.pk]  # no link up to the county
    assert [r["code"] for r in data["regions"]] == [mapped.village_a.pk]
    ents = enterprises(client, division=mapped.town_a.pk).json()
    assert [row[0] for row in ents["rows"]] == [mapped.ent_a.pk]
    assert ents["counts"]["enterprises"] == {"1": 1, "2": 0, "3": 0, "4": 0, "none": 0}
    assert ents["counts"]["points"] == {"1": 1, "2": 0, "3": 1, "4": 0, "none": 0}
    for code in (mapped.county.pk, mapped.town_b.pk, mapped.village_b.pk):
        assert divisions(client, division=code).status_code == 404
        assert enterprises(client, division=code).status_code == 404
    assert client.get(reverse("risks:map_points"), {"enterprise": mapped.ent_b.pk}).status_code == 404


@pytest.mark.django_db
def test_enterprise_user_sees_only_its_own_points(mapped: World, login: Any) -> None:
    client = login(mapped.user("ent_b"))
    own = client.get(reverse("risks:map_points"), {"enterprise": mapped.ent_b.pk})
    assert own.status_code == 200
    assert [p["code"] for p in own.json()["points"]] == ["RP-B"]
    assert client.get(reverse("risks:map_points"), {"enterprise": mapped.ent_a.pk}).status_code == 404
    assert divisions(client).status_code == 400  # enterprise users have no division map
    assert enterprises(client, division=mapped.town_b.pk).status_code == 404


@pytest.mark.django_db
def test_points_payload_places_points_on_the_plan(
    mapped: World, login: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    regional_services.site_plan_upload(
        actor=SYSTEM,
        enterprise=mapped.ent_a,
        image=SimpleUploadedFile("plan.png", png_bytes(), content_type="image/png"),
    )
    data = (
        login(mapped.user("town_a")).get(reverse("risks:map_points"), {"enterprise": mapped.ent_a.pk}).json()
    )
    assert data["plan"]["width"] == 40 and data["plan"]["height"] == 20
    by_code = {p["code"]: p for p in data["points"]}
    assert (by_code["RP-1"]["x"], by_code["RP-1"]["y"], by_code["RP-1"]["level"]) == (0.25, 0.5, 1)
    assert (by_code["RP-2"]["lat"], by_code["RP-2"]["x"]) == (36.951, None)
    assert by_code["RP-1"]["url"] == reverse("risks:point_detail", args=[by_code["RP-1"]["id"]])
    assert data["counts"]["points"]["1"] == 1 and data["counts"]["points"]["3"] == 1


@pytest.mark.django_db
def test_enterprise_filters(mapped: World, login: Any) -> None:
    client = login(mapped.user("county_admin"))
    code = mapped.county.pk
    assert [r[0] for r in enterprises(client, division=code, level="1").json()["rows"]] == [mapped.ent_a.pk]
    assert [r[0] for r in enterprises(client, division=code, level="4").json()["rows"]] == [mapped.ent_b.pk]
    assert enterprises(client, division=code, level="none").json()["rows"] == []
    sector = enterprises(client, division=code, sector="building_construction").json()
    assert [r[0] for r in sector["rows"]] == [mapped.ent_b.pk]
    assert sector["counts"]["points"] == {"1": 0, "2": 0, "3": 0, "4": 1, "none": 0}
    assert enterprises(client, division=code, level="9").status_code == 400


@pytest.mark.django_db
def test_department_sees_only_its_sector_enterprises(mapped: World, login: Any) -> None:
    client = login(mapped.user("dept_chem"))
    rows = enterprises(client, division=mapped.county.pk).json()["rows"]
    assert [r[0] for r in rows] == [mapped.ent_a.pk]


# ---- JSON layers: constant queries --------------------------------------------------------------------


def count_queries(client: Any, url: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_json_endpoints_run_constant_queries(mapped: World, login: Any) -> None:
    client = login(mapped.user("town_a"))
    urls = [
        (reverse("risks:map_divisions"), {"year": 2026}),
        (reverse("risks:map_enterprises"), {"division": mapped.town_a.pk, "sector": "hazardous_chemicals"}),
        (reverse("risks:map_points"), {"enterprise": mapped.ent_a.pk}),
    ]
    before = [count_queries(client, url, params) for url, params in urls]
    chem = Sector.objects.get(code="hazardous_chemicals")
    for i in range(5):
        ent = ent_services.enterprise_create(
            actor=SYSTEM,
            data={
                "name": f"丙{i}公司",
                "uscc": make_uscc(f"91370321MA3C1{i:04d}"),
                "division": mapped.village_a,
                "legal_rep": "某",
                "lat": 36.95,
                "lon": 118.08,
            },
            sectors=[chem],
        )
        graded_point(ent, f"X-{i}", 2)
        Division.objects.create(
            code=f"37032100120{i}", name=f"新村{i}", level="village", parent=mapped.town_a
        )
        graded_point(mapped.ent_a, f"RP-X{i}", 3, plan_x=0.1, plan_y=0.1)
    after = [count_queries(client, url, params) for url, params in urls]
    assert after == before


# ---- site plans ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_site_plan_upload_through_the_form(mapped: World, login: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = login(mapped.user("ent_a"))
    url = reverse("risks:map_site_plan", args=[mapped.ent_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"image": SimpleUploadedFile("site.png", png_bytes(64, 32), "image/png")})
    assert response.status_code == 302
    plan = EnterpriseSitePlan.objects.get(enterprise=mapped.ent_a)
    assert (plan.width, plan.height, plan.uploaded_by) == (64, 32, mapped.user("ent_a"))
    image = client.get(reverse("risks:map_site_plan_image", args=[mapped.ent_a.pk]))
    assert image.status_code == 200 and b"".join(image.streaming_content).startswith(b"\x89PNG")
    other = login(mapped.user("ent_b"))
    assert other.get(reverse("risks:map_site_plan_image", args=[mapped.ent_a.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("site.png", b"not an image at all", "无法识别"),
        ("site.gif", png_bytes(), "PNG 或 JPG"),
        ("site.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024), "5 MB"),
    ],
)
def test_site_plan_refuses_bad_files(
    mapped: World, login: Any, settings: Any, tmp_path: Any, name: str, content: bytes, message: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = login(mapped.user("ent_a"))
    url = reverse("risks:map_site_plan", args=[mapped.ent_a.pk])
    response = client.post(url, {"image": SimpleUploadedFile(name, content, "image/png")})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EnterpriseSitePlan.objects.exists()


@pytest.mark.django_db
def test_site_plan_upload_permissions(mapped: World, login: Any) -> None:
    url = reverse("risks:map_site_plan", args=[mapped.ent_a.pk])
    assert login(mapped.user("ent_b")).get(url).status_code == 404
    assert login(mapped.user("town_a")).get(url).status_code == 403
    assert login(mapped.user("post_a")).get(url).status_code == 403


# ---- regional list and adjustment -----------------------------------------------------------------------


@pytest.mark.django_db
def test_regional_list_scope_and_early_warning_filter(mapped: World, login: Any) -> None:
    url = reverse("risks:regional_list")
    county = login(mapped.user("county_admin")).get(url, {"year": 2026, "view": "alert"})
    body = county.content.decode()
    assert county.status_code == 200
    assert mapped.town_a.name in body and mapped.town_b.name not in body
    town = login(mapped.user("town_a")).get(url, {"year": 2026, "reset": 1}, follow=True).content.decode()
    assert mapped.town_a.name in town and mapped.town_b.name not in town


@pytest.mark.django_db
def test_regional_list_highlights_overdue_reviews(mapped: World, login: Any) -> None:
    RegionalRisk.objects.filter(division=mapped.town_a).update(next_review_on="2020-01-01")
    body = login(mapped.user("county_admin")).get(reverse("risks:regional_list"), {"view": "overdue"})
    text = body.content.decode()
    assert "已逾期" in text and mapped.town_a.name in text and mapped.town_b.name not in text


@pytest.mark.django_db
def test_regional_adjust_view(mapped: World, login: Any) -> None:
    row = RegionalRisk.objects.get(division=mapped.town_b, year=2026)
    url = reverse("risks:regional_adjust", args=[row.pk])
    assert login(mapped.user("town_b")).get(url).status_code == 403
    assert login(mapped.user("town_a")).get(url).status_code == 404
    client = login(mapped.user("county_admin"))
    missing = client.post(url, {"level": 2, "reason": ""})
    assert missing.status_code == 200 and "这个字段是必填项" in missing.content.decode()
    assert client.post(url, {"level": 2, "reason": "辖区内新增危化品仓储"}).status_code == 302
    row.refresh_from_db()
    assert (row.level, row.adjusted, row.reason) == (2, True, "辖区内新增危化品仓储")


@pytest.mark.django_db
def test_regional_propose_view(mapped: World, login: Any) -> None:
    url = reverse("risks:regional_propose")
    assert login(mapped.user("town_a")).post(url, {"year": 2027}).status_code == 403
    assert login(mapped.user("county_admin")).post(url, {"year": 2027}).status_code == 302
    assert RegionalRisk.objects.filter(year=2027).count() == 4


@pytest.mark.django_db
def test_grid_worker_map_is_its_village_and_grid(mapped: World, login: Any) -> None:
    client = login(mapped.user("grid_a"))
    data = divisions(client).json()
    assert data["node"]["code"] == mapped.village_a.pk
    assert [r["code"] for r in data["regions"]] == [mapped.village_a.pk]  # a village is drawn as itself
    rows = enterprises(client, division=mapped.village_a.pk).json()["rows"]
    assert [r[0] for r in rows] == [mapped.ent_a.pk]
    assert divisions(client, division=mapped.town_a.pk).status_code == 404


@pytest.mark.django_db
def test_map_page_ignores_a_division_outside_the_users_map(mapped: World, login: Any) -> None:
    client = login(mapped.user("town_a"))
    config = client.get(reverse("risks:map"), {"division": mapped.town_b.pk}).context["config"]
    assert config["start"] == mapped.town_a.pk
    config = client.get(reverse("risks:map"), {"division": mapped.village_a.pk}).context["config"]
    assert config["start"] == mapped.village_a.pk
