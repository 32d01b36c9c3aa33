"""Division, grid and department pages: scoping, read-only reference data, audited grid writes."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safegrid.core.models import AuditEntry
from safegrid.regions.models import Division, Grid


def test_division_tree_is_scoped_with_enterprise_counts(world, login):
    response = login(world.user("county_admin")).get(reverse("regions:division_list"))
    rows = {r["object"].code: r["object"] for r in response.context["rows"]}
    assert list(rows) == sorted(rows)  # code order is tree order
    assert rows[world.county.code].enterprise_count == 2
    assert rows[world.town_a.code].enterprise_count == 1
    response = login(world.user("town_a")).get(reverse("regions:division_list"))
    codes = {r["object"].code for r in response.context["rows"]}
    assert codes == {world.town_a.code, world.village_a.code}


def test_division_detail_children_and_404(world, login):
    client = login(world.user("county_admin"))
    response = client.get(reverse("regions:division_detail", args=[world.town_a.code]))
    assert response.status_code == 200
    assert [c.code for c in response.context["children"]] == [world.village_a.code]
    assert response.context["enterprise_total"] == 1
    assert [g.code for g in response.context["grids"]] == ["G-A1"]
    other = login(world.user("town_b")).get(reverse("regions:division_detail", args=[world.town_a.code]))
    assert other.status_code == 404


def test_divisions_have_no_edit_routes(world, login):
    client = login(world.user("county_admin"))
    assert (
        client.post(reverse("regions:division_detail", args=[world.town_a.code]), {"name": "x"}).status_code
        == 405
    )
    assert Division.objects.get(code=world.town_a.code).name == "索镇街道"


def test_grid_create_by_county_admin_is_audited(world, login):
    client = login(world.user("county_admin"))
    data = {
        "code": "G-A2",
        "name": "甲村第二网格",
        "division": world.village_a.code,
        "worker_name": "网格员丙",
        "worker_phone": "13700000000",
        "worker": "",
    }
    response = client.post(reverse("regions:grid_create"), data)
    assert response.status_code == 302
    grid = Grid.objects.get(code="G-A2")
    assert AuditEntry.objects.filter(
        object_type="regions.grid", object_id=str(grid.pk), action="create"
    ).exists()
    # A duplicate code is refused on the field.
    response = client.post(reverse("regions:grid_create"), {**data, "name": "重复"})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert not Grid.objects.filter(name="重复").exists()


def test_grid_edit_forbidden_for_town_and_hidden_out_of_scope(world, login):
    town_a = login(world.user("town_a"))
    assert town_a.get(reverse("regions:grid_detail", args=[world.grid_a.pk])).status_code == 200
    assert town_a.get(reverse("regions:grid_edit", args=[world.grid_a.pk])).status_code == 403
    assert town_a.post(reverse("regions:grid_delete", args=[world.grid_a.pk])).status_code == 403
    assert town_a.get(reverse("regions:grid_detail", args=[world.grid_b.pk])).status_code == 404
    assert Grid.objects.filter(pk=world.grid_a.pk).exists()


def test_grid_delete_keeps_enterprises(world, login):
    client = login(world.user("county_admin"))
    response = client.post(reverse("regions:grid_delete", args=[world.grid_b.pk]))
    assert response.status_code == 302
    world.ent_b.refresh_from_db()
    assert world.ent_b.grid is None
    assert AuditEntry.objects.filter(object_type="regions.grid", action="delete").exists()


def test_departments_are_readable_by_everyone_signed_in(world, login):
    response = login(world.user("ent_a")).get(reverse("regions:department_list"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 10
    department = response.context["rows"][0]["object"]
    detail = login(world.user("ent_a")).get(reverse("regions:department_detail", args=[department.pk]))
    assert detail.status_code == 200
    assert len(detail.context["sectors"]) == 10  # the safety office leads every sector


def test_grid_list_query_count_is_constant(world, login, django_assert_num_queries):
    client = login(world.user("county_admin"))
    url = reverse("regions:grid_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    Grid.objects.bulk_create(
        Grid(code=f"G-X{i}", name=f"网格{i}", division=world.village_a, worker_name="某") for i in range(20)
    )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 22


def test_division_list_query_count_is_constant(world, login, django_assert_num_queries):
    client = login(world.user("county_admin"))
    url = reverse("regions:division_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    Division.objects.bulk_create(
        Division(code=f"370321001{i:03d}", name=f"村{i}", level="village", parent=world.town_a)
        for i in range(2, 22)
    )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 25


def test_grid_drop_downs_show_a_new_grid_at_once(world, django_capture_on_commit_callbacks):
    """The grid and division filter options are cached per scope; a grid written through the service
    moves the cache's version on commit, so the next page shows it."""
    from safegrid.regions import services
    from safegrid.regions.selectors import division_choices, grid_choices

    admin = world.user("county_admin")
    before = grid_choices(admin)
    assert division_choices(admin) == division_choices(admin)  # served from the cache the second time
    with django_capture_on_commit_callbacks(execute=True):
        grid = services.grid_create(
            actor=admin,
            data={"code": "G-NEW", "name": "新网格", "division": world.village_a, "worker_name": "丁"},
        )
    after = grid_choices(admin)
    assert (str(grid.pk), "新网格") in after and len(after) == len(before) + 1
    with django_capture_on_commit_callbacks(execute=True):
        services.grid_delete(actor=admin, grid=grid)
    assert grid_choices(admin) == before
