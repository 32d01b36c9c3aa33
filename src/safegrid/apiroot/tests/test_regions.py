"""Divisions, grids, departments and sectors through the API."""

from __future__ import annotations

from .conftest import assert_error


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [d["code"] for d in response.json()]


def test_town_sees_its_subtree_only(world, client, bearer):
    headers = bearer("town_a")
    assert _codes(client.get("/api/v1/divisions", **headers)) == [world.town_a.code, world.village_a.code]
    assert _codes(client.get(f"/api/v1/divisions?parent={world.town_a.code}", **headers)) == [
        world.village_a.code
    ]
    assert _codes(client.get("/api/v1/divisions?level=village", **headers)) == [world.village_a.code]
    detail = client.get(f"/api/v1/divisions/{world.village_a.code}", **headers).json()
    assert detail["parent"] == world.town_a.code and detail["parent_name"] == world.town_a.name
    assert_error(client.get(f"/api/v1/divisions/{world.town_b.code}", **headers), 404, "not_found")
    assert_error(client.get(f"/api/v1/divisions/{world.county.code}", **headers), 404, "not_found")

    grids = client.get("/api/v1/grids", **headers).json()
    assert [g["code"] for g in grids] == ["G-A1"]
    assert grids[0]["division"] == world.village_a.code and grids[0]["worker_name"] == "网格员甲"
    assert_error(client.get(f"/api/v1/grids/{world.grid_b.pk}", **headers), 404, "not_found")


def test_county_and_regulators_see_the_whole_tree(world, client, bearer):
    for username in ("county_admin", "dept_chem"):
        headers = bearer(username)
        codes = _codes(client.get("/api/v1/divisions", **headers))
        assert {world.county.code, world.town_a.code, world.town_b.code} <= set(codes)
        assert _codes(client.get(f"/api/v1/divisions?within={world.town_b.code}", **headers)) == [
            world.town_b.code,
            world.village_b.code,
        ]
    grids = client.get(f"/api/v1/grids?division={world.town_b.code}", **bearer("county_admin")).json()
    assert [g["code"] for g in grids] == ["G-B1"]


def test_grid_worker_sees_its_grid(world, client, bearer):
    headers = bearer("grid_a")
    assert [g["id"] for g in client.get("/api/v1/grids", **headers).json()] == [world.grid_a.pk]
    assert_error(client.get(f"/api/v1/grids/{world.grid_b.pk}", **headers), 404, "not_found")


def test_reference_lists_for_every_signed_in_user(world, client, bearer):
    headers = bearer("outsider")
    sectors = client.get("/api/v1/sectors", **headers).json()
    assert len(sectors) == 10 and {"code", "name", "id"} == set(sectors[0])
    departments = client.get("/api/v1/departments", **headers).json()
    office = next(d for d in departments if d["is_safety_office"])
    assert len(office["sectors"]) == 10
    # The outsider has no area: no divisions, no grids, no enterprises.
    assert client.get("/api/v1/divisions", **headers).json() == []
    assert client.get("/api/v1/grids", **headers).json() == []
    assert client.get("/api/v1/enterprises", **headers).json()["total"] == 0
    assert_error(client.get("/api/v1/sectors"), 401, "unauthorized")


def test_bad_level_is_refused(world, client, bearer):
    error = assert_error(
        client.get("/api/v1/divisions?level=province", **bearer("county_admin")), 422, "validation_error"
    )
    assert list(error["fields"]) == ["level"]


def test_reference_list_queries_are_constant(world, client, bearer, django_assert_max_num_queries):
    headers = bearer("county_admin")
    client.get("/api/v1/auth/me", **headers)  # first use of the token records last_used_at
    for url in ("/api/v1/divisions", "/api/v1/grids", "/api/v1/departments", "/api/v1/sectors"):
        with django_assert_max_num_queries(4):
            assert client.get(url, **headers).status_code == 200
