"""Tests of the demo risk registers: determinism, graded by the rules, consistent lists, ent_a fileable."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db.models import Count

from safegrid.core.models import AuditEntry
from safegrid.demo import builders, risk_catalogue
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import Enterprise, OrgUnit, Person
from safegrid.risks.choices import (
    AccidentType,
    Classify2,
    HazardCategory,
    MeasureKind,
    RiskPointType,
    classify2_parent,
)
from safegrid.risks.models import (
    TIER_UNIT_KIND,
    ControlMeasure,
    HazardFactor,
    RegionalRisk,
    RegisterRevision,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskPoint,
)
from safegrid.risks.rules import assessment as rules
from safegrid.risks.rules import methods
from safegrid.risks.services import filing

from .conftest import small_until

SMALL = 60

pytestmark = pytest.mark.django_db

small = small_until("risk_registers")


def _register_fingerprint() -> list[tuple[object, ...]]:
    rows = RiskPoint.objects.order_by("enterprise__uscc", "code").values_list(
        "enterprise__uscc", "code", "name", "type", "org_unit__name", "level", "level_method_version"
    )
    factors = HazardFactor.objects.order_by(
        "risk_point__enterprise__uscc", "risk_point__code", "step_no", "description"
    ).values_list("risk_point__code", "description", "assessments__inputs", "assessments__level")
    measures = ControlMeasure.objects.order_by(
        "risk_point__enterprise__uscc", "risk_point__code", "description"
    ).values_list("risk_point__code", "description", "check_cycle", "responsible_post__name")
    tiers = ResponsibilityAssignment.objects.order_by(
        "risk_point__enterprise__uscc", "risk_point__code", "tier"
    ).values_list("risk_point__code", "tier", "person__name")
    return [*rows, *factors, *measures, *tiers]


def test_every_row_passes_model_validation(small: builders.DemoSummary) -> None:
    for model in (RiskPoint, HazardFactor, RiskAssessment, ControlMeasure, ResponsibilityAssignment):
        for obj in model.objects.all()[:400]:
            obj.full_clean(validate_unique=False, validate_constraints=False)


def test_points_per_enterprise_and_codes(small: builders.DemoSummary) -> None:
    per_enterprise = Counter(RiskPoint.objects.values_list("enterprise_id", flat=True))
    assert per_enterprise and all(3 <= n <= 12 for n in per_enterprise.values())
    names = {spec.name for specs in risk_catalogue.CATALOGUE.values() for spec in specs}
    names |= {spec.name for spec in risk_catalogue.GENERIC}
    for point in RiskPoint.objects.select_related("org_unit"):
        assert point.name in names
        assert point.code.startswith("FXD-")
        assert point.org_unit is not None and point.org_unit.kind == OrgUnitKind.WORKSHOP
        assert point.org_unit.enterprise_id == point.enterprise_id
        assert point.qr_token and point.active
    # Closed and zombie enterprises keep no register.
    assert not RiskPoint.objects.filter(enterprise__status__in=("closed", "zombie")).exists()


def test_levels_are_those_of_the_rules(small: builders.DemoSummary) -> None:
    assessments = list(RiskAssessment.objects.all())
    assert assessments
    for a in assessments:
        result = rules.assess(a.method, a.inputs)
        assert a.level == result.level
        assert a.score == result.score.quantize(Decimal("0.01"))
        assert a.colour == result.colour
        assert a.method_version == result.method_version
        assert a.kind == "initial"
    methods_used = Counter(a.method for a in assessments)
    assert methods_used.most_common(1)[0][0] == "LEC"


def test_point_level_is_the_most_dangerous_factor_level(small: builders.DemoSummary) -> None:
    factor_levels: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for pk, point_id, level, version in RiskAssessment.objects.order_by(
        "hazard_factor__step_no", "hazard_factor_id"
    ).values_list("hazard_factor_id", "hazard_factor__risk_point_id", "level", "method_version"):
        factor_levels[point_id].append((level, pk, version))
    for point in RiskPoint.objects.all():
        levels = factor_levels[point.pk]
        assert 1 <= len(levels) <= 5
        assert point.level == rules.point_level(lv for lv, _pk, _v in levels)
        assert point.level_method_version == next(v for lv, _pk, v in levels if lv == point.level)


def test_identification_methods_and_jha_steps(small: builders.DemoSummary) -> None:
    for point in RiskPoint.objects.prefetch_related("factors"):
        factors = list(point.factors.all())
        if point.type == RiskPointType.ACTIVITY:
            steps = [f.step_no for f in factors]
            assert all(f.method == "JHA" for f in factors)
            assert steps == list(range(1, len(steps) + 1))
            assert len(steps) <= methods.JHA_MAX_STEPS
            assert rules.jha_steps_problem(steps) is None  # type: ignore[arg-type]
        else:
            assert all(f.method == "SCL" and f.step_no is None for f in factors)
        for factor in factors:
            assert factor.category in HazardCategory.values
            assert factor.accident_types and set(factor.accident_types) <= set(AccidentType.values)
            assert factor.consequences and factor.existing_controls


def test_measures_classified_and_owned_by_a_post_of_the_enterprise(small: builders.DemoSummary) -> None:
    counts = Counter(ControlMeasure.objects.values_list("risk_point_id", flat=True))
    assert all(2 <= n <= 6 for n in counts.values())
    assert set(counts) == set(RiskPoint.objects.values_list("pk", flat=True))
    units = {u.pk: u for u in OrgUnit.objects.all()}
    hours = 0
    for m in ControlMeasure.objects.select_related("risk_point", "hazard_factor"):
        assert m.kind in MeasureKind.values
        assert m.classify2 in Classify2.values and classify2_parent(m.classify2) == m.classify1
        post = units[m.responsible_post_id]
        assert post.kind == OrgUnitKind.POST and post.enterprise_id == m.risk_point.enterprise_id
        assert m.check_cycle >= 1 and m.check_cycle_unit in ("小时", "天", "月", "年")
        assert m.hazard_factor is None or m.hazard_factor.risk_point_id == m.risk_point_id
        hours += m.check_cycle_unit == "小时"
    assert hours, "operator patrols on key points are checked every 2 hours"


def test_tiers_held_by_people_of_the_enterprise(small: builders.DemoSummary) -> None:
    people = dict(Person.objects.values_list("pk", "enterprise_id"))
    units = {u.pk: u for u in OrgUnit.objects.all()}
    for t in ResponsibilityAssignment.objects.select_related("risk_point"):
        assert people[t.person_id] == t.risk_point.enterprise_id
        assert t.tier in rules.required_tiers(t.risk_point.level)
        if t.org_unit_id is not None:
            unit = units[t.org_unit_id]
            assert unit.enterprise_id == t.risk_point.enterprise_id
            assert unit.kind == TIER_UNIT_KIND[t.tier]  # type: ignore[index]


def test_ent_a_has_a_complete_fileable_register(small: builders.DemoSummary) -> None:
    ent_a = Enterprise.objects.get(pk=Person.objects.get(user__username="ent_a").enterprise_id)
    assert ent_a.division_id.startswith(builders.TOWN_A)
    assert ent_a.sectors.filter(code="hazardous_chemicals").exists()
    points = filing._register_points(ent_a)
    assert len(points) >= 8
    assert filing.register_problems(points) == []
    assert RegisterRevision.objects.get(enterprise=ent_a).revision == 1


def test_revisions_regional_risks_and_audit(small: builders.DemoSummary) -> None:
    with_points = set(RiskPoint.objects.values_list("enterprise_id", flat=True))
    assert set(RegisterRevision.objects.values_list("enterprise_id", flat=True)) == with_points
    # Revision 1 as built; the registers the filing stories edited moved on once per edit.
    assert min(RegisterRevision.objects.values_list("revision", flat=True)) == 1
    regional = RegionalRisk.objects.values("division__level").annotate(n=Count("pk"))
    assert {r["division__level"]: r["n"] for r in regional} == {"town": 9, "village": 155}
    stages = list(
        AuditEntry.objects.filter(object_type__startswith="demo.")
        .order_by("id")
        .values_list("object_type", flat=True)
    )
    start = stages.index("demo.risk_registers")
    assert stages[start:] == ["demo.risk_registers", "demo.regional_risks"]  # built up to the registers
    entry = AuditEntry.objects.get(object_type="demo.risk_registers")
    assert entry.object_id == str(RiskPoint.objects.count()) and "风险点" in entry.comment
