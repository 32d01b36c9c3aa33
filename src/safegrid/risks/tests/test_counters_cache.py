"""Counts kept beside the register (points per level, newest submitted filing) stay equal to the rows,
the risk-point and filing-status lists read them, and the cached map layer never crosses scopes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from safegrid.core.scoping import scope_key
from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services as ent_services
from safegrid.risks.models import ControlMeasure, RegisterRevision, RiskPoint, RiskRegisterFiling
from safegrid.risks.selectors import filing as filing_selectors
from safegrid.risks.selectors import map as map_data
from safegrid.risks.selectors import points as point_selectors
from safegrid.risks.services import points as services
from safegrid.risks.services import revision
from safegrid.risks.tests.factories import make_factor, make_measure
from safegrid.risks.tests.test_regional_services import graded_point
from safegrid.testworld import World

COUNTERS = ("risk_level", "points_total", "points_level1", "points_level2", "points_level3", "points_level4")


def kept(enterprise: Any) -> dict[str, Any]:
    row = RegisterRevision.objects.get(enterprise=enterprise)
    return {name: getattr(row, name) for name in (*COUNTERS, "points_unrated")}


def from_rows(enterprise: Any) -> dict[str, Any]:
    return revision.point_counts(enterprise.pk)


@pytest.mark.django_db
def test_counts_follow_create_assess_deactivate_and_reactivate(world: World) -> None:
    actor = world.user("ent_a")
    first = services.risk_point_create(
        actor=actor, enterprise=world.ent_a, data={"code": "R-1", "name": "液氯储罐区", "type": "facility"}
    )
    assert kept(world.ent_a) == {
        "risk_level": None,
        "points_total": 1,
        "points_level1": 0,
        "points_level2": 0,
        "points_level3": 0,
        "points_level4": 0,
        "points_unrated": 1,
    }
    graded_point(world.ent_a, "R-2", 1)
    graded_point(world.ent_a, "R-3", 4)
    state = kept(world.ent_a)
    assert (state["risk_level"], state["points_total"], state["points_level1"], state["points_level4"]) == (
        1,
        3,
        1,
        1,
    )
    assert state["points_unrated"] == 1
    services.risk_point_deactivate(
        actor=actor, point=RiskPoint.objects.get(enterprise=world.ent_a, code="R-2")
    )
    state = kept(world.ent_a)
    assert (state["risk_level"], state["points_total"], state["points_level1"], state["points_level4"]) == (
        4,
        3,
        0,
        1,
    )
    services.risk_point_deactivate(actor=actor, point=first)
    assert kept(world.ent_a)["points_unrated"] == 0
    services.risk_point_reactivate(actor=actor, point=first)
    assert kept(world.ent_a)["points_unrated"] == 1
    assert kept(world.ent_a) == from_rows(world.ent_a)
    assert not RegisterRevision.objects.filter(enterprise=world.ent_b).exists()


@pytest.mark.django_db
def test_recount_repairs_counts_to_the_rows(world: World) -> None:
    graded_point(world.ent_a, "R-1", 2)
    graded_point(world.ent_b, "R-B", 3)
    RegisterRevision.objects.update(points_total=99, points_level2=0, points_level3=7, risk_level=4)
    assert revision.recount() == 2
    assert kept(world.ent_a) == from_rows(world.ent_a)
    assert kept(world.ent_b) == from_rows(world.ent_b)
    assert kept(world.ent_a)["points_level2"] == 1 and kept(world.ent_b)["points_level3"] == 1


@pytest.mark.django_db
def test_point_count_from_counters_matches_the_rows_per_scope(world: World) -> None:
    graded_point(world.ent_a, "R-1", 1)
    graded_point(world.ent_a, "R-2", 3)
    graded_point(world.ent_b, "R-B", 4)
    services.risk_point_deactivate(actor=SYSTEM, point=RiskPoint.objects.get(code="R-2"))
    for name in ("county_admin", "town_a", "town_b", "dept_chem", "grid_a", "ent_a", "ent_b", "outsider"):
        user = world.user(name)
        rows = point_selectors.risk_point_list(user)
        assert point_selectors.risk_point_count(user) == rows.count(), name
        assert point_selectors.risk_point_count(user, active_only=True) == rows.filter(active=True).count()
        town = world.town_a.code
        assert (
            point_selectors.risk_point_count(user, division=town)
            == rows.filter(enterprise__division__code__startswith=town).count()
        )
    # A workshop/team/post user sees part of an enterprise's points: the counters do not answer.
    assert point_selectors.risk_point_count(world.user("post_a")) is None


@pytest.mark.django_db
def test_point_list_pages_count_from_counters(world: World, login: Any) -> None:
    for n in range(3):
        graded_point(world.ent_a, f"R-{n}", 2)
    graded_point(world.ent_b, "R-B", 2)
    client = login(world.user("town_a"))
    response = client.get(reverse("risks:point_list"), {"active": "yes"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 3
    assert {r["object"].code for r in response.context["rows"]} == {"R-0", "R-1", "R-2"}
    searched = client.get(reverse("risks:point_list"), {"q": "R-1"})
    assert searched.context["paginator"].count == 1  # a search is counted from the rows


def _filing(enterprise: Any, version: int, status: str, revision_at: int) -> RiskRegisterFiling:
    return RiskRegisterFiling.objects.create(
        enterprise=enterprise,
        version=version,
        status=status,
        register_revision=revision_at,
        snapshot={},
        fingerprint="0" * 64,
        compiled_at=timezone.now(),
        filed_at=timezone.now() if status != "compiled" else None,
    )


@pytest.mark.django_db
def test_newest_submitted_filing_is_kept_beside_the_register(world: World) -> None:
    graded_point(world.ent_a, "R-1", 2)
    current = RegisterRevision.objects.get(enterprise=world.ent_a).revision
    first = _filing(world.ent_a, 1, "filed", current)
    row = RegisterRevision.objects.get(enterprise=world.ent_a)
    assert (row.submitted_filing_pk, row.submitted_status, row.submitted_version) == (first.pk, "filed", 1)
    second = _filing(world.ent_a, 2, "compiled", current)  # not yet received: the filed one stays
    assert RegisterRevision.objects.get(enterprise=world.ent_a).submitted_filing_pk == first.pk
    second.status = "filed"
    second.save()
    first.status = "superseded"
    first.save()
    row = RegisterRevision.objects.get(enterprise=world.ent_a)
    assert (row.submitted_filing_pk, row.submitted_status, row.submitted_version) == (second.pk, "filed", 2)
    listed = {e.pk: e for e in filing_selectors.filing_status_list(world.user("county_admin"))}
    assert listed[world.ent_a.pk].filing_id == second.pk and not listed[world.ent_a.pk].filing_outdated
    assert listed[world.ent_b.pk].filing_status is None  # no register, no filing: 未备案
    graded_point(world.ent_a, "R-2", 3)  # the register moves on: the filed book is outdated
    listed = {e.pk: e for e in filing_selectors.filing_status_list(world.user("county_admin"))}
    assert listed[world.ent_a.pk].filing_outdated
    second.delete()
    row = RegisterRevision.objects.get(enterprise=world.ent_a)
    assert (row.submitted_filing_pk, row.submitted_status) == (None, "")


def item_counts_kept() -> dict[str, tuple[int, int]]:
    """Each point's kept (factor_count, measure_count), checked against its rows in use."""
    kept_counts = {}
    for point in RiskPoint.objects.all():
        rows = (point.factors.filter(active=True).count(), point.measures.filter(active=True).count())
        assert (point.factor_count, point.measure_count) == rows, point.code
        kept_counts[point.code] = rows
    return kept_counts


@pytest.mark.django_db
def test_point_factor_and_measure_counts_follow_every_register_service(world: World) -> None:
    point = graded_point(world.ent_a, "R-1", 2)  # one factor, assessed
    other = graded_point(world.ent_b, "R-B", 3)
    assert item_counts_kept() == {"R-1": (1, 0), "R-B": (1, 0)}
    second = make_factor(point, description="泄漏")
    measure = make_measure(world, point, hazard_factor=second)
    make_measure(world, point)
    assert item_counts_kept()["R-1"] == (2, 2)
    services.measure_update(actor=SYSTEM, measure=measure, data={"active": False})  # retired: not counted
    assert item_counts_kept()["R-1"] == (2, 1)
    services.measure_update(actor=SYSTEM, measure=measure, data={"active": True})
    assert item_counts_kept()["R-1"] == (2, 2)
    services.hazard_factor_remove(actor=SYSTEM, factor=second)  # takes its measure with it
    assert item_counts_kept()["R-1"] == (1, 1)
    services.measure_remove(actor=SYSTEM, measure=ControlMeasure.objects.get(risk_point=point))
    assert item_counts_kept() == {"R-1": (1, 0), "R-B": (1, 0)}
    services.risk_point_deactivate(actor=SYSTEM, point=RiskPoint.objects.get(pk=other.pk))
    assert item_counts_kept()["R-B"] == (1, 0)  # a retired point keeps its items and their counts


@pytest.mark.django_db
def test_point_counts_cannot_be_written_by_hand_and_recount_repairs_them(world: World) -> None:
    from django.core.exceptions import ValidationError

    from safegrid.core.services import object_update

    point = graded_point(world.ent_a, "R-1", 2)
    make_measure(world, point)
    with pytest.raises(ValidationError):
        object_update(actor=SYSTEM, obj=point, data={"factor_count": 9})
    RiskPoint.objects.update(factor_count=7, measure_count=0)
    revision.recount()
    assert item_counts_kept() == {"R-1": (1, 1)}


@pytest.mark.django_db
def test_point_list_sorts_by_kept_counts_through_an_index(world: World, login: Any) -> None:
    few = graded_point(world.ent_a, "R-1", 2)
    many = graded_point(world.ent_a, "R-2", 2)
    make_factor(many, description="泄漏")
    make_factor(many, description="中毒")
    client = login(world.user("county_admin"))
    response = client.get(reverse("risks:point_list"), {"sort": "-factor_count"})
    assert [r["object"].pk for r in response.context["rows"]] == [many.pk, few.pk]
    html = response.content.decode()
    assert '<td class="d-none d-md-table-cell text-end">3</td>' in html
    sql = str(point_selectors.risk_point_list(world.user("county_admin")).order_by("-factor_count").query)
    assert "COUNT(" not in sql.upper()  # read from the row, not counted per row


def _buckets_from_rows(user: Any) -> dict[str, int]:
    """The filing-status buckets counted from the annotated list itself (the slow way)."""
    rows = list(filing_selectors.filing_status_list(user))
    counts = {"total": len(rows), "none": 0, "filed": 0, "accepted": 0, "returned": 0, "outdated": 0}
    for row in rows:
        counts[row.filing_status or "none"] += 1
        counts["outdated"] += bool(row.filing_outdated)
    return counts


@pytest.mark.django_db
def test_filing_status_counts_follow_filings_and_register_changes_per_scope(world: World) -> None:
    users = ("county_admin", "town_a", "town_b", "dept_chem", "grid_a", "ent_a", "outsider")

    def check() -> dict[str, int]:
        for name in users:
            user = world.user(name)
            assert filing_selectors.filing_status_counts(user) == _buckets_from_rows(user), name
        return filing_selectors.filing_status_counts(world.user("county_admin"))

    before = check()
    graded_point(world.ent_a, "R-1", 2)
    graded_point(world.ent_b, "R-B", 3)
    current = RegisterRevision.objects.get(enterprise=world.ent_a).revision
    filed = _filing(world.ent_a, 1, "filed", current)
    after_filing = check()
    assert after_filing["filed"] == before["filed"] + 1 and after_filing["none"] == before["none"] - 1
    filed.status = "returned"
    filed.save()
    assert check()["returned"] == before["returned"] + 1
    graded_point(world.ent_a, "R-2", 3)  # the register moves on after the book was compiled
    assert check()["outdated"] == before["outdated"] + 1
    _filing(world.ent_b, 1, "accepted", RegisterRevision.objects.get(enterprise=world.ent_b).revision)
    counts = check()
    assert (counts["accepted"], counts["none"]) == (before["accepted"] + 1, before["none"] - 2)
    filed.delete()
    assert check()["returned"] == before["returned"]


@pytest.mark.django_db
def test_filing_status_list_counts_from_buckets_in_a_bounded_number_of_queries(
    world: World, login: Any, django_assert_max_num_queries: Any
) -> None:
    graded_point(world.ent_a, "R-1", 2)
    _filing(world.ent_a, 1, "filed", RegisterRevision.objects.get(enterprise=world.ent_a).revision)
    client = login(world.user("county_admin"))
    url = reverse("risks:filing_status")
    client.get(url)
    # Sign-in, scope, the filter choices, two counts, the page and its sectors, the bell, the session.
    with django_assert_max_num_queries(13):
        response = client.get(url, {"status": "filed"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 1
    assert [r["object"].pk for r in response.context["rows"]] == [world.ent_a.pk]
    narrowed = client.get(url, {"division": world.town_b.code})  # a filter the buckets do not count
    assert narrowed.context["paginator"].count == len(
        [
            e
            for e in filing_selectors.filing_status_list(world.user("county_admin"))
            if e.division_id.startswith(world.town_b.code)
        ]
    )


# ---- the cached map layer ----------------------------------------------------------------------------


def _layer(client: Any, division: str, **params: Any) -> Any:
    return client.get(reverse("risks:map_enterprises"), {"division": division, **params})


@pytest.mark.django_db
def test_scope_key_separates_scopes_and_joins_equal_ones(world: World) -> None:
    keys = {name: scope_key(world.user(name)) for name in ("county_admin", "town_a", "town_b", "dept_chem")}
    assert len(set(keys.values())) == 4
    from safegrid.core.testing import make_user

    another_admin = make_user("county_admin_2", {"role": "county_admin"})
    assert scope_key(another_admin) == keys["county_admin"]


@pytest.mark.django_db
def test_cached_layer_is_never_served_to_another_scope(world: World, client: Any) -> None:
    graded_point(world.ent_a, "R-1", 1)
    graded_point(world.ent_b, "R-B", 4)
    county = world.county.code

    def ids(user: str, division: str) -> set[int]:
        client.force_login(world.user(user), backend="django.contrib.auth.backends.ModelBackend")
        response = _layer(client, division)
        assert response.status_code == 200, (user, division)
        return {row[0] for row in json.loads(response.content)["rows"]}

    assert ids("county_admin", county) == {world.ent_a.pk, world.ent_b.pk}
    assert ids("dept_chem", county) == {world.ent_a.pk}  # same URL, other scope: not the cached answer
    assert ids("town_a", world.town_a.code) == {world.ent_a.pk}
    assert ids("town_b", world.town_b.code) == {world.ent_b.pk}
    # Town B cannot reach town A's (cached) layer, nor the county's.
    client.force_login(world.user("town_b"), backend="django.contrib.auth.backends.ModelBackend")
    assert _layer(client, world.town_a.code).status_code == 404
    assert _layer(client, county).status_code == 404
    with pytest.raises(LookupError):
        map_data.enterprises_json(world.user("town_b"), world.town_a.code)


@pytest.mark.django_db
def test_cached_layer_follows_register_and_enterprise_changes(world: World, login: Any) -> None:
    client = login(world.user("town_a"))
    town = world.town_a.code
    before = json.loads(_layer(client, town).content)
    assert before["rows"][0][4] is None and before["counts"]["points"]["1"] == 0
    graded_point(world.ent_a, "R-1", 1)
    after = json.loads(_layer(client, town).content)
    assert after["rows"][0][4] == 1 and after["counts"]["points"]["1"] == 1
    ent_services.enterprise_update(actor=SYSTEM, enterprise=world.ent_a, data={"name": "甲化工改名有限公司"})
    renamed = json.loads(_layer(client, town).content)
    assert renamed["rows"][0][1] == "甲化工改名有限公司"
    services.risk_point_deactivate(actor=SYSTEM, point=RiskPoint.objects.get(code="R-1"))
    assert json.loads(_layer(client, town).content)["counts"]["points"]["1"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["code", "-name", "level", "-factor_count"])
def test_deep_pages_seek_keys_first_and_show_the_same_rows(
    world: World, login: Any, settings: Any, monkeypatch: Any, sort: str
) -> None:
    from safegrid.core import lists

    for n, level in enumerate((1, 2, 3, 4, 2, 3, 1)):
        graded_point(world.ent_a if n % 2 else world.ent_b, f"R-{n}", level)
    settings.SAFEGRID_PAGE_SIZE = 2
    client = login(world.user("county_admin"))

    def page(number: int) -> list[str]:
        response = client.get(reverse("risks:point_list"), {"sort": sort, "page": number})
        assert response.status_code == 200
        return [r["object"].code for r in response.context["rows"]]

    monkeypatch.setattr(lists, "DEEP_OFFSET", 10_000)
    by_offset = [page(n) for n in (1, 2, 3, 4)]
    monkeypatch.setattr(lists, "DEEP_OFFSET", 1)
    assert [page(n) for n in (1, 2, 3, 4)] == by_offset
    assert sorted(code for codes in by_offset for code in codes) == sorted(f"R-{n}" for n in range(7))
