"""Demo builds that need an empty database: determinism by seed, reset, the build date, the command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from safegrid.core.models import AuditEntry, User
from safegrid.demo import builders
from safegrid.enterprises.models import Certificate, Enterprise
from safegrid.regions.models import Division, Grid
from safegrid.risks.models import (
    ControlMeasure,
    HazardFactor,
    RegionalRisk,
    RegisterRevision,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskPoint,
)

SMALL = 60

pytestmark = pytest.mark.django_db


def _county() -> list[object]:
    enterprises = Enterprise.objects.order_by("id").values_list("name", "uscc", "division_id", "lat", "lon")
    grids = Grid.objects.order_by("code").values_list("code", "worker_name", "division_id")
    villages = Division.objects.order_by("code").values_list("code", "name")
    return [*enterprises, *grids, *villages]


def _register() -> list[tuple[object, ...]]:
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


def test_the_seed_decides_the_county_and_its_registers_and_reset_removes_them() -> None:
    builders.build(enterprises=SMALL, seed=11, until="risk_registers")
    county, register = _county(), _register()
    usccs = set(Enterprise.objects.values_list("uscc", flat=True))
    assert len(register) > 500
    builders.reset()
    assert not Enterprise.objects.exists() and not Division.objects.exists()
    assert not RiskPoint.objects.exists() and not RiskAssessment.objects.exists()
    assert not RegisterRevision.objects.exists() and not RegionalRisk.objects.exists()

    builders.build(enterprises=SMALL, seed=11, until="risk_registers")
    assert _county() == county
    assert _register() == register

    builders.reset()
    builders.build(enterprises=SMALL, seed=12, until="risk_registers")
    assert set(Enterprise.objects.values_list("uscc", flat=True)) != usccs


def test_expiry_follows_the_build_date() -> None:
    later = dt.date(2031, 6, 1)
    builders.build(enterprises=SMALL, seed=11, today=later, until="county")
    dates = list(Certificate.objects.values_list("expires_on", flat=True))
    assert any(d < later for d in dates) and any(later <= d <= later + dt.timedelta(days=30) for d in dates)


def test_command_refuses_a_non_empty_database_and_resets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builders, "ENTERPRISES_PER_SCALE", 20)
    monkeypatch.setattr(
        builders.DemoBuilder, "default_until", "risk_registers"
    )  # the command, not the stages
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert Enterprise.objects.count() == 20
    assert "企业" in out.getvalue()
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue() and Enterprise.objects.count() == 20
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", stdout=io.StringIO())
    call_command("demo", "--reset", "--scale", "2", stdout=io.StringIO())
    assert Enterprise.objects.count() == 40
    assert User.objects.filter(username="county_admin").count() == 1
    assert AuditEntry.objects.filter(object_type="demo.reset").count() == 1
    from safegrid.core import audit_anchor

    (anchor,) = audit_anchor.read()  # the rebuilt chain is anchored afresh, with the reason
    assert anchor.reset and anchor.count == AuditEntry.objects.count()


def test_command_refuses_when_a_demo_username_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    User.objects.create_user(username="county_admin", password="x-very-long-password")
    with pytest.raises(CommandError, match="county_admin"):
        call_command("demo", stdout=io.StringIO())
