"""Pages of the GB 18218 area: the list in scope, the unit page explained line by line, the forms, the
substance table, the map layer; out of scope is a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from safegrid.majorhazards.models import HazardUnit, Substance, UnitSubstance
from safegrid.majorhazards.services import sources as services
from safegrid.majorhazards.services.sources import LineIn
from safegrid.risks import map_layers

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 1, 5)


@pytest.fixture
def unit(world):
    actor = world.user("ent_a")
    services.population_set(
        actor=actor, enterprise=world.ent_a, people=60, basis="村委会登记", counted_on=DAY
    )
    return services.unit_create(
        actor=actor,
        enterprise=world.ent_a,
        data={"code": "TK-01", "name": "甲氯醇罐区", "kind": "tank_farm"},
        lines=[
            LineIn(Substance.objects.get(name="氯"), Decimal(20)),
            LineIn(Substance.objects.get(name="甲醇"), Decimal(100), Decimal(35), "甲醇储罐"),
        ],
    )


def test_list_in_scope_with_counts(world, login, unit) -> None:
    page = login(world.user("dept_chem")).get(reverse("majorhazards:list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "甲氯醇罐区" in text and "三级" in text and 'data-testid="grade-counts"' in text
    other = login(world.user("town_b")).get(reverse("majorhazards:list"))
    assert "甲氯醇罐区" not in other.content.decode()
    filtered = login(world.user("dept_chem")).get(reverse("majorhazards:list") + "?grade=1")
    assert "甲氯醇罐区" not in filtered.content.decode()
    gaps = login(world.user("dept_chem")).get(reverse("majorhazards:list") + "?gaps=no")
    assert "甲氯醇罐区" in gaps.content.decode()


def test_unit_page_explains_the_grade(world, login, unit) -> None:
    page = login(world.user("ent_a")).get(reverse("majorhazards:unit", args=[unit.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for expected in (
        "S = 4.20",
        "Σβq/Q = 16.20",
        "α = 1.5",
        "50～99人",
        "= 24.30",
        "GB 18218-2018",
        "三级",
        "甲醇储罐",
    ):
        assert expected in text, expected
    assert "登记危险化学品" in text  # the manager's actions


def test_out_of_scope_is_404(world, login, unit) -> None:
    line = unit.lines.first()
    for name in ("town_b", "ent_b", "outsider"):
        client = login(world.user(name))
        assert client.get(reverse("majorhazards:unit", args=[unit.pk])).status_code == 404
        assert client.get(reverse("majorhazards:line_edit", args=[line.pk])).status_code == 404
        assert client.get(reverse("majorhazards:enterprise_units", args=[world.ent_a.pk])).status_code == 404
        assert client.post(reverse("majorhazards:unit_delete", args=[unit.pk])).status_code == 404
    assert HazardUnit.objects.filter(pk=unit.pk).exists()


def test_regulator_reads_but_does_not_edit(world, login, unit) -> None:
    client = login(world.user("dept_chem"))
    page = client.get(reverse("majorhazards:unit", args=[unit.pk]))
    assert page.status_code == 200 and "登记危险化学品" not in page.content.decode()
    assert client.get(reverse("majorhazards:unit_edit", args=[unit.pk])).status_code == 403
    assert client.get(reverse("majorhazards:unit_new", args=[world.ent_a.pk])).status_code == 403


def test_forms_create_unit_add_line_set_population(world, login) -> None:
    client = login(world.user("ent_a"))
    created = client.post(
        reverse("majorhazards:unit_new", args=[world.ent_a.pk]),
        {"code": "NH-01", "name": "液氨罐区", "kind": "tank_farm", "location": "北区"},
    )
    unit = HazardUnit.objects.get(code="NH-01")
    assert created.status_code == 302 and created.url == reverse("majorhazards:unit", args=[unit.pk])
    ammonia = Substance.objects.get(name="氨")
    refused = client.post(
        reverse("majorhazards:line_new", args=[unit.pk]), {"substance": ammonia.pk, "design_quantity": "-3"}
    )
    assert refused.status_code == 422 and "须大于0吨" in refused.content.decode()
    assert not UnitSubstance.objects.filter(unit=unit).exists()
    added = client.post(
        reverse("majorhazards:line_new", args=[unit.pk]),
        {"substance": ammonia.pk, "design_quantity": "150", "stock_quantity": "80"},
    )
    assert added.status_code == 302
    unit.refresh_from_db()
    assert unit.is_major and unit.grade is None  # no population yet
    bad = client.post(
        reverse("majorhazards:population", args=[world.ent_a.pk]),
        {"people": "-4", "basis": "调查", "counted_on": "2026-01-05"},
    )
    assert bad.status_code == 422
    client.post(
        reverse("majorhazards:population", args=[world.ent_a.pk]),
        {"people": "120", "basis": "调查", "counted_on": "2026-01-05"},
    )
    unit.refresh_from_db()
    assert unit.grade == 2  # S 15, Σ 30, α 2 → R 60
    listing = client.get(reverse("majorhazards:enterprise_units", args=[world.ent_a.pk]))
    assert "液氨罐区" in listing.content.decode() and "120 人" in listing.content.decode()
    assert client.get(reverse("majorhazards:my_units")).url == reverse(
        "majorhazards:enterprise_units", args=[world.ent_a.pk]
    )
    line = unit.lines.get()
    client.post(reverse("majorhazards:line_delete", args=[line.pk]))
    unit.refresh_from_db()
    assert not unit.is_major


def test_substance_table_and_county_add(world, login) -> None:
    page = login(world.user("ent_a")).get(reverse("majorhazards:substances") + "?q=7782-50-5")
    assert page.status_code == 200 and "氯" in page.content.decode()
    assert login(world.user("ent_a")).get(reverse("majorhazards:substance_new")).status_code == 403
    admin = login(world.user("county_admin"))
    done = admin.post(
        reverse("majorhazards:substance_new"),
        {"name": "溴甲烷", "cas": "74-83-9", "category": "J3", "critical_quantity": "10", "toxic_gas": "on"},
    )
    assert done.status_code == 302
    assert Substance.objects.get(name="溴甲烷").beta == Decimal(3)


def test_map_layer(world, login, unit) -> None:
    HazardUnit.objects.filter(pk=unit.pk).update(latitude=Decimal("36.95"), longitude=Decimal("118.08"))
    assert "major-hazard-sources" in [
        layer["key"] for layer in map_layers.layers_for(world.user("dept_chem"))
    ]
    data = login(world.user("dept_chem")).get(reverse("majorhazards:map_sources") + "?division=370321").json()
    assert [m["name"] for m in data["markers"]] == ["甲氯醇罐区"] and data["markers"][0][
        "colour"
    ] == "#f59f00"
    assert (
        login(world.user("town_b"))
        .get(reverse("majorhazards:map_sources") + "?division=370321001")
        .status_code
        == 404
    )
    assert login(world.user("town_b")).get(reverse("majorhazards:map_sources")).json()["markers"] == []
