"""Enterprises and their children through the API: scope, write permissions, validation, queries."""

from __future__ import annotations

import pytest

from safegrid.core.models import AuditEntry
from safegrid.enterprises.models import Certificate, Enterprise, OrgUnit, Person
from safegrid.enterprises.rules import make_uscc, uscc_problem

from .conftest import assert_error

ENTERPRISES = "/api/v1/enterprises"


def _new_enterprise(world, **overrides):
    data = {
        "name": "丙机械制造有限公司",
        "uscc": make_uscc("91370321MA3C00003"),
        "sectors": ["industry_trade"],
        "division": world.village_a.code,
        "grid": world.grid_a.pk,
        "legal_rep": "孙丙",
        "lat": 36.95,
        "lon": 118.09,
    }
    data.update(overrides)
    return data


def _post(client, url, data, headers):
    return client.post(url, data, content_type="application/json", **headers)


def _patch(client, url, data, headers):
    return client.patch(url, data, content_type="application/json", **headers)


# --- reads ---------------------------------------------------------------------------------------


def test_town_sees_only_its_enterprises(world, client, bearer):
    headers = bearer("town_a")
    response = client.get(ENTERPRISES, **headers)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert [e["id"] for e in body["items"]] == [world.ent_a.pk]
    item = body["items"][0]
    assert item["uscc"] == world.ent_a.uscc
    assert item["sectors"] == ["hazardous_chemicals"]
    assert item["division"] == world.village_a.code and item["division_name"] == "甲村"
    assert item["grid"] == world.grid_a.pk and item["grid_name"] == world.grid_a.name
    assert world.ent_b.name not in response.content.decode()

    assert client.get(f"{ENTERPRISES}/{world.ent_a.pk}", **headers).status_code == 200
    assert_error(client.get(f"{ENTERPRISES}/{world.ent_b.pk}", **headers), 404, "not_found")
    assert_error(client.get(f"{ENTERPRISES}/{world.ent_b.pk}/org-units", **headers), 404, "not_found")


def test_enterprise_list_filters_and_pagination(world, client, bearer):
    headers = bearer("county_admin")

    def ids(query: str) -> list[int]:
        response = client.get(f"{ENTERPRISES}?{query}", **headers)
        assert response.status_code == 200, response.content
        return [e["id"] for e in response.json()["items"]]

    assert set(ids("")) == {world.ent_a.pk, world.ent_b.pk}
    assert ids(f"division={world.town_b.code}") == [world.ent_b.pk]  # subtree: town B contains village B
    assert ids(f"division={world.village_a.code}") == [world.ent_a.pk]
    assert ids("sector=hazardous_chemicals") == [world.ent_a.pk]
    assert ids("status=operating&q=建筑") == [world.ent_b.pk]
    assert ids(f"q={world.ent_a.uscc.lower()}") == [world.ent_a.pk]
    assert ids("status=closed") == []

    page = client.get(f"{ENTERPRISES}?limit=1&offset=1", **headers).json()
    assert page["total"] == 2 and page["limit"] == 1 and page["offset"] == 1 and len(page["items"]) == 1
    error = assert_error(client.get(f"{ENTERPRISES}?limit=0", **headers), 422, "validation_error")
    assert "limit" in error["fields"]
    assert_error(client.get(f"{ENTERPRISES}?status=bogus", **headers), 422, "validation_error")


def test_children_lists_follow_scope(world, client, bearer):
    headers = bearer("ent_b")
    people = client.get("/api/v1/people", **headers).json()
    assert [p["name"] for p in people["items"]] == ["赵架子工"]
    certs = client.get("/api/v1/certificates", **headers).json()
    assert [c["number"] for c in certs["items"]] == ["T-B-0001"]
    assert certs["items"][0]["expiry_status"] == "valid"
    assert_error(client.get(f"/api/v1/people/{world.person_a.pk}", **headers), 404, "not_found")

    # The post user of enterprise A sees only its own post's subtree.
    units = client.get(f"{ENTERPRISES}/{world.ent_a.pk}/org-units", **bearer("post_a")).json()
    assert [u["name"] for u in units] == ["反应釜操作岗"]


def test_expiring_certificates_filter(world, client, bearer):
    headers = bearer("county_admin")
    everything = client.get("/api/v1/certificates", **headers).json()
    assert everything["total"] == 2
    expiring = client.get("/api/v1/certificates?expiring=true", **headers).json()
    assert [c["number"] for c in expiring["items"]] == ["T-A-0001"]
    assert expiring["items"][0]["expiry_status"] == "expired"


def test_person_list_by_org_unit_subtree(world, client, bearer):
    headers = bearer("ent_a")
    workshop = OrgUnit.objects.get(enterprise=world.ent_a, kind="workshop")
    found = client.get(f"/api/v1/people?org_unit={workshop.pk}", **headers).json()
    assert [p["id"] for p in found["items"]] == [world.person_a.pk]
    other = OrgUnit.objects.get(enterprise=world.ent_b, parent__isnull=True)
    assert client.get(f"/api/v1/people?org_unit={other.pk}", **headers).json()["total"] == 0


# --- writes: who may -----------------------------------------------------------------------------


def test_enterprise_user_cannot_touch_another_enterprise(world, client, bearer):
    headers = bearer("ent_a")
    before = AuditEntry.objects.count()
    response = _patch(client, f"{ENTERPRISES}/{world.ent_b.pk}", {"name": "改名"}, headers)
    assert_error(response, 404, "not_found")
    assert_error(client.delete(f"{ENTERPRISES}/{world.ent_b.pk}", **headers), 404, "not_found")
    person_b = Person.objects.get(enterprise=world.ent_b)
    assert_error(_patch(client, f"/api/v1/people/{person_b.pk}", {"name": "x"}, headers), 404, "not_found")
    assert AuditEntry.objects.count() == before
    world.ent_b.refresh_from_db()
    assert world.ent_b.name == "乙建筑工程有限公司"


def test_enterprise_user_cannot_create_or_edit_the_enterprise_record(world, client, bearer):
    headers = bearer("ent_a")
    error = assert_error(_post(client, ENTERPRISES, _new_enterprise(world), headers), 403, "forbidden")
    assert error["fields"] == {}
    assert not Enterprise.objects.filter(name="丙机械制造有限公司").exists()
    assert_error(_patch(client, f"{ENTERPRISES}/{world.ent_a.pk}", {"name": "x"}, headers), 403, "forbidden")
    assert_error(client.delete(f"{ENTERPRISES}/{world.ent_a.pk}", **headers), 403, "forbidden")
    # Its own contact names and phones it may keep current (as on the web page), and only those.
    contacts = {"safety_manager": "周安全", "safety_manager_phone": "13800000001"}
    response = _patch(client, f"{ENTERPRISES}/{world.ent_a.pk}", contacts, headers)
    assert response.status_code == 200, response.content
    assert response.json()["safety_manager"] == "周安全"
    mixed = {**contacts, "employees": 9}
    assert_error(_patch(client, f"{ENTERPRISES}/{world.ent_a.pk}", mixed, headers), 403, "forbidden")
    world.ent_a.refresh_from_db()
    assert world.ent_a.employees == 0 and world.ent_a.name == "甲化工有限公司"


def test_county_admin_creates_updates_and_deletes(world, client, bearer):
    headers = bearer("county_admin")
    response = _post(client, ENTERPRISES, _new_enterprise(world), headers)
    assert response.status_code == 201, response.content
    created = response.json()
    enterprise = Enterprise.objects.get(pk=created["id"])
    assert created["sectors"] == ["industry_trade"] and enterprise.division_id == world.village_a.code
    # The service also created the company unit.
    assert OrgUnit.objects.filter(enterprise=enterprise, parent__isnull=True, kind="company").exists()
    assert AuditEntry.objects.filter(
        object_type="enterprises.enterprise", object_id=str(enterprise.pk)
    ).exists()

    response = _patch(
        client,
        f"{ENTERPRISES}/{enterprise.pk}",
        {"employees": 42, "sectors": ["industry_trade", "fire"], "grid": None},
        headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["employees"] == 42
    assert sorted(response.json()["sectors"]) == ["fire", "industry_trade"]
    assert response.json()["grid"] is None
    update = AuditEntry.objects.filter(action="update", object_id=str(enterprise.pk)).latest("id")
    assert update.after["employees"] == 42

    company = OrgUnit.objects.get(enterprise=enterprise)
    response = client.delete(f"{ENTERPRISES}/{enterprise.pk}", **headers)
    assert response.status_code == 204, response.content
    assert not Enterprise.objects.filter(pk=enterprise.pk).exists()
    assert not OrgUnit.objects.filter(pk=company.pk).exists()


def test_town_officer_edits_in_town_only(world, client, bearer):
    headers = bearer("town_a")
    response = _patch(client, f"{ENTERPRISES}/{world.ent_a.pk}", {"address": "索镇工业园 1 号"}, headers)
    assert response.status_code == 200, response.content
    # Moving it to town B is refused: town B's village is not visible to this officer.
    error = assert_error(
        _patch(client, f"{ENTERPRISES}/{world.ent_a.pk}", {"division": world.village_b.code}, headers),
        422,
        "validation_error",
    )
    assert set(error["fields"]) == {"division"}
    world.ent_a.refresh_from_db()
    assert world.ent_a.division_id == world.village_a.code
    # Registering and removing enterprises is for the county administrator.
    assert_error(_post(client, ENTERPRISES, _new_enterprise(world), headers), 403, "forbidden")
    assert_error(client.delete(f"{ENTERPRISES}/{world.ent_a.pk}", **headers), 403, "forbidden")
    assert Enterprise.objects.filter(pk=world.ent_a.pk).exists()
    # The grid worker of town A can read enterprise A but not change it.
    assert_error(
        _patch(client, f"{ENTERPRISES}/{world.ent_a.pk}", {"address": "x"}, bearer("grid_a")),
        403,
        "forbidden",
    )


def test_enterprise_manager_manages_its_staff(world, client, bearer):
    headers = bearer("ent_a")
    team = OrgUnit.objects.get(enterprise=world.ent_a, kind="team")
    response = _post(
        client,
        f"{ENTERPRISES}/{world.ent_a.pk}/org-units",
        {
            "parent": team.pk,
            "kind": "post",
            "name": "包装岗",
            "is_key_post": True,
            "required_certificate": "hazchem",
        },
        headers,
    )
    assert response.status_code == 201, response.content
    post = OrgUnit.objects.get(pk=response.json()["id"])
    assert post.path.startswith(team.path) and post.required_certificate == "hazchem"

    response = _post(
        client,
        "/api/v1/people",
        {"enterprise": world.ent_a.pk, "name": "李包装", "org_unit": post.pk},
        headers,
    )
    assert response.status_code == 201, response.content
    person_id = response.json()["id"]
    assert response.json()["org_unit_name"] == "包装岗"

    response = _post(
        client,
        "/api/v1/certificates",
        {
            "enterprise": world.ent_a.pk,
            "person": person_id,
            "kind": "hazchem",
            "number": "T-A-0002",
            "expires_on": "2030-06-30",
        },
        headers,
    )
    assert response.status_code == 201, response.content
    cert_id = response.json()["id"]
    response = _patch(client, f"/api/v1/certificates/{cert_id}", {"issuer": "淄博市应急管理局"}, headers)
    assert response.status_code == 200 and response.json()["issuer"] == "淄博市应急管理局"
    response = _patch(
        client, f"/api/v1/people/{person_id}", {"job_title": "包装工", "active": False}, headers
    )
    assert response.status_code == 200 and response.json()["active"] is False
    assert client.delete(f"/api/v1/certificates/{cert_id}", **headers).status_code == 204
    assert client.delete(f"/api/v1/people/{person_id}", **headers).status_code == 204
    assert not Person.objects.filter(pk=person_id).exists()

    # The town officer sees enterprise A's people but does not manage them.
    town = bearer("town_a")
    assert_error(
        _patch(client, f"/api/v1/people/{world.person_a.pk}", {"phone": "1"}, town), 403, "forbidden"
    )
    assert_error(
        _post(client, "/api/v1/people", {"enterprise": world.ent_a.pk, "name": "某人"}, town),
        403,
        "forbidden",
    )


def test_staff_cannot_be_placed_in_another_enterprise(world, client, bearer):
    headers = bearer("county_admin")
    unit_b = OrgUnit.objects.get(enterprise=world.ent_b, parent__isnull=True)
    error = assert_error(
        _post(
            client,
            "/api/v1/people",
            {"enterprise": world.ent_a.pk, "name": "错位", "org_unit": unit_b.pk},
            headers,
        ),
        422,
        "validation_error",
    )
    assert set(error["fields"]) == {"org_unit"}
    # ent_a cannot name enterprise B in a body either, and is not told whether it exists.
    error = assert_error(
        _post(client, "/api/v1/people", {"enterprise": world.ent_b.pk, "name": "越权"}, bearer("ent_a")),
        422,
        "validation_error",
    )
    assert error["fields"] == {"enterprise": ["不存在或无权访问"]}
    assert not Person.objects.filter(name__in=["错位", "越权"]).exists()


# --- writes: bad input refused whole -------------------------------------------------------------


@pytest.mark.parametrize(
    "uscc",
    ["91370321MA3C0000", "91370321MA3C00003I", make_uscc("91370321MA3C00003")[:-1] + "0"],
)
def test_bad_uscc_is_refused_with_its_reason(world, client, bearer, uscc):
    if uscc_problem(uscc) is None:  # the corrupted check character happened to be right
        uscc = uscc[:-1] + "1"
    count = Enterprise.objects.count()
    error = assert_error(
        _post(client, ENTERPRISES, _new_enterprise(world, uscc=uscc), bearer("county_admin")),
        422,
        "validation_error",
    )
    assert error["fields"]["uscc"] == [uscc_problem(uscc)]
    assert Enterprise.objects.count() == count


@pytest.mark.parametrize(("field", "value"), [("lat", 91), ("lat", -90.5), ("lon", 181)])
def test_out_of_range_coordinates_are_refused(world, client, bearer, field, value):
    count = Enterprise.objects.count()
    error = assert_error(
        _post(client, ENTERPRISES, _new_enterprise(world, **{field: value}), bearer("county_admin")),
        422,
        "validation_error",
    )
    assert list(error["fields"]) == [field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["fields"][field][0])
    assert Enterprise.objects.count() == count
    response = _patch(client, f"{ENTERPRISES}/{world.ent_a.pk}", {field: value}, bearer("county_admin"))
    assert list(assert_error(response, 422, "validation_error")["fields"]) == [field]


def test_duplicate_uscc_is_refused_and_nothing_saved(world, client, bearer):
    headers = bearer("county_admin")
    count, audit_count = Enterprise.objects.count(), AuditEntry.objects.count()
    response = _post(client, ENTERPRISES, _new_enterprise(world, uscc=world.ent_b.uscc), headers)
    assert response.status_code in {409, 422}
    error = assert_error(
        response, response.status_code, "validation_error" if response.status_code == 422 else "conflict"
    )
    assert "uscc" in error["fields"]
    assert Enterprise.objects.count() == count and AuditEntry.objects.count() == audit_count
    assert OrgUnit.objects.filter(name="丙机械制造有限公司").count() == 0
    patch = _patch(client, f"{ENTERPRISES}/{world.ent_a.pk}", {"uscc": world.ent_b.uscc}, headers)
    assert "uscc" in assert_error(patch, 422, "validation_error")["fields"]


def test_missing_and_unknown_references_are_named(world, client, bearer):
    data = _new_enterprise(world, sectors=["no_such_sector"], division="370321009", grid=999999)
    del data["legal_rep"]
    error = assert_error(_post(client, ENTERPRISES, data, bearer("county_admin")), 422, "validation_error")
    assert set(error["fields"]) == {"legal_rep"}  # schema errors come first
    data["legal_rep"] = "孙丙"
    error = assert_error(_post(client, ENTERPRISES, data, bearer("county_admin")), 422, "validation_error")
    assert set(error["fields"]) == {"sectors", "division", "grid"}


def test_service_rules_surface_as_field_errors(world, client, bearer):
    # A certificate that expires before it was issued: the model's clean() names expires_on.
    error = assert_error(
        _post(
            client,
            "/api/v1/certificates",
            {
                "enterprise": world.ent_a.pk,
                "kind": "welding",
                "number": "W-1",
                "issued_on": "2024-05-01",
                "expires_on": "2024-01-01",
            },
            bearer("ent_a"),
        ),
        422,
        "validation_error",
    )
    assert set(error["fields"]) == {"expires_on"}
    # An org unit of the wrong kind under its parent: the service names kind.
    team = OrgUnit.objects.get(enterprise=world.ent_a, kind="team")
    error = assert_error(
        _post(
            client,
            f"{ENTERPRISES}/{world.ent_a.pk}/org-units",
            {"parent": team.pk, "kind": "workshop", "name": "x"},
            bearer("ent_a"),
        ),
        422,
        "validation_error",
    )
    assert set(error["fields"]) == {"kind"}
    assert not Certificate.objects.filter(number="W-1").exists()


# --- queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [ENTERPRISES, "/api/v1/people", "/api/v1/certificates", "/api/v1/certificates?expiring=true"]
)
def test_list_queries_do_not_grow_with_rows(world, client, bearer, django_assert_max_num_queries, url):
    from safegrid.core.testing import SYSTEM
    from safegrid.enterprises import services

    headers = bearer("county_admin")

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, **headers).status_code == 200
        return len(ctx.captured_queries)

    count_queries()  # the token's first use records last_used_at once
    baseline = count_queries()
    for i in range(6):
        enterprise = services.enterprise_create(
            actor=SYSTEM,
            data={
                "name": f"批量企业{i}",
                "uscc": make_uscc(f"91370321MA3D{i:05d}"),
                "division": world.village_a,
                "legal_rep": "某",
            },
            sectors=[1, 2],
        )
        person = services.person_create(actor=SYSTEM, enterprise=enterprise, data={"name": f"员工{i}"})
        services.certificate_create(
            actor=SYSTEM,
            enterprise=enterprise,
            data={"person": person, "kind": "welding", "number": f"Q-{i}", "expires_on": "2020-01-01"},
        )
    assert count_queries() == baseline
    with django_assert_max_num_queries(6):
        client.get(url, **headers)
