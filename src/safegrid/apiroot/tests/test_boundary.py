"""The API at its input boundary (issue 8): control characters, NUL, blanks, phones, ids out of
range, nulls and non-objects, oversized and malformed bodies, anonymous writes, one length per
field, and the error answers in the OpenAPI document."""

from __future__ import annotations

import pytest
from django.test import Client
from pydantic import BaseModel

from safegrid.api.schemas import InputSchema
from safegrid.apiroot.api import api
from safegrid.core.models import AuditEntry
from safegrid.enterprises.models import Enterprise, OrgUnit, Person
from safegrid.enterprises.rules import make_uscc

from .conftest import assert_error

ENTERPRISES = "/api/v1/enterprises"
HUGE = "99999999999999999999"


def _new(world, **overrides):
    data = {
        "name": "丙机械制造有限公司",
        "uscc": make_uscc("91370321MA3C00003"),
        "sectors": ["industry_trade"],
        "division": world.village_a.code,
        "legal_rep": "孙丙",
    }
    return {**data, **overrides}


def _send(client, method, url, data, headers):
    return getattr(client, method)(url, data, content_type="application/json", **headers)


def test_every_route_reads_its_input_through_the_input_rule():
    """Every schema a route reads (body or query) is an InputSchema: a new router cannot forget it."""
    found = []
    for router in [api.default_router, *(r for _prefix, r in api._routers)]:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    for field in model.model_fields.values():
                        schema = field.annotation
                        if isinstance(schema, type) and issubclass(schema, BaseModel):
                            found.append(schema)
                            assert issubclass(schema, InputSchema), (
                                f"{operation.view_func.__name__}: {schema}"
                            )
    assert len(found) > 20


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_nul_and_surrogates_are_a_field_named_422(world, client, bearer, char):
    admin, manager = bearer("county_admin"), bearer("ent_a")
    before = (Enterprise.objects.count(), Person.objects.count(), AuditEntry.objects.count())
    cases = [
        ("post", ENTERPRISES, _new(world, name=f"甲{char}乙"), admin, "name"),
        ("post", ENTERPRISES, _new(world, address=f"路{char}"), admin, "address"),
        (
            "patch",
            f"{ENTERPRISES}/{world.ent_a.pk}",
            {"safety_manager": f"王{char}五"},
            manager,
            "safety_manager",
        ),
        ("post", "/api/v1/people", {"enterprise": world.ent_a.pk, "name": f"李{char}"}, manager, "name"),
        ("patch", f"/api/v1/people/{world.person_a.pk}", {"job_title": f"工{char}"}, manager, "job_title"),
        (
            "post",
            "/api/v1/certificates",
            {"enterprise": world.ent_a.pk, "kind": "hazchem", "number": f"T{char}1"},
            manager,
            "number",
        ),
        ("post", "/api/v1/auth/token", {"username": f"a{char}", "password": "x"}, {}, "username"),
    ]
    for method, url, data, headers, field in cases:
        error = assert_error(_send(client, method, url, data, headers), 422, "validation_error")
        assert list(error["fields"]) == [field], (url, error)
    assert (Enterprise.objects.count(), Person.objects.count(), AuditEntry.objects.count()) == before


def test_text_is_stored_normalised_and_blank_is_empty(world, client, bearer):
    admin = bearer("county_admin")
    response = _send(
        client, "post", ENTERPRISES, _new(world, name="  Cafe\u0301 化工  ", address="   "), admin
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Café 化工" and response.json()["address"] == ""
    for field, value in (("name", "   "), ("legal_rep", "\u3000")):
        error = assert_error(
            _send(
                client,
                "post",
                ENTERPRISES,
                _new(world, uscc=make_uscc("91370321MA3C00004"), **{field: value}),
                admin,
            ),
            422,
            "validation_error",
        )
        assert error["fields"] == {field: ["此字段不能为空"]}
    cert = {"enterprise": world.ent_a.pk, "kind": "hazchem", "number": "   "}
    error = assert_error(_send(client, "post", "/api/v1/certificates", cert, admin), 422, "validation_error")
    assert list(error["fields"]) == ["number"]


def test_a_phone_must_be_a_phone_through_every_write(world, client, bearer):
    manager = bearer("ent_a")
    for method, url, field in (
        ("patch", f"{ENTERPRISES}/{world.ent_a.pk}", "legal_rep_phone"),
        ("patch", f"/api/v1/people/{world.person_a.pk}", "phone"),
    ):
        error = assert_error(_send(client, method, url, {field: "abc"}, manager), 422, "validation_error")
        assert list(error["fields"]) == [field]
    ok = _send(client, "patch", f"/api/v1/people/{world.person_a.pk}", {"phone": "0533-8000000"}, manager)
    assert ok.status_code == 200 and ok.json()["phone"] == "0533-8000000"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/v1/certificates?enterprise={HUGE}", "enterprise"),
        (f"/api/v1/certificates?person={HUGE}", "person"),
        (f"/api/v1/people?enterprise={HUGE}", "enterprise"),
        (f"/api/v1/people?org_unit={HUGE}", "org_unit"),
        (f"/api/v1/risks/points?enterprise={HUGE}", "enterprise"),
        (f"{ENTERPRISES}?offset=18446744073709551617", "offset"),
        (f"{ENTERPRISES}?offset=-1", "offset"),
        ("/api/v1/people?enterprise=0", "enterprise"),
    ],
)
def test_ids_and_offsets_out_of_range_are_a_field_named_422(world, client, bearer, url, field):
    error = assert_error(client.get(url, **bearer("county_admin")), 422, "validation_error")
    assert list(error["fields"]) == [field]


def test_an_id_out_of_range_in_the_path_or_body_is_not_found(world, client, bearer):
    admin = bearer("county_admin")
    assert_error(client.get(f"{ENTERPRISES}/{HUGE}", **admin), 404, "not_found")
    assert_error(client.get(f"/api/v1/people/{2**63}", **admin), 404, "not_found")
    error = assert_error(
        _send(client, "post", "/api/v1/people", {"enterprise": int(HUGE), "name": "甲"}, admin),
        422,
        "validation_error",
    )
    assert list(error["fields"]) == ["enterprise"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sectors": None}, "sectors"),
        ({"name": None}, "name"),
        ({"scale": None}, "scale"),
        ({"employees": None}, "employees"),
    ],
)
def test_patch_null_on_a_required_field_is_a_422(world, client, bearer, body, field):
    url = f"{ENTERPRISES}/{world.ent_a.pk}"
    error = assert_error(_send(client, "patch", url, body, bearer("county_admin")), 422, "validation_error")
    assert error["fields"] == {field: ["此字段不能为空"]}


def test_patch_null_clears_what_may_be_cleared(world, client, bearer):
    url = f"{ENTERPRISES}/{world.ent_a.pk}"
    response = _send(client, "patch", url, {"grid": None, "lat": None, "lon": None}, bearer("county_admin"))
    assert response.status_code == 200, response.content
    assert response.json()["grid"] is None and response.json()["lat"] is None


@pytest.mark.parametrize("body", ["[null, null]", "[]", '"text"', "42", "null"])
def test_a_body_that_is_not_an_object_is_a_422(world, client, bearer, body):
    url, admin = f"{ENTERPRISES}/{world.ent_a.pk}", bearer("county_admin")
    before = AuditEntry.objects.count()
    response = client.patch(url, body, content_type="application/json", **admin)
    assert_error(response, 422, "validation_error")
    assert AuditEntry.objects.count() == before


def test_a_10_mb_body_is_413_and_a_bad_multipart_400(world, client, bearer):
    admin = bearer("county_admin")
    huge = {"address": "x" * (10 * 1024 * 1024)}
    assert_error(_send(client, "patch", f"{ENTERPRISES}/{world.ent_a.pk}", huge, admin), 413, "too_large")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/api/v1/auth/token", b'{"username":"a","password":"b"}', content_type="multipart/form-data"
    )
    assert_error(response, 400, "validation_error")
    response = strict.post(ENTERPRISES, b"--x\r\n", content_type="multipart/form-data", **admin)
    assert_error(response, 400, "validation_error")


def test_control_characters_in_the_url_are_a_400(world, client, bearer):
    admin = bearer("county_admin")
    assert_error(client.get(f"{ENTERPRISES}?q=a%00b", **admin), 400, "validation_error")
    assert_error(client.get("/api/v1/divisions/37%0032", **admin), 400, "validation_error")


def test_anonymous_writes_are_401_not_a_csrf_403(world):
    strict = Client(enforce_csrf_checks=True)
    for method, url in (
        ("post", ENTERPRISES),
        ("patch", f"{ENTERPRISES}/{world.ent_a.pk}"),
        ("delete", "/api/v1/auth/token"),
    ):
        response = getattr(strict, method)(url, "{}", content_type="application/json")
        assert_error(response, 401, "unauthorized")
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_enterprise_name_has_one_limit_through_every_door(world, client, bearer):
    admin = bearer("county_admin")
    long_name = "企" * 128
    created = _send(client, "post", ENTERPRISES, _new(world, name=long_name), admin)
    assert created.status_code == 201, created.content
    company = OrgUnit.objects.get(enterprise_id=created.json()["id"], parent=None)
    assert company.name == long_name
    url = f"{ENTERPRISES}/{created.json()['id']}"
    assert _send(client, "patch", url, {"name": "业" * 128}, admin).status_code == 200
    for method, target, data in (
        ("post", ENTERPRISES, _new(world, uscc=make_uscc("91370321MA3C00004"), name="企" * 129)),
        ("patch", url, {"name": "企" * 129}),
    ):
        error = assert_error(_send(client, method, target, data, admin), 422, "validation_error")
        assert list(error["fields"]) == ["name"]


def test_an_enterprise_belongs_to_a_town_or_village_never_the_county(world, client, bearer):
    admin = bearer("county_admin")
    error = assert_error(
        _send(client, "post", ENTERPRISES, _new(world, division=world.county.code), admin),
        422,
        "validation_error",
    )
    assert list(error["fields"]) == ["division"]
    url = f"{ENTERPRISES}/{world.ent_a.pk}"
    assert_error(_send(client, "patch", url, {"division": world.county.code}, admin), 422, "validation_error")
    moved = _send(client, "post", ENTERPRISES, _new(world, division=world.town_a.code), admin)
    assert moved.status_code == 201, moved.content


def test_the_document_lists_every_error_answer():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"400", "422"} <= statuses, (method, path)
            if operation.get("security"):
                assert "401" in statuses, (method, path)
                if method in {"post", "patch", "put", "delete"}:
                    assert {"409", "413"} <= statuses, (method, path)
            if "requestBody" in operation:
                assert "413" in statuses, (method, path)


def test_a_failed_sign_in_with_a_long_username_is_audited_not_a_500(world, client):
    username = "0" * 150  # PostgreSQL refuses an object id over 64 characters
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": "x"}, content_type="application/json"
    )
    assert_error(response, 401, "unauthorized")
    entry = AuditEntry.objects.filter(action="login_failed").latest("id")
    assert entry.object_id == username[:64] and entry.after["username"] == username
