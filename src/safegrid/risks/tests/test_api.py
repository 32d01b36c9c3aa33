"""The risks API: the assessment preview and the scoped reads, through /api/v1/risks with a token,
and the router on its own (a throwaway SafeGridAPI) so it stands without the main API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ninja.testing import TestClient

from safegrid.api.ninja_api import SafeGridAPI
from safegrid.core import tokens
from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.enterprises.models import OrgUnit, Person
from safegrid.risks.api import router
from safegrid.risks.models import (
    ControlMeasure,
    HazardFactor,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskPoint,
)
from safegrid.risks.services import points as services

from .factories import make_factor, make_measure, make_point, workshop_a

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
            "id": graded.tiers.get().pk,
            "tier": "post",
            "tier_name": "岗位级",
            "person": world.person_a.pk,
            "person_name": "王操作",
            "org_unit": world.post_a.pk,
            "active": True,
        }
    ]
    assert (factor["code"], detail["measures"][0]["code"]) == ("H01", "M01")
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
    """The router stands on its own: mounted on a fresh SafeGridAPI (shared errors and idempotency)."""

    def user_auth(request):
        return request.user if request.user.is_authenticated else None

    api = SafeGridAPI(urls_namespace="risks_throwaway", auth=user_auth)
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


# --- writing the register ------------------------------------------------------------------------


def _send(client, method: str, url: str, headers, body: dict[str, Any] | None = None, key: str | None = None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    data = "" if body is None else json.dumps(body)
    return client.generic(method, url, data, content_type="application/json", **headers, **extra)


def _error_fields(response, status: int = 422) -> dict[str, list[str]]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]["fields"]


def _new_point(world, **extra: Any) -> dict[str, Any]:
    return {
        "enterprise": world.ent_a.pk,
        "code": "RP-101",
        "name": "液氯储罐区",
        "type": "facility",
        "org_unit": workshop_a(world).pk,
        "location": "罐区东侧",
        **extra,
    }


def _audits(world) -> int:
    return AuditEntry.objects.filter(enterprise_id=world.ent_a.pk).count()


def test_point_create_update_deactivate(world, client, bearer) -> None:
    headers = bearer("ent_a")
    before = _audits(world)
    response = _send(client, "POST", POINTS, headers, _new_point(world, lat=36.9, lon=118.1))
    assert response.status_code == 201, response.content
    created = response.json()
    point = RiskPoint.objects.get(pk=created["id"])
    assert (point.enterprise_id, point.code, point.org_unit_id) == (
        world.ent_a.pk,
        "RP-101",
        workshop_a(world).pk,
    )
    assert created["factors"] == [] and created["missing_tiers"] == []
    assert _audits(world) == before + 1

    response = _send(client, "PATCH", f"{POINTS}/{point.pk}", headers, {"name": "液氯储罐区（一期）"})
    assert response.status_code == 200 and response.json()["name"] == "液氯储罐区（一期）"
    response = _send(client, "POST", f"{POINTS}/{point.pk}/deactivate", headers)
    assert response.status_code == 200 and response.json()["active"] is False
    response = _send(client, "POST", f"{POINTS}/{point.pk}/reactivate", headers)
    assert response.status_code == 200 and response.json()["active"] is True
    assert _audits(world) == before + 4


def test_point_writes_out_of_scope_and_not_allowed(world, client, bearer) -> None:
    point = make_point(world)
    for method, url, body in (
        ("PATCH", f"{POINTS}/{point.pk}", {"name": "x"}),
        ("POST", f"{POINTS}/{point.pk}/deactivate", None),
        ("POST", f"{POINTS}/{point.pk}/reactivate", None),
    ):
        assert _error_fields(_send(client, method, url, bearer("ent_b"), body), 404) == {}
        assert _send(client, method, url, bearer("town_a"), body).status_code == 403  # reads, not writes
    # An enterprise the user cannot see, named in the body: 422 without saying whether it exists.
    fields = _error_fields(_send(client, "POST", POINTS, bearer("ent_b"), _new_point(world)))
    assert fields == {"enterprise": ["不存在或无权访问"]}
    assert RiskPoint.objects.filter(enterprise=world.ent_a).count() == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"code": "RP-001"}, "code"),  # the code is taken
        ({"lat": 36.9}, "lat"),  # latitude without longitude
        ({"type": "building"}, "type"),
        ({"plan_x": 1.5, "plan_y": 0.2}, "plan_x"),
        ({"name": ""}, "name"),
    ],
)
def test_point_bad_input_names_the_field(world, client, bearer, extra, field) -> None:
    make_point(world)
    fields = _error_fields(_send(client, "POST", POINTS, bearer("ent_a"), _new_point(world, **extra)))
    assert list(fields) == [field]
    assert not RiskPoint.objects.filter(code="RP-101").exists()


def test_point_org_unit_of_another_enterprise_is_refused(world, client, bearer) -> None:
    unit_b = OrgUnit.objects.get(enterprise=world.ent_b, parent__isnull=True)
    fields = _error_fields(
        _send(client, "POST", POINTS, bearer("ent_a"), _new_point(world, org_unit=unit_b.pk))
    )
    assert fields == {"org_unit": ["不存在或无权访问"]}
    # The county sees both enterprises: there the model's rule names the field.
    fields = _error_fields(
        _send(client, "POST", POINTS, bearer("county_admin"), _new_point(world, org_unit=unit_b.pk))
    )
    assert list(fields) == ["org_unit"]
    point = make_point(world)
    fields = _error_fields(_send(client, "PATCH", f"{POINTS}/{point.pk}", bearer("ent_a"), {"code": None}))
    assert list(fields) == ["code"]


def _jha_factor(**extra: Any) -> dict[str, Any]:
    return {
        "method": "JHA",
        "step_no": 1,
        "step_name": "开启进料阀",
        "description": "阀门泄漏，氯乙烯外逸",
        "category": "things",
        "accident_types": ["17"],
        **extra,
    }


def test_factor_create_update_delete(world, client, bearer) -> None:
    headers = bearer("ent_a")
    point = make_point(world, type="activity")
    response = _send(client, "POST", f"{POINTS}/{point.pk}/factors", headers, _jha_factor())
    assert response.status_code == 201, response.content
    factor_id = response.json()["id"]
    assert response.json()["level"] is None and response.json()["accident_types"] == ["17"]
    response = _send(client, "PATCH", f"/api/v1/risks/factors/{factor_id}", headers, {"step_no": 2})
    assert response.status_code == 200 and response.json()["step_no"] == 2
    assert _send(client, "DELETE", f"/api/v1/risks/factors/{factor_id}", headers).status_code == 204
    assert not HazardFactor.objects.filter(pk=factor_id).exists()


def test_factor_out_of_scope_and_bad_input(world, client, bearer) -> None:
    point = make_point(world)
    factor = make_factor(point)
    other = bearer("ent_b")
    assert _send(client, "POST", f"{POINTS}/{point.pk}/factors", other, _jha_factor()).status_code == 404
    assert (
        _send(client, "PATCH", f"/api/v1/risks/factors/{factor.pk}", other, {"step_name": "x"}).status_code
        == 404
    )
    assert _send(client, "DELETE", f"/api/v1/risks/factors/{factor.pk}", other).status_code == 404
    headers = bearer("ent_a")
    fields = _error_fields(
        _send(client, "POST", f"{POINTS}/{point.pk}/factors", headers, _jha_factor(step_no=None))
    )
    assert list(fields) == ["step_no"]
    fields = _error_fields(
        _send(client, "POST", f"{POINTS}/{point.pk}/factors", headers, _jha_factor(accident_types=["99"]))
    )
    assert list(fields) == ["accident_types"]
    assert HazardFactor.objects.filter(risk_point=point).count() == 1


def test_assessment_grades_the_factor_and_the_point(world, client, bearer) -> None:
    point = make_point(world)
    factor = make_factor(point)
    url = f"/api/v1/risks/factors/{factor.pk}/assessments"
    response = _send(
        client, "POST", url, bearer("ent_a"), {"kind": "initial", "method": "LEC", "L": 6, "E": 6, "C": 15}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["score"], response.json()["level"], response.json()["colour"]) == (540, 1, "red")
    point.refresh_from_db()
    assert point.level == 1
    assert (
        _send(
            client, "POST", url, bearer("ent_b"), {"kind": "initial", "method": "LS", "L": 2, "S": 2}
        ).status_code
        == 404
    )
    fields = _error_fields(
        _send(
            client,
            "POST",
            url,
            bearer("ent_a"),
            {"kind": "residual", "method": "LEC", "L": 6, "E": 5, "C": 15},
        )
    )
    assert list(fields) == ["E"]
    fields = _error_fields(
        _send(client, "POST", url, bearer("ent_a"), {"kind": "later", "method": "LS", "L": 2, "S": 2})
    )
    assert list(fields) == ["kind"]
    assert RiskAssessment.objects.filter(hazard_factor=factor).count() == 1


def _measure(world, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "institutional",
        "classify1": 2,
        "classify2": "2-1",
        "description": "进料前确认阀门状态",
        "check_content": "阀门铅封、标识是否完好",
        "check_cycle": 1,
        "check_cycle_unit": "天",
        "responsible_post": world.post_a.pk,
        **extra,
    }


def test_measure_create_update_delete(world, client, bearer) -> None:
    headers = bearer("ent_a")
    point = make_point(world)
    factor = make_factor(point)
    response = _send(
        client, "POST", f"{POINTS}/{point.pk}/measures", headers, _measure(world, hazard_factor=factor.pk)
    )
    assert response.status_code == 201, response.content
    measure_id = response.json()["id"]
    assert response.json()["hazard_factor"] == factor.pk
    assert response.json()["responsible_post_name"] == "反应釜操作岗"
    response = _send(
        client, "PATCH", f"/api/v1/risks/measures/{measure_id}", headers, {"check_cycle": 2, "active": False}
    )
    assert response.status_code == 200 and (response.json()["check_cycle"], response.json()["active"]) == (
        2,
        False,
    )
    assert _send(client, "DELETE", f"/api/v1/risks/measures/{measure_id}", headers).status_code == 204
    assert not ControlMeasure.objects.filter(pk=measure_id).exists()


def test_measure_out_of_scope_and_bad_input(world, client, bearer) -> None:
    point = make_point(world)
    measure = make_measure(world, point)
    other = bearer("ent_b")
    assert _send(client, "POST", f"{POINTS}/{point.pk}/measures", other, _measure(world)).status_code == 404
    assert (
        _send(client, "PATCH", f"/api/v1/risks/measures/{measure.pk}", other, {"check_cycle": 3}).status_code
        == 404
    )
    assert _send(client, "DELETE", f"/api/v1/risks/measures/{measure.pk}", other).status_code == 404
    headers = bearer("ent_a")
    url = f"{POINTS}/{point.pk}/measures"
    fields = _error_fields(_send(client, "POST", url, headers, _measure(world, classify2="1-4")))
    assert list(fields) == ["classify2"]
    workshop = workshop_a(world)
    fields = _error_fields(_send(client, "POST", url, headers, _measure(world, responsible_post=workshop.pk)))
    assert list(fields) == ["responsible_post"]
    unit_b = OrgUnit.objects.get(enterprise=world.ent_b, parent__isnull=True)
    fields = _error_fields(_send(client, "POST", url, headers, _measure(world, responsible_post=unit_b.pk)))
    assert fields == {"responsible_post": ["不存在或无权访问"]}
    fields = _error_fields(_send(client, "POST", url, headers, _measure(world, check_cycle=0)))
    assert list(fields) == ["check_cycle"]
    assert ControlMeasure.objects.filter(risk_point=point).count() == 1


def test_tier_assign_replace_and_unassign(world, client, bearer) -> None:
    headers = bearer("ent_a")
    point = make_point(world)
    url = f"{POINTS}/{point.pk}/tiers"
    response = _send(
        client,
        "POST",
        url,
        headers,
        {"tier": "post", "person": world.person_a.pk, "org_unit": world.post_a.pk},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["tier_name"], response.json()["person_name"]) == ("岗位级", "王操作")
    unplaced = Person.objects.create(enterprise=world.ent_a, name="周未定")
    fields = _error_fields(_send(client, "POST", url, headers, {"tier": "post", "person": unplaced.pk}))
    assert list(fields) == ["org_unit"]  # no post on the person's line: the tier's unit is asked for
    other = Person.objects.create(enterprise=world.ent_a, name="李班长", org_unit=world.post_a)
    response = _send(client, "POST", url, headers, {"tier": "post", "person": other.pk})
    assert response.status_code == 200 and response.json()["person_name"] == "李班长"
    assignment = ResponsibilityAssignment.objects.get(risk_point=point)
    assert assignment.person_id == other.pk  # replaced, not added
    assert _send(client, "DELETE", f"/api/v1/risks/tiers/{assignment.pk}", headers).status_code == 204
    assert not ResponsibilityAssignment.objects.filter(risk_point=point).exists()


def test_tier_out_of_scope_and_bad_input(world, client, bearer) -> None:
    point = make_point(world)
    assignment = services.tier_assign(actor=SYSTEM, point=point, tier="post", person=world.person_a)
    url = f"{POINTS}/{point.pk}/tiers"
    other = bearer("ent_b")
    assert _send(client, "POST", url, other, {"tier": "team", "person": world.person_a.pk}).status_code == 404
    assert _send(client, "DELETE", f"/api/v1/risks/tiers/{assignment.pk}", other).status_code == 404
    headers = bearer("ent_a")
    person_b = Person.objects.get(enterprise=world.ent_b)
    fields = _error_fields(_send(client, "POST", url, headers, {"tier": "team", "person": person_b.pk}))
    assert fields == {"person": ["不存在或无权访问"]}
    fields = _error_fields(
        _send(
            client,
            "POST",
            url,
            headers,
            {"tier": "team", "person": world.person_a.pk, "org_unit": world.post_a.pk},
        )
    )
    assert list(fields) == ["org_unit"]  # a post is not a team
    fields = _error_fields(
        _send(client, "POST", url, headers, {"tier": "plant", "person": world.person_a.pk})
    )
    assert list(fields) == ["tier"]
    retired = Person.objects.create(enterprise=world.ent_a, name="退休", active=False)
    fields = _error_fields(_send(client, "POST", url, headers, {"tier": "team", "person": retired.pk}))
    assert list(fields) == ["person"]
    assert list(ResponsibilityAssignment.objects.filter(risk_point=point)) == [assignment]


# --- every register write is idempotent under an Idempotency-Key ----------------------------------


def _created_rows(world) -> int:
    return sum(
        model.objects.count()
        for model in (RiskPoint, HazardFactor, RiskAssessment, ControlMeasure, ResponsibilityAssignment)
    )


WRITES = {
    "point": lambda w, p, f: ("POST", POINTS, _new_point(w)),
    "factor": lambda w, p, f: ("POST", f"{POINTS}/{p.pk}/factors", _jha_factor(method="SCL", step_no=None)),
    "assessment": lambda w, p, f: (
        "POST",
        f"/api/v1/risks/factors/{f.pk}/assessments",
        {"kind": "initial", "method": "LS", "L": 4, "S": 4},
    ),
    "measure": lambda w, p, f: ("POST", f"{POINTS}/{p.pk}/measures", _measure(w)),
    "tier": lambda w, p, f: ("POST", f"{POINTS}/{p.pk}/tiers", {"tier": "company", "person": w.person_a.pk}),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_retried_write_creates_one_object(world, client, bearer, write) -> None:
    point = make_point(world)
    factor = make_factor(point)
    method, url, body = WRITES[write](world, point, factor)
    headers = bearer("ent_a")
    rows, audits = _created_rows(world), _audits(world)
    first = _send(client, method, url, headers, body, key="0b6c1d8e-retry-" + write)
    assert first.status_code in {200, 201}, first.content
    changed_rows, changed_audits = _created_rows(world), _audits(world)
    assert changed_rows == rows + 1 and changed_audits > audits
    again = _send(client, method, url, headers, body, key="0b6c1d8e-retry-" + write)
    assert again.status_code == first.status_code
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert (_created_rows(world), _audits(world)) == (changed_rows, changed_audits)
