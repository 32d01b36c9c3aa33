"""The API as a whole: the OpenAPI document, the docs page, the error shape, the route walker helper."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from safegrid.api import errors
from safegrid.apiroot.testing import api_routes, path_values_for
from safegrid.enterprises.models import Person
from safegrid.testworld import extend_world

from .conftest import assert_error

EXPECTED_ROUTES = {
    ("post", "/api/v1/auth/token"),
    ("delete", "/api/v1/auth/token"),
    ("get", "/api/v1/auth/me"),
    ("get", "/api/v1/divisions"),
    ("get", "/api/v1/divisions/{code}"),
    ("get", "/api/v1/grids"),
    ("get", "/api/v1/grids/{grid_id}"),
    ("get", "/api/v1/departments"),
    ("get", "/api/v1/sectors"),
    ("get", "/api/v1/enterprises"),
    ("post", "/api/v1/enterprises"),
    ("get", "/api/v1/enterprises/{enterprise_id}"),
    ("patch", "/api/v1/enterprises/{enterprise_id}"),
    ("delete", "/api/v1/enterprises/{enterprise_id}"),
    ("get", "/api/v1/enterprises/{enterprise_id}/org-units"),
    ("post", "/api/v1/enterprises/{enterprise_id}/org-units"),
    ("get", "/api/v1/people"),
    ("post", "/api/v1/people"),
    ("get", "/api/v1/people/{person_id}"),
    ("patch", "/api/v1/people/{person_id}"),
    ("delete", "/api/v1/people/{person_id}"),
    ("get", "/api/v1/certificates"),
    ("post", "/api/v1/certificates"),
    ("get", "/api/v1/certificates/{certificate_id}"),
    ("patch", "/api/v1/certificates/{certificate_id}"),
    ("delete", "/api/v1/certificates/{certificate_id}"),
    ("post", "/api/v1/risks/assess"),
    ("get", "/api/v1/risks/points"),
    ("post", "/api/v1/risks/points"),
    ("get", "/api/v1/risks/points/{point_id}"),
    ("patch", "/api/v1/risks/points/{point_id}"),
    ("post", "/api/v1/risks/points/{point_id}/deactivate"),
    ("post", "/api/v1/risks/points/{point_id}/reactivate"),
    ("post", "/api/v1/risks/points/{point_id}/factors"),
    ("patch", "/api/v1/risks/factors/{factor_id}"),
    ("delete", "/api/v1/risks/factors/{factor_id}"),
    ("post", "/api/v1/risks/factors/{factor_id}/assessments"),
    ("post", "/api/v1/risks/points/{point_id}/measures"),
    ("patch", "/api/v1/risks/measures/{measure_id}"),
    ("delete", "/api/v1/risks/measures/{measure_id}"),
    ("post", "/api/v1/risks/points/{point_id}/tiers"),
    ("delete", "/api/v1/risks/tiers/{assignment_id}"),
}


def test_openapi_document_lists_every_route(db, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.content)
    assert spec["info"]["title"] == "SafeGrid API" and spec["info"]["version"] == "1"
    listed = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert listed >= EXPECTED_ROUTES
    assert "/api/v1/risks/points" in spec["paths"]
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    # Every authenticated operation documents the error shape.
    me = spec["paths"]["/api/v1/auth/me"]["get"]
    assert "401" in me["responses"]
    assert spec["paths"]["/api/v1/auth/token"]["post"].get("security") in (None, [])


def test_docs_page_needs_a_session_and_loads_only_local_assets(world, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(world.user("ent_a"), backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    assert 'id="swagger-settings" type="application/json"' in html  # read by ninja's init script
    assert "/api/v1/openapi.json" in html
    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        url = f"/api/v1/docs/assets/{name}"
        assert url in html
        asset = client.get(url)
        assert asset.status_code == 200 and b"".join(asset.streaming_content)
    assert client.get("/api/v1/docs/assets/..%2Fsettings.py").status_code == 404
    assert client.get("/api/v1/docs/assets/__init__.py").status_code == 404


def test_unknown_path_and_wrong_method_use_the_error_shape(world, client, bearer):
    headers = bearer("county_admin")
    assert_error(client.get("/api/v1/no-such-thing", **headers), 404, "not_found")
    response = client.put("/api/v1/enterprises", {}, content_type="application/json", **headers)
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"] and "POST" in response["Allow"]


def test_malformed_json_is_a_validation_error(world, client, bearer):
    response = client.post("/api/v1/people", "{not json", content_type="application/json", **bearer("ent_a"))
    assert response.status_code in {400, 422}
    assert_error(response, response.status_code, "validation_error")


def test_wrong_path_type_names_the_parameter(world, client, bearer):
    error = assert_error(
        client.get("/api/v1/enterprises/abc", **bearer("county_admin")), 422, "validation_error"
    )
    assert list(error["fields"]) == ["enterprise_id"]
    assert error["fields"]["enterprise_id"] == ["须为整数"]


def test_integrity_error_is_a_conflict(world, client, bearer, monkeypatch):
    from safegrid.enterprises import services

    def racing_insert(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: enterprises_person.user_id")

    monkeypatch.setattr(services, "person_create", racing_insert)
    response = client.post(
        "/api/v1/people",
        {"enterprise": world.ent_a.pk, "name": "并发"},
        content_type="application/json",
        **bearer("ent_a"),
    )
    error = assert_error(response, 409, "conflict")
    assert error["fields"] == {}
    assert not Person.objects.filter(name="并发").exists()


def test_unexpected_errors_keep_the_shape(world, client, bearer, monkeypatch):
    from safegrid.enterprises import selectors

    def broken(user, pk):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "enterprise_get", broken)
    response = client.get(f"/api/v1/enterprises/{world.ent_a.pk}", **bearer("county_admin"))
    error = assert_error(response, 500, "server_error")
    assert "boom" not in response.content.decode()
    assert error["fields"] == {}


def test_django_validation_errors_map_to_fields():
    assert errors.django_validation_fields(ValidationError("整体错误")) == {"__all__": ["整体错误"]}
    assert errors.django_validation_fields(ValidationError({"uscc": ["重复"], "lat": ["超出范围"]})) == {
        "uscc": ["重复"],
        "lat": ["超出范围"],
    }


@pytest.mark.parametrize(
    ("error", "field", "message"),
    [
        (
            {"loc": ("body", "payload", "lat"), "type": "less_than_equal", "ctx": {"le": 90}},
            "lat",
            "不能大于 90",
        ),
        ({"loc": ("query", "limit"), "type": "greater_than_equal", "ctx": {"ge": 1}}, "limit", "不能小于 1"),
        ({"loc": ("body", "payload", "sectors", 0), "type": "string_type"}, "sectors", "须为字符串"),
        (
            {
                "loc": ("body", "payload", "uscc"),
                "type": "value_error",
                "ctx": {"error": ValueError("校验位错误")},
            },
            "uscc",
            "校验位错误",
        ),
        ({"loc": ("body", "payload"), "type": "missing"}, "__all__", "此字段为必填项"),
        ({"loc": ("body", "payload", "x"), "type": "something_new", "msg": "Something"}, "x", "Something"),
    ],
)
def test_pydantic_errors_name_their_field_in_chinese(error, field, message):
    assert errors.ninja_validation_fields([error]) == {field: [message]}


# --- the route walker helper ---------------------------------------------------------------------


def test_api_routes_lists_methods_paths_and_params(db):
    routes = api_routes()
    assert {(r.method, r.path) for r in routes} >= EXPECTED_ROUTES
    detail = next(r for r in routes if r.method == "patch" and r.path.endswith("/people/{person_id}"))
    assert detail.params == ("person_id",) and detail.is_unsafe
    assert detail.url(person_id=7) == "/api/v1/people/7"
    with pytest.raises(KeyError):
        detail.url()


def test_path_values_fill_every_route_with_the_enterprises_objects(world):
    extend_world(world)  # every app's enterprise-B data (risks: points, factors, measures, tiers, …)
    routes = api_routes()
    values = path_values_for(world.ent_b, world.town_b, world.village_b)
    assert values["enterprise_id"] == [str(world.ent_b.pk)]
    assert values["person_id"] == [
        str(pk) for pk in Person.objects.filter(enterprise=world.ent_b).values_list("pk", flat=True)
    ]
    assert set(values["code"]) == {world.town_b.code, world.village_b.code}
    assert values["grid_id"] == [str(world.grid_b.pk)]
    for route in routes:
        urls = route.urls(values)
        assert urls and all("{" not in u for u in urls), route


def test_walking_every_route_as_enterprise_a_never_reaches_enterprise_b(world, client, bearer):
    """A small version of the shared scope walk, with this helper: B's objects are 404 to A."""
    extend_world(world)  # every app's enterprise-B data (risks: points, factors, measures, tiers, …)
    headers = bearer("ent_a")
    values = path_values_for(world.ent_b, world.town_b, world.village_b)
    checked = 0
    for route in api_routes():
        if not route.params:
            continue
        for url in route.urls(values):
            response = client.generic(
                route.method.upper(), url, "{}", content_type="application/json", **headers
            )
            assert response.status_code in {404, 422}, (route.method, url, response.status_code)
            if response.status_code == 404:
                assert_error(response, 404, "not_found")
            checked += 1
    assert checked >= 25


def test_openapi_document_has_no_duplicated_key(db, client):
    """Swagger UI parses the document with a YAML parser, which refuses a key given twice in one object."""
    duplicated: list[str] = []

    def no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _ in pairs]
        duplicated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicates)
    assert duplicated == []


def test_every_schema_has_a_name_of_its_own():
    """The OpenAPI document names a schema by its class name, so two routers' `PersonOut` would share one
    component and one of them would be documented (and fuzzed) with the other's fields."""
    from collections import defaultdict

    from ninja import Schema

    import safegrid.apiroot.api  # noqa: F401  (every router imported)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    modules: dict[str, set[str]] = defaultdict(set)
    for cls in subclasses(Schema):
        if cls.__module__.startswith("safegrid.") and ".tests." not in cls.__module__:
            modules[cls.__name__].add(cls.__module__)
    assert {name: sorted(m) for name, m in modules.items() if len(m) > 1} == {}
