"""Tests of the demo county build: determinism, validity, geometry, scope of the fixed logins."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone
from shapely.geometry import Point, shape

from safegrid.core import audit
from safegrid.core.models import AuditEntry, RoleAssignment, User
from safegrid.demo import builders, filings
from safegrid.enterprises import selectors
from safegrid.enterprises.choices import CertificateKind, OrgUnitKind
from safegrid.enterprises.models import Certificate, Enterprise, OrgUnit, Person
from safegrid.enterprises.rules import ExpiryStatus, expiry_status, uscc_problem
from safegrid.regions.models import Division, Grid

SMALL = 60  # enterprises in the reduced test county

pytestmark = pytest.mark.django_db


def _fingerprint() -> list[tuple[str, str, str, float | None, float | None]]:
    return list(Enterprise.objects.order_by("id").values_list("name", "uscc", "division_id", "lat", "lon"))


def test_usccs_valid_unique_and_registered_in_huantai(small: builders.DemoSummary) -> None:
    codes = list(Enterprise.objects.values_list("uscc", flat=True))
    assert len(codes) == SMALL == len(set(codes))
    for code in codes:
        assert uscc_problem(code) is None, code
        assert code.startswith("91370321")


def test_divisions_codes_boundaries_and_centroids(small: builders.DemoSummary) -> None:
    county = Division.objects.get(code="370321")
    assert county.name == "桓台县" and not county.boundary_illustrative and county.parent is None
    towns = list(Division.objects.filter(level="town"))
    assert len(towns) == 9
    assert {t.code: t.name for t in towns}["370321001"] == "索镇街道"
    villages = list(Division.objects.filter(level="village").select_related("parent"))
    assert len(villages) >= 150
    per_town = Counter(v.parent_id for v in villages)
    assert all(15 <= n <= 19 for n in per_town.values())
    for division in [*towns, *villages]:
        assert division.boundary_illustrative
        geom = shape(division.boundary)
        assert geom.is_valid and not geom.is_empty, division.code
        assert geom.contains(Point(division.lon, division.lat)), division.code
    for village in villages:
        assert len(village.code) == 12 and village.code.startswith(village.parent_id)
        assert village.name.endswith(("村", "社区"))
        town_geom = shape(village.parent.boundary)
        village_geom = shape(village.boundary)
        assert village_geom.difference(town_geom).area < 1e-3 * village_geom.area, village.code


def test_every_enterprise_lies_inside_its_village_and_grid(small: builders.DemoSummary) -> None:
    boundaries = {d.code: shape(d.boundary) for d in Division.objects.filter(level="village")}
    for ent in Enterprise.objects.select_related("grid"):
        point = Point(ent.lon, ent.lat)
        assert boundaries[ent.division_id].contains(point), ent.name
        assert ent.grid is not None and ent.grid.division_id == ent.division_id
        ent.full_clean()  # the bulk-written rows satisfy the model's own validation


def test_every_village_has_a_grid_with_a_named_worker(small: builders.DemoSummary) -> None:
    village_codes = set(Division.objects.filter(level="village").values_list("code", flat=True))
    grids = list(Grid.objects.all())
    assert village_codes == {g.division_id for g in grids}
    for grid in grids:
        assert 2 <= len(grid.worker_name) <= 3
        assert grid.worker_phone.startswith("138") and len(grid.worker_phone) == 11
        assert shape(grid.boundary).is_valid


def test_org_units_paths_people_and_certificates(small: builders.DemoSummary) -> None:
    units = {u.pk: u for u in OrgUnit.objects.all()}
    for unit in units.values():
        if unit.parent_id is None:
            assert unit.kind == OrgUnitKind.COMPANY and unit.path == f"{unit.pk:08d}/"
        else:
            parent = units[unit.parent_id]
            assert unit.path == f"{parent.path}{unit.pk:08d}/"
            assert unit.enterprise_id == parent.enterprise_id
    for ent in Enterprise.objects.all():
        kinds = Counter(u.kind for u in units.values() if u.enterprise_id == ent.pk)
        assert kinds[OrgUnitKind.COMPANY] == 1 and 1 <= kinds[OrgUnitKind.WORKSHOP] <= 3
        assert kinds[OrgUnitKind.TEAM] >= 1 and kinds[OrgUnitKind.POST] >= 1
        assert 3 <= ent.people.count() <= 15
    assert OrgUnit.objects.filter(is_key_post=True).exists()
    assert OrgUnit.objects.exclude(required_certificate="").exists()
    for cert in Certificate.objects.select_related("person__org_unit"):
        cert.full_clean()
        if cert.kind == CertificateKind.SAFETY_LICENCE:
            assert cert.person is None
        elif cert.kind in (CertificateKind.PRINCIPAL, CertificateKind.SAFETY_MANAGER):
            assert cert.person is not None and cert.person.job_title in ("主要负责人", "安全管理员")
        else:
            assert cert.person is not None and cert.person.org_unit is not None
            assert cert.person.org_unit.required_certificate == cert.kind


def test_some_certificates_expired_and_some_expiring(small: builders.DemoSummary) -> None:
    today = timezone.localdate()
    statuses = Counter(expiry_status(c.expires_on, today) for c in Certificate.objects.all())
    assert statuses[ExpiryStatus.EXPIRED] > 0
    assert statuses[ExpiryStatus.EXPIRING] > 0
    assert statuses[ExpiryStatus.VALID] > statuses[ExpiryStatus.EXPIRED] + statuses[ExpiryStatus.EXPIRING]


def test_fixed_logins_have_the_right_scope(small: builders.DemoSummary) -> None:
    users = {u.username: u for u in User.objects.all()}
    for username in ("county_admin", "town_a", "town_b", "ent_a", "ent_b", "grid_a", "dept_chem", "post_a"):
        assert username in users, username
        assert users[username].display_name and users[username].check_password("safegrid-demo") is not None
    ent_a = RoleAssignment.objects.get(user=users["ent_a"]).enterprise
    ent_b = RoleAssignment.objects.get(user=users["ent_b"]).enterprise
    assert ent_a is not None and ent_b is not None
    assert ent_a.division_id.startswith("370321001")
    assert ent_a.sectors.filter(code="hazardous_chemicals").exists()
    assert ent_b.division_id.startswith("370321002")

    def visible(username: str) -> set[int]:
        return set(selectors.enterprise_list(users[username]).values_list("pk", flat=True))

    assert {ent_a.pk} <= visible("town_a") and ent_b.pk not in visible("town_a")
    assert {ent_b.pk} <= visible("town_b") and ent_a.pk not in visible("town_b")
    assert visible("ent_a") == {ent_a.pk}
    assert visible("county_admin") == set(Enterprise.objects.values_list("pk", flat=True))
    assert ent_a.pk in visible("dept_chem") and ent_b.pk not in visible("dept_chem")
    assert ent_a.pk in visible("grid_a") and ent_b.pk not in visible("grid_a")
    grid = RoleAssignment.objects.get(user=users["grid_a"]).grid
    assert grid is not None and grid.worker == users["grid_a"] and ent_a.grid_id == grid.pk
    post = RoleAssignment.objects.get(user=users["post_a"]).org_unit
    assert post is not None and post.kind == OrgUnitKind.POST and post.enterprise_id == ent_a.pk
    assert Person.objects.get(user=users["ent_a"]).enterprise_id == ent_a.pk
    expert = RoleAssignment.objects.filter(user=users["expert_1"], role="expert")
    assert expert.count() >= 2
    town_roles = RoleAssignment.objects.filter(role="town_officer").values_list("division_id", flat=True)
    assert set(town_roles) == set(Division.objects.filter(level="town").values_list("code", flat=True))
    # Besides the fixed logins, only the accounts of the filing stories (sm_/lr_/pw_NNNN).
    assert set(builders.demo_usernames()) == {u for u in users if not filings.is_story_username(u)}


def test_audit_has_one_summary_entry_per_stage(small: builders.DemoSummary) -> None:
    entries = list(
        AuditEntry.objects.filter(actor_label="system:demo", object_type__startswith="demo.").order_by("id")
    )
    assert [e.object_type for e in entries] == [
        "demo.divisions",
        "demo.grids",
        "demo.enterprises",
        "demo.org_units",
        "demo.people",
        "demo.certificates",
        "demo.users",
        "demo.risk_registers",
        "demo.regional_risks",
        "demo.filings",
        "demo.inspections",
        "demo.hazards",
        "demo.major_sources",
        "demo.major_lifecycle",
        "demo.work",
        "demo.monitoring",
    ]
    assert entries[2].object_id == str(SMALL)
    assert audit.verify().ok


def test_demo_logins_lists_usernames_and_password(small: builders.DemoSummary) -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "safegrid-demo" in text
    for username in ("county_admin", "town_a", "dept_chem", "post_a", "town_110", "dept_fire_brigade"):
        assert username in text
    assert "未创建" not in text


def test_monitoring_points_on_every_graded_major_unit(small: builders.DemoSummary) -> None:
    from safegrid.majorhazards.models import HazardUnit
    from safegrid.monitoring.models import MonitoringPoint

    majors = list(HazardUnit.objects.filter(is_major=True, grade__isnull=False))
    assert majors
    assert all(MonitoringPoint.objects.filter(unit=unit).exists() for unit in majors)
    assert small.counts["monitoring_points"] == MonitoringPoint.objects.count()
    assert not MonitoringPoint.objects.filter(limits_version="").exists()
    assert small.counts["monitoring_units_with_risk_point"] > 0  # 16 of 21 units at the default seed
    for p in MonitoringPoint.objects.filter(risk_point__isnull=False).select_related("risk_point", "unit")[
        :50
    ]:
        assert (
            p.risk_point.enterprise_id == p.enterprise_id
        )  # sensors sit in their own enterprise's risk point
    builders.reset()
    assert not MonitoringPoint.objects.exists() and not HazardUnit.objects.exists()


def test_major_hazard_sources_at_the_chemical_enterprises(small: builders.DemoSummary) -> None:
    from safegrid.majorhazards.models import HazardUnit, SitePopulation, UnitGrading

    units = HazardUnit.objects.all()
    assert units.exists() and small.counts["major_sources_units"] == units.count()
    assert not units.exclude(enterprise__sectors__code="hazardous_chemicals").exists()
    assert not units.filter(is_major=True, grade__isnull=True).exists()  # every enterprise has its population
    assert UnitGrading.objects.filter(unit__in=units).count() >= units.count()
    builders.reset()
    assert not HazardUnit.objects.exists() and not SitePopulation.objects.exists()
