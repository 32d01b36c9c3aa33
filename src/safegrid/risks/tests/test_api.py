"""The risks API: the assessment preview and the scoped reads, through /api/v1/risks with a token,
and the router on its own (a throwaway NinjaAPI) so it stands without the main API."""

from __future__ import annotations

from typing import Any

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from safegrid.api import errors
from safegrid.core import tokens
from safegrid.core.testing import SYSTEM
from safegrid.risks.api import router
from safegrid.risks.services import points as services

from .factories import make_factor, make_measure, make_point

pytestmark = pytest.mark.django_db

ASSESS = "/api/v1/risks/assess"
POINTS = "/api/v1/risks/points"


@pytest.fixture
def bearer(world):
    def _bearer(username: str) -> dict[str, str]:
        user = world.user(username)
        raw, _ = tokens.token_issue(actor=SYSTEM, user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


def _assess(client, headers, body: dict[str, Any]):
    return client.post(ASSESS, body, content_type="application/json", **headers)


def _validation_fields(response) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"]
    return error["fields"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"method": "LEC", "L": 6, "E": 6, "C": 15}, {"score": 540, "level": 1, "colour": "red"}),
        ({"method": "LEC", "L": 0.5, "E": 6, "C": 40}, {"score": 120, "level": 3, "colour": "yellow"}),
        ({"method": "LEC", "L": 0.1, "E": 0.5, "C": 1}, {"score": 0.05, "level": 4, "colour": "blue"}),
        ({"method": "LS", "L": 4, "S": 4}, {"score": 16, "level": 2, "colour": "orange"}),
        ({"method": "LS", "L": 3, "S": 3, "variant": "C"}, {"score": 9, "level": 2, "colour": "orange"}),
        ({"method": "MES", "M": 3, "E": 6, "S": 10}, {"score": 180, "level": 2, "colour": "orange"}),
    ],
)
def test_assess_preview(world, client, bearer, body, expected) -> None:
    response = _assess(client, bearer("ent_a"), body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert {k: data[k] for k in expected} == expected
    assert data["method_version"].endswith("/DB37T2882-2016")


def test_assess_preview_method_version(world, client, bearer) -> None:
    data = _assess(client, bearer("town_a"), {"method": "LS", "L": 5, "S": 5}).json()
    assert data["method_version"] == "LS-A/DB37T2882-2016"
    assert data["level_name"] == "重大风险"


def test_assess_value_outside_table_is_422_naming_the_field(world, client, bearer) -> None:
    fields = _validation_fields(_assess(client, bearer("ent_a"), {"method": "LEC", "L": 6, "E": 5, "C": 15}))
    assert list(fields) == ["E"]
    assert "10、6、3、2、1、0.5" in fields["E"][0]
    fields = _validation_fields(_assess(client, bearer("ent_a"), {"method": "MES", "M": 2, "E": 6, "S": 4}))
    assert "5、3、1" in fields["M"][0]
    fields = _validation_fields(_assess(client, bearer("ent_a"), {"method": "LS", "L": 3}))
    assert "S" in fields
    fields = _validation_fields(_assess(client, bearer("ent_a"), {"method": "XYZ", "L": 3}))
    assert "method" in fields


def test_assess_uses_the_county_settings(world, client, bearer) -> None:
    services.risk_settings_save(
        actor=SYSTEM,
        county_code="370321",
        data={"lec_major": 600, "lec_large": 300, "lec_general": 100, "ls_variant": "B"},
    )
    data = _assess(client, bearer("ent_a"), {"method": "LEC", "L": 6, "E": 6, "C": 15}).json()
    assert (data["level"], data["method_version"]) == (2, "LEC/DB37T2882-2016;bands=600/300/100")
    data = _assess(client, bearer("town_b"), {"method": "LS", "L": 2, "S": 4}).json()
    assert (data["level"], data["method_version"]) == (3, "LS-B/DB37T2882-2016")  # 8 → 3 under B
    data = _assess(
        client, bearer("county_admin"), {"method": "LS", "L": 2, "S": 4, "enterprise": world.ent_b.pk}
    )
    assert data.json()["level"] == 3


def test_assess_with_enterprise_out_of_scope_is_404(world, client, bearer) -> None:
    response = _assess(
        client, bearer("ent_b"), {"method": "LS", "L": 2, "S": 4, "enterprise": world.ent_a.pk}
    )
    assert response.status_code == 404


def test_assess_needs_authentication(world, client) -> None:
    response = client.post(ASSESS, {"method": "LS", "L": 2, "S": 4}, content_type="application/json")
    assert response.status_code == 401


@pytest.fixture
def graded(world):
    point = make_point(world)
    factor = make_factor(point)
    services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 6, "E": 6, "C": 15}
    )
    services.assess(
        actor=SYSTEM, factor=factor, kind="residual", method="LEC", inputs={"L": 3, "E": 6, "C": 15}
    )
    make_measure(world, point, hazard_factor=factor)
    services.tier_assign(actor=SYSTEM, point=point, tier="post", person=world.person_a, org_unit=world.post_a)
    point.refresh_from_db()
    return point


def test_points_list_and_detail(world, client, bearer, graded) -> None:
    headers = bearer("town_a")
    page = client.get(POINTS, {"enterprise": world.ent_a.pk}, **headers).json()
    assert page["total"] == 1
    item = page["items"][0]
    assert (item["code"], item["level"], item["colour"], item["enterprise_name"]) == (
        "RP-001",
        2,
        "orange",
        "甲化工有限公司",
    )
    detail = client.get(f"{POINTS}/{graded.pk}", **headers).json()
    factor = detail["factors"][0]
    assert factor["initial"]["score"] == 540 and factor["initial"]["level"] == 1
    assert factor["residual"]["score"] == 270 and factor["level"] == 2
    assert factor["accident_types"] == ["17", "08"]
    assert detail["measures"][0]["classify2"] == "1-4"
    assert detail["measures"][0]["responsible_post_name"] == "反应釜操作岗"
    assert detail["tiers"] == [
        {
            "tier": "post",
            "tier_name": "岗位级",
            "person": world.person_a.pk,
            "person_name": "王操作",
            "org_unit": world.post_a.pk,
        }
    ]
    assert detail["missing_tiers"] == ["company", "workshop", "team"]


@pytest.mark.parametrize("username", ["ent_b", "town_b"])
def test_points_out_of_scope(world, client, bearer, graded, username) -> None:
    headers = bearer(username)
    assert client.get(POINTS, {"enterprise": world.ent_a.pk}, **headers).json()["total"] == 0
    assert client.get(f"{POINTS}/{graded.pk}", **headers).status_code == 404


def test_points_filters(world, client, bearer, graded) -> None:
    headers = bearer("ent_a")
    assert client.get(POINTS, {"level": 2}, **headers).json()["total"] == 1
    assert client.get(POINTS, {"level": 1}, **headers).json()["total"] == 0
    services.risk_point_deactivate(actor=SYSTEM, point=graded)
    assert client.get(POINTS, **headers).json()["total"] == 0
    assert client.get(POINTS, {"active": "false"}, **headers).json()["total"] == 1


def test_router_on_a_throwaway_api(world, graded) -> None:
    """The router stands on its own: mounted on a fresh NinjaAPI with the shared error handlers."""

    def user_auth(request):
        return request.user if request.user.is_authenticated else None

    api = NinjaAPI(urls_namespace="risks_throwaway", auth=user_auth)
    errors.install(api)
    api.add_router("/risks", router)
    client = TestClient(api)
    response = client.post(
        "/risks/assess", json={"method": "LEC", "L": 6, "E": 6, "C": 15}, user=world.user("ent_a")
    )
    assert response.status_code == 200
    assert response.json()["score"] == 540
    response = client.post(
        "/risks/assess", json={"method": "LEC", "L": 7, "E": 6, "C": 15}, user=world.user("ent_a")
    )
    assert response.status_code == 422
    assert "L" in response.json()["error"]["fields"]
    response = client.get(f"/risks/points/{graded.pk}", user=world.user("ent_b"))
    assert response.status_code == 404


def test_point_detail_query_count_does_not_grow(world, client, bearer, graded) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = bearer("ent_a")
    client.get(f"{POINTS}/{graded.pk}", **headers)  # warm the token's last-used stamp

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{POINTS}/{graded.pk}", **headers).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(3):
        factor = make_factor(graded, description=f"危险源{i}")
        services.assess(actor=SYSTEM, factor=factor, kind="initial", method="LS", inputs={"L": 2, "S": 2})
        make_measure(world, graded, hazard_factor=factor)
    services.tier_assign(actor=SYSTEM, point=graded, tier="team", person=world.person_a)
    assert count() == before
