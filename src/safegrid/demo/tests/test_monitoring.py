"""The demo's monitoring stage on the test world's county: every graded major unit gets realistic points with
ordered limits, a version and a source; the same seed gives the same points; the reset deletes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from safegrid.demo import monitoring
from safegrid.majorhazards.models import HazardUnit, Substance, UnitSubstance
from safegrid.monitoring.models import MonitoringPoint
from safegrid.monitoring.rules.points import Limits, limit_errors

pytestmark = pytest.mark.django_db


def _unit(world, code, kind, substances, grade=2, enterprise=None):
    unit = HazardUnit.objects.create(
        enterprise=enterprise or world.ent_a,
        code=code,
        name=f"{code}单元",
        kind=kind,
        is_major=grade is not None,
        grade=grade,
        graded_at=timezone.now(),
    )
    for name, q in substances:
        UnitSubstance.objects.create(
            unit=unit, substance=Substance.objects.get(name=name, variant=""), design_quantity=Decimal(q)
        )
    return unit


def _snapshot():
    return list(
        MonitoringPoint.objects.order_by("enterprise_id", "code").values_list(
            "code", "kind", "ll", "l", "h", "hh", "oel_ppm", "limits_version"
        )
    )


def test_build_points_for_every_graded_major_unit(world):
    units = [
        _unit(world, "NH3-01", "tank_farm", [("氨", "150")]),
        _unit(world, "ME-02", "production", [("甲醇", "420"), ("氢", "6")]),
        _unit(world, "CC-01", "warehouse", [("电石", "600")], enterprise=world.ent_b),
        _unit(world, "CL-01", "tank_farm", [("氯", "100")], grade=1),
    ]
    _unit(world, "WH-09", "warehouse", [("丙酮", "10")], grade=None)  # not major: no points
    counts = monitoring.build(county_code=world.county.code, seed=7, year=2026)
    assert counts["units"] == len(units)
    for unit in units:
        assert MonitoringPoint.objects.filter(unit=unit).exists(), unit.code
    assert not MonitoringPoint.objects.filter(unit__code="WH-09").exists()
    for p in MonitoringPoint.objects.all():
        assert limit_errors(Limits(p.ll, p.l, p.h, p.hh)) == [], p.code
        assert p.limits_version and p.limits_source, p.code
    level = MonitoringPoint.objects.filter(unit=units[0], kind="level").order_by("code").first()
    assert (
        level is not None and level.code == "T301-LT-01" and level.measure_unit == "m"
    )  # the third unit of ent_a by code
    assert level.hh is not None and 6.0 < level.hh < 7.0  # 90 % of a ~7.1 m sphere
    assert MonitoringPoint.objects.filter(
        unit=units[0], kind="pressure"
    ).exists()  # liquid ammonia: pressurised
    ammonia = MonitoringPoint.objects.filter(unit=units[0], kind="gas_toxic").first()
    assert (
        ammonia is not None
        and ammonia.oel_ppm == pytest.approx(28.71, abs=0.01)
        and ammonia.hh == 2 * ammonia.h
    )
    gas = MonitoringPoint.objects.filter(unit=units[1], kind="gas_combustible").first()
    assert gas is not None and (gas.h, gas.hh) == (25.0, 50.0)
    reactor = MonitoringPoint.objects.get(unit=units[1], code="R201-TT-01")  # the second unit of ent_a
    assert (reactor.l, reactor.h, reactor.hh) == (210.0, 275.0, 285.0)
    assert counts["points"] == MonitoringPoint.objects.count()

    first = _snapshot()
    monitoring.reset(world.county.code)
    assert not MonitoringPoint.objects.exists()
    monitoring.build(county_code=world.county.code, seed=7, year=2026)
    assert _snapshot() == first  # deterministic for a seed


@pytest.mark.parametrize(
    ("unit_name", "kind", "expected"),
    [
        ("甲醇储罐区", "tank_farm", 2),  # the same name
        ("液氯罐区", "tank_farm", 3),  # a tank risk point sharing the substance
        ("乙醇罐区", "tank_farm", 1),  # a tank risk point
        ("甲类仓库", "warehouse", 4),
        ("合成装置", "production", 5),
    ],
)
def test_pick_risk_point(unit_name, kind, expected):
    candidates = [
        (1, "储罐区"),
        (2, "甲醇储罐区"),
        (3, "液氯储罐区"),
        (4, "危化品仓库"),
        (5, "反应釜（氯化工艺）"),
    ]
    assert monitoring.pick_risk_point(unit_name, kind, candidates) == expected
    assert monitoring.pick_risk_point(unit_name, kind, []) is None


def test_build_ties_points_to_the_fitting_risk_point(world):
    from safegrid.risks.models import RiskPoint

    _unit(world, "NH3-01", "tank_farm", [("氨", "150")])
    tanks = RiskPoint.objects.create(
        enterprise=world.ent_a, code="FXD-001", name="液氨储罐区", type="facility"
    )
    RiskPoint.objects.create(enterprise=world.ent_b, code="FXD-001", name="储罐区", type="facility")
    counts = monitoring.build(county_code=world.county.code, seed=7, year=2026)
    assert counts["units_with_risk_point"] == 1
    assert set(MonitoringPoint.objects.values_list("risk_point", flat=True)) == {tanks.pk}
