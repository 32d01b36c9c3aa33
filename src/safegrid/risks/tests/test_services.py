from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from safegrid.core.audit import verify
from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.models import OrgUnit
from safegrid.risks.choices import ControlTier, IdentificationMethod
from safegrid.risks.models import (
    ControlMeasure,
    HazardFactor,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskPoint,
    RiskSettings,
)
from safegrid.risks.services import points as services

from .factories import make_factor, make_measure, make_point

pytestmark = pytest.mark.django_db


def _entries(obj) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)))


def test_assessment_sets_point_level_to_the_highest_factor(world) -> None:
    point = make_point(world)
    assert point.level is None
    low = make_factor(point, description="地面湿滑")
    high = make_factor(point, description="反应釜超温超压")

    services.assess(actor=SYSTEM, factor=low, kind="initial", method="LS", inputs={"L": 2, "S": 2})
    point.refresh_from_db()
    assert point.level == 4
    assert point.level_method_version == "LS-A/DB37T2882-2016"

    a = services.assess(
        actor=SYSTEM, factor=high, kind="initial", method="LEC", inputs={"L": 6, "E": 6, "C": 15}
    )
    assert (a.score, a.level, a.colour, a.method_version) == (
        Decimal("540.00"),
        1,
        "red",
        "LEC/DB37T2882-2016",
    )
    assert a.inputs == {"L": 6, "E": 6, "C": 15}
    point.refresh_from_db()
    assert point.level == 1
    assert point.level_method_version == "LEC/DB37T2882-2016"
    assert point.colour == "red"
    assert point.national_level == 0


def test_residual_beside_initial_and_latest_is_current(world) -> None:
    point = make_point(world)
    factor = make_factor(point)
    initial = services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 6, "E": 6, "C": 15}
    )
    residual = services.assess(
        actor=SYSTEM, factor=factor, kind="residual", method="LEC", inputs={"L": 1, "E": 6, "C": 15}
    )
    assert RiskAssessment.objects.filter(hazard_factor=factor).count() == 2
    assert (initial.level, residual.level) == (1, 3)
    point.refresh_from_db()
    assert point.level == 3  # the residual assessment is the factor's current level

    from safegrid.risks.selectors.points import factor_views, with_register

    view = factor_views(with_register(RiskPoint.objects.filter(pk=point.pk)).get())[0]
    assert view.initial == initial and view.residual == residual

    newer = services.assess(
        actor=SYSTEM, factor=factor, kind="residual", method="LS", inputs={"L": 4, "S": 4}
    )
    view = factor_views(with_register(RiskPoint.objects.filter(pk=point.pk)).get())[0]
    assert view.residual == newer and view.initial == initial
    point.refresh_from_db()
    assert point.level == 2


def test_invalid_assessment_input_refused_with_field(world) -> None:
    factor = make_factor(make_point(world))
    with pytest.raises(ValidationError) as info:
        services.assess(
            actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 6, "E": 5, "C": 15}
        )
    assert "E" in info.value.message_dict
    assert "10、6、3、2、1、0.5" in info.value.message_dict["E"][0]
    assert not RiskAssessment.objects.exists()
    with pytest.raises(ValidationError) as info:
        services.assess(
            actor=SYSTEM, factor=factor, kind="final", method="LEC", inputs={"L": 6, "E": 6, "C": 15}
        )
    assert "kind" in info.value.message_dict


def test_county_settings_change_the_grading(world) -> None:
    services.risk_settings_save(actor=SYSTEM, county_code="370321", data={"ls_variant": "C"})
    factor = make_factor(make_point(world))
    a = services.assess(actor=SYSTEM, factor=factor, kind="initial", method="LS", inputs={"L": 3, "S": 3})
    assert (a.level, a.method_version) == (2, "LS-C/DB37T2882-2016")
    services.risk_settings_save(
        actor=SYSTEM, county_code="370321", data={"lec_major": 500, "lec_large": 200, "lec_general": 100}
    )
    assert RiskSettings.objects.count() == 1
    b = services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 6, "E": 6, "C": 15}
    )
    assert (b.level, b.method_version) == (1, "LEC/DB37T2882-2016;bands=500/200/100")
    c = services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 1, "E": 6, "C": 15}
    )
    assert c.level == 4  # 90 < 100


def test_settings_refuse_non_descending_thresholds(world) -> None:
    with pytest.raises(ValidationError):
        services.risk_settings_save(
            actor=SYSTEM, county_code="370321", data={"lec_major": 100, "lec_large": 160, "lec_general": 70}
        )
    assert not RiskSettings.objects.exists()


def test_eleventh_jha_step_refused_and_nothing_saved(world) -> None:
    point = make_point(world, code="RP-JHA", type="activity", name="反应釜检修作业")
    for step in range(1, 11):
        make_factor(point, method=IdentificationMethod.JHA, step_no=step, step_name=f"步骤{step}")
    make_factor(point, method=IdentificationMethod.JHA, step_no=3, description="同一步骤的第二个危险源")
    count = HazardFactor.objects.count()
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as info:
        make_factor(point, method=IdentificationMethod.JHA, step_no=11, step_name="步骤11")
    assert "最多划分为 10 个步骤" in info.value.message_dict["step_no"][0]
    assert HazardFactor.objects.count() == count
    assert AuditEntry.objects.count() == audits


def test_jha_factor_needs_step_and_scl_none(world) -> None:
    point = make_point(world)
    with pytest.raises(ValidationError) as info:
        make_factor(point, method=IdentificationMethod.JHA)
    assert "step_no" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        make_factor(point, method=IdentificationMethod.SCL, step_no=2)
    assert "step_no" in info.value.message_dict


def test_accident_types_validated_against_gb6441(world) -> None:
    with pytest.raises(ValidationError) as info:
        make_factor(make_point(world), accident_types=["17", "99"])
    assert "99" in info.value.message_dict["accident_types"][0]


def test_classify2_must_belong_to_classify1(world) -> None:
    point = make_point(world)
    with pytest.raises(ValidationError) as info:
        make_measure(world, point, classify1=2, classify2="1-4")
    assert "classify2" in info.value.message_dict
    assert not ControlMeasure.objects.exists()
    measure = make_measure(world, point, classify1=2, classify2="2-1", kind="institutional")
    assert measure.pk


def test_measure_needs_post_of_same_enterprise(world) -> None:
    point = make_point(world)
    workshop = OrgUnit.objects.get(enterprise=world.ent_a, name="合成车间")
    with pytest.raises(ValidationError) as info:
        make_measure(world, point, responsible_post=workshop)
    assert "responsible_post" in info.value.message_dict
    post_b = ent_services.org_unit_create(
        actor=SYSTEM,
        enterprise=world.ent_b,
        parent=OrgUnit.objects.get(enterprise=world.ent_b, parent__isnull=True),
        data={"kind": "workshop", "name": "项目部"},
    )
    with pytest.raises(ValidationError):
        make_measure(world, point, responsible_post=post_b)
    with pytest.raises(ValidationError) as info:
        make_measure(world, point, check_cycle=0)
    assert "check_cycle" in info.value.message_dict


def test_tier_person_from_another_enterprise_refused(world) -> None:
    point = make_point(world)
    person_b = world.ent_b.people.get()
    with pytest.raises(ValidationError) as info:
        services.tier_assign(actor=SYSTEM, point=point, tier=ControlTier.POST, person=person_b)
    assert "person" in info.value.message_dict
    assert not ResponsibilityAssignment.objects.exists()


def test_tiers_and_missing_tiers(world) -> None:
    point = make_point(world)
    factor = make_factor(point)
    services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 3, "E": 6, "C": 7}
    )
    point.refresh_from_db()
    assert point.level == 3
    assert services.missing_tiers(point) == ("workshop", "team", "post")
    services.tier_assign(
        actor=SYSTEM, point=point, tier=ControlTier.POST, person=world.person_a, org_unit=world.post_a
    )
    services.tier_assign(actor=SYSTEM, point=point, tier="company", person=world.person_a)  # an extra tier
    assert services.missing_tiers(point) == ("workshop", "team")
    # Re-assigning a tier replaces its holder: still one row per point and tier.
    services.tier_assign(actor=SYSTEM, point=point, tier=ControlTier.POST, person=world.person_a)
    assert point.tiers.filter(tier="post").count() == 1
    with pytest.raises(ValidationError) as info:
        services.tier_assign(actor=SYSTEM, point=point, tier="plant", person=world.person_a)
    assert "tier" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.tier_assign(
            actor=SYSTEM, point=point, tier="team", person=world.person_a, org_unit=world.post_a
        )
    assert "org_unit" in info.value.message_dict


def test_removing_a_factor_regrades_the_point(world) -> None:
    point = make_point(world)
    high = make_factor(point)
    low = make_factor(point, description="地面湿滑")
    services.assess(actor=SYSTEM, factor=high, kind="initial", method="LS", inputs={"L": 5, "S": 5})
    services.assess(actor=SYSTEM, factor=low, kind="initial", method="LS", inputs={"L": 3, "S": 3})
    make_measure(world, point, hazard_factor=high)
    point.refresh_from_db()
    assert point.level == 1
    services.hazard_factor_remove(actor=SYSTEM, factor=high)
    point.refresh_from_db()
    assert point.level == 3
    assert not ControlMeasure.objects.exists()
    services.hazard_factor_remove(actor=SYSTEM, factor=low)
    point.refresh_from_db()
    assert point.level is None and point.level_method_version == ""


def test_point_code_unique_and_derived_fields_refused(world) -> None:
    make_point(world)
    with pytest.raises(ValidationError) as info:
        make_point(world)
    assert "code" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        make_point(world, code="RP-009", level=1)
    assert "level" in info.value.message_dict
    other = make_point(world, code="RP-002")
    with pytest.raises(ValidationError):
        services.risk_point_update(actor=SYSTEM, point=other, data={"code": "RP-001"})
    with pytest.raises(ValidationError) as info:
        make_point(world, code="RP-003", lat=36.9)
    assert "lat" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        make_point(world, code="RP-004", plan_x=1.5, plan_y=0.5)
    assert "plan_x" in info.value.message_dict


def test_deactivated_point_takes_no_new_factors(world) -> None:
    point = services.risk_point_deactivate(actor=SYSTEM, point=make_point(world))
    assert not point.active
    with pytest.raises(ValidationError):
        make_factor(point)


def test_every_write_leaves_an_audit_entry(world) -> None:
    point = make_point(world)
    assert [e.action for e in _entries(point)] == ["create"]
    point = services.risk_point_update(actor=SYSTEM, point=point, data={"location": "合成车间二楼"})
    factor = make_factor(point)
    factor = services.hazard_factor_update(actor=SYSTEM, factor=factor, data={"consequences": "爆炸"})
    assessment = services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="MES", inputs={"M": 3, "E": 6, "S": 10}
    )
    measure = make_measure(world, point)
    measure = services.measure_update(actor=SYSTEM, measure=measure, data={"check_cycle": 1})
    assignment = services.tier_assign(actor=SYSTEM, point=point, tier="post", person=world.person_a)
    assert [e.action for e in _entries(factor)] == ["update", "create"]
    assert [e.action for e in _entries(assessment)] == ["create"]
    assert [e.action for e in _entries(measure)] == ["update", "create"]
    assert [e.action for e in _entries(assignment)] == ["create"]
    point_actions = [e.action for e in _entries(point)]
    assert point_actions.count("update") == 2  # the location change and the regrade to level 2
    assert all(e.enterprise_id == world.ent_a.pk for e in _entries(point))

    for obj in (factor, assessment, measure, assignment):
        assert all(e.enterprise_id == world.ent_a.pk for e in _entries(obj))

    measure_id, assignment_id = str(measure.pk), str(assignment.pk)
    services.measure_remove(actor=SYSTEM, measure=measure)
    services.tier_unassign(actor=SYSTEM, assignment=assignment)
    services.risk_point_deactivate(actor=SYSTEM, point=point)
    assert (
        AuditEntry.objects.filter(object_id=measure_id, object_type="risks.controlmeasure").first().action
        == "delete"
    )
    assert (
        AuditEntry.objects.filter(object_id=assignment_id, object_type="risks.responsibilityassignment")
        .first()
        .action
        == "delete"
    )
    assert _entries(point)[0].after == {"active": False}
    assert verify().ok
