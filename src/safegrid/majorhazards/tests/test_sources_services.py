"""The GB 18218 services: grading on every change (one history row per change of result or inputs), the
current result on the unit, refusals of bad input (nothing half-saved), permissions and audit rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.majorhazards.models import HazardUnit, Substance, UnitGrading, UnitSubstance
from safegrid.majorhazards.services import sources as services
from safegrid.majorhazards.services.sources import LineIn, PreviewItem

pytestmark = pytest.mark.django_db
D = Decimal
DAY = dt.date(2026, 1, 5)


def _substance(name: str) -> Substance:
    return Substance.objects.get(name=name, variant="")


def _unit(world, lines=(), code="T-01", kind="tank_farm"):
    return services.unit_create(
        actor=world.user("ent_a"),
        enterprise=world.ent_a,
        data={"code": code, "name": "储罐区", "kind": kind},
        lines=list(lines),
    )


def _audits(model) -> int:
    return AuditEntry.objects.filter(object_type=model._meta.label_lower).count()


def test_shipped_table_is_in_the_database() -> None:
    chlorine = _substance("氯")
    assert (chlorine.cas, chlorine.critical_quantity, chlorine.beta, chlorine.category) == (
        "7782-50-5",
        D(5),
        D(4),
        "J3",
    )
    assert chlorine.shipped and chlorine.toxic_gas and chlorine.liquefied_gas
    assert Substance.objects.filter(name="硝酸铵").count() == 3


def test_worked_check_through_the_services(world) -> None:
    services.population_set(
        actor=world.user("ent_a"), enterprise=world.ent_a, people=60, basis="村委会", counted_on=DAY
    )
    unit = _unit(world, [LineIn(_substance("氯"), D(20)), LineIn(_substance("甲醇"), D(100), D(40))])
    assert unit.is_major and unit.grade == 3 and unit.graded_at is not None
    [row] = UnitGrading.objects.filter(unit=unit)
    assert (row.s, row.alpha, row.r, row.grade, row.people_exposed) == (D("4.2"), D("1.5"), D("24.3"), 3, 60)
    assert row.standard == "GB 18218-2018" and row.computed_by == world.user("ent_a")
    assert [t["substance"] for t in row.terms] == ["氯", "甲醇"]
    assert row.terms[0] == {"substance": "氯", "q": "20", "Q": "5", "beta": "4", "q_over_Q": "4"}
    # audited: the unit, both lines, the grading and the unit's result
    assert _audits(HazardUnit) >= 2 and _audits(UnitSubstance) == 2 and _audits(UnitGrading) == 1


def test_without_population_major_is_known_but_not_the_grade(world) -> None:
    unit = _unit(world, [LineIn(_substance("氨"), D(50))])
    assert unit.is_major and unit.grade is None
    row = unit.gradings.get()
    assert row.people_exposed is None and row.alpha is None and row.r is None
    services.population_set(
        actor=world.user("ent_a"), enterprise=world.ent_a, people=100, basis="调查", counted_on=DAY
    )
    unit.refresh_from_db()
    # S 5, β 2 → Σ 10, α 2.0 → R 20 → grade 3
    assert unit.grade == 3 and unit.gradings.count() == 2


def test_one_history_row_per_change_that_matters(world) -> None:
    actor = world.user("ent_a")
    services.population_set(actor=actor, enterprise=world.ent_a, people=10, basis="调查", counted_on=DAY)
    unit = _unit(world, [LineIn(_substance("液化石油气"), D(100))])
    line = unit.lines.get()
    assert unit.gradings.count() == 1 and unit.grade == 4  # S 2 × 1.5 × α 1.0 = 3
    # the stock on hand and a note are not graded: no new row
    services.line_update(actor=actor, line=line, data={"stock_quantity": D(30), "note": "两台球罐"})
    assert unit.gradings.count() == 1
    # the design maximum is: a new row and the new grade
    services.line_update(actor=actor, line=line, data={"design_quantity": D(2000)})
    unit.refresh_from_db()
    assert unit.gradings.count() == 2 and unit.grade == 2  # S 40, Σβq/Q 60, α 1.0 → R 60
    # the population moves α: a new row
    services.population_set(actor=actor, enterprise=world.ent_a, people=100, basis="调查", counted_on=DAY)
    unit.refresh_from_db()
    assert unit.gradings.count() == 3 and unit.grade == 1  # 60 × 2.0 = 120
    # the same population again (a new basis only): no new row
    services.population_set(actor=actor, enterprise=world.ent_a, people=100, basis="复核", counted_on=DAY)
    assert unit.gradings.count() == 3
    # removing the only line: not major any more
    services.line_remove(actor=actor, line=line)
    unit.refresh_from_db()
    assert not unit.is_major and unit.grade is None and unit.gradings.count() == 4


def test_requirement_gaps_follow_grade_and_facilities(world) -> None:
    actor = world.user("ent_a")
    services.population_set(actor=actor, enterprise=world.ent_a, people=120, basis="调查", counted_on=DAY)
    unit = _unit(world, [LineIn(_substance("氯"), D(100))])  # S 20, Σ 80, α 2 → R 160 → grade 1
    assert unit.grade == 1 and unit.requirement_gaps == 3  # ESD, SIS (toxic gas), cut-off (tank farm)
    rows = unit.gradings.count()
    unit = services.unit_update(
        actor=actor, unit=unit, data={"esd_in_place": True, "sis_in_place": True, "sis_note": "独立SIS"}
    )
    assert unit.requirement_gaps == 1 and unit.gradings.count() == rows  # the grade did not change
    unit = services.unit_update(actor=actor, unit=unit, data={"cutoff_in_place": True})
    assert unit.requirement_gaps == 0


def test_the_result_is_written_only_by_the_grading(world) -> None:
    unit = _unit(world)
    with pytest.raises(ValidationError) as caught:
        services.unit_update(actor=world.user("ent_a"), unit=unit, data={"grade": 1})
    assert "grade" in caught.value.message_dict


@pytest.mark.parametrize("quantity", [D(0), D(-5)])
def test_a_quantity_that_is_not_positive_is_refused_whole(world, quantity) -> None:
    units, lines = HazardUnit.objects.count(), UnitSubstance.objects.count()
    with pytest.raises(ValidationError) as caught:
        _unit(world, [LineIn(_substance("氯"), D(5)), LineIn(_substance("甲醇"), quantity)])
    assert "lines[1].design_quantity" in caught.value.message_dict
    assert (HazardUnit.objects.count(), UnitSubstance.objects.count()) == (units, lines)
    unit = _unit(world, [LineIn(_substance("氯"), D(5))])
    with pytest.raises(ValidationError) as caught:
        services.line_add(
            actor=world.user("ent_a"),
            unit=unit,
            data={"substance": _substance("氨"), "design_quantity": quantity},
        )
    assert "design_quantity" in caught.value.message_dict
    assert unit.lines.count() == 1 and unit.gradings.count() == 1


def test_unknown_substance_and_duplicate_line_refused(world) -> None:
    unit = _unit(world, [LineIn(_substance("氯"), D(5))])
    with pytest.raises(ValidationError) as caught:
        services.line_add(
            actor=world.user("ent_a"), unit=unit, data={"substance": "氯气X", "design_quantity": D(1)}
        )
    assert "substance" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.line_add(
            actor=world.user("ent_a"),
            unit=unit,
            data={"substance": _substance("氯"), "design_quantity": D(1)},
        )
    assert unit.lines.count() == 1


def test_negative_population_refused(world) -> None:
    with pytest.raises(ValidationError) as caught:
        services.population_set(
            actor=world.user("ent_a"), enterprise=world.ent_a, people=-1, basis="x", counted_on=DAY
        )
    assert "people" in caught.value.message_dict


def test_only_the_enterprise_managers_write_units(world) -> None:
    with pytest.raises(PermissionDenied):
        services.unit_create(
            actor=world.user("ent_b"),
            enterprise=world.ent_a,
            data={"code": "X", "name": "x", "kind": "production"},
        )
    with pytest.raises(PermissionDenied):
        services.unit_create(
            actor=world.user("dept_chem"),
            enterprise=world.ent_a,
            data={"code": "X", "name": "x", "kind": "production"},
        )
    with pytest.raises(PermissionDenied):
        services.population_set(
            actor=world.user("post_a"), enterprise=world.ent_a, people=3, basis="x", counted_on=DAY
        )
    unit = _unit(world)
    with pytest.raises(PermissionDenied):
        services.unit_delete(actor=world.user("town_a"), unit=unit)
    services.unit_delete(actor=world.user("ent_a"), unit=unit)
    assert not HazardUnit.objects.filter(pk=unit.pk).exists()
    assert AuditEntry.objects.filter(object_type="majorhazards.hazardunit", action="delete").count() == 1


def test_county_admin_adds_substances(world) -> None:
    with pytest.raises(PermissionDenied):
        services.substance_create(
            actor=world.user("ent_a"), data={"name": "磷化氢", "category": "J1", "critical_quantity": D(1)}
        )
    phosphine = services.substance_create(
        actor=world.user("county_admin"),
        data={
            "name": "磷化氢",
            "cas": "7803-51-2",
            "category": "J1",
            "critical_quantity": D(1),
            "toxic_gas": True,
        },
    )
    assert phosphine.beta == D(20) and not phosphine.shipped  # Table 3 by CAS
    other = services.substance_create(
        actor=world.user("county_admin"),
        data={"name": "某溶剂", "category": "W5.4", "critical_quantity": D(5000)},
    )
    assert other.beta == D(1)
    with pytest.raises(ValidationError):  # the CAS is taken
        services.substance_create(
            actor=world.user("county_admin"),
            data={"name": "磷化氢2", "cas": "7803-51-2", "category": "J1", "critical_quantity": D(1)},
        )
    with pytest.raises(ValidationError):  # shipped rows are read-only
        services.substance_update(
            actor=world.user("county_admin"), substance=_substance("氯"), data={"critical_quantity": D(50)}
        )
    # changing a county substance regrades the units holding it
    services.population_set(
        actor=world.user("ent_a"), enterprise=world.ent_a, people=0, basis="调查", counted_on=DAY
    )
    unit = _unit(world, [LineIn(other, D(5000))])
    assert unit.is_major
    services.substance_update(
        actor=world.user("county_admin"), substance=other, data={"critical_quantity": D(10000)}
    )
    unit.refresh_from_db()
    assert not unit.is_major


def test_preview_names_each_problem(world) -> None:
    grading = services.preview(
        people_exposed=60,
        items=[PreviewItem(name="液氯", quantity_t=D(20)), PreviewItem(category="W5.3", quantity_t=D(100))],
    )
    # methanol by its category: Q 1000, so S = 4 + 0.1
    assert grading.s == D("4.1") and grading.grade == 3
    with pytest.raises(ValidationError) as caught:
        services.preview(
            people_exposed=-1,
            items=[
                PreviewItem(name="氯", quantity_t=D(-1)),
                PreviewItem(name="不存在的物质", quantity_t=D(1)),
                PreviewItem(cas="6484-52-2", quantity_t=D(1)),
                PreviewItem(category="W99", quantity_t=D(1)),
                PreviewItem(quantity_t=D(1)),
            ],
        )
    fields = caught.value.message_dict
    assert set(fields) == {
        "people_exposed",
        "substances[0].quantity_t",
        "substances[1].name",
        "substances[2].cas",
        "substances[3].category",
        "substances[4]",
    }


def test_system_actor_grades_for_the_demo(world) -> None:
    unit = services.unit_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        data={"code": "S-1", "name": "x", "kind": "warehouse"},
        lines=[LineIn(_substance("电石"), D(150))],
    )
    assert unit.is_major and unit.gradings.get().computed_by is None
