"""Tests of the demo county build: determinism, validity, geometry, scope of the fixed logins."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from shapely.geometry import Point, shape

from safegrid.core import audit
from safegrid.core.models import AuditEntry, RoleAssignment, User
from safegrid.demo import builders, filings
from safegrid.enterprises import selectors
from safegrid.enterprises.choices import CertificateKind, ChemicalPark, OrgUnitKind
from safegrid.enterprises.models import Certificate, Enterprise, EnterpriseSector, OrgUnit, Person
from safegrid.enterprises.rules import ExpiryStatus, expiry_status, uscc_problem
from safegrid.regions.choices import SECTORS
from safegrid.regions.models import Division, Grid
from safegrid.risks.models import RegionalRisk

SMALL = 60  # enterprises in the reduced test county

pytestmark = pytest.mark.django_db


def _fingerprint() -> list[tuple[str, str, str, float | None, float | None]]:
    return list(Enterprise.objects.order_by("id").values_list("name", "uscc", "division_id", "lat", "lon"))


@pytest.fixture
def small() -> builders.DemoSummary:
    return builders.build(enterprises=SMALL, seed=11)


def test_same_seed_builds_the_same_county() -> None:
    builders.build(enterprises=SMALL, seed=11)
    first = _fingerprint()
    first_grids = list(Grid.objects.order_by("code").values_list("code", "worker_name", "division_id"))
    first_villages = list(Division.objects.order_by("code").values_list("code", "name"))
    builders.reset()
    assert not Enterprise.objects.exists() and not Division.objects.exists()
    builders.build(enterprises=SMALL, seed=11)
    assert _fingerprint() == first
    assert (
        list(Grid.objects.order_by("code").values_list("code", "worker_name", "division_id")) == first_grids
    )
    assert list(Division.objects.order_by("code").values_list("code", "name")) == first_villages


def test_another_seed_builds_another_county() -> None:
    builders.build(enterprises=SMALL, seed=11)
    first = {uscc for _n, uscc, *_ in _fingerprint()}
    builders.reset()
    builders.build(enterprises=SMALL, seed=12)
    assert first != {uscc for _n, uscc, *_ in _fingerprint()}


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


def test_expiry_follows_the_build_date() -> None:
    later = dt.date(2031, 6, 1)
    builders.build(enterprises=SMALL, seed=11, today=later)
    dates = list(Certificate.objects.values_list("expires_on", flat=True))
    assert any(d < later for d in dates) and any(later <= d <= later + dt.timedelta(days=30) for d in dates)


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
    ]
    assert entries[2].object_id == str(SMALL)
    assert audit.verify().ok


def test_full_scale_one_county() -> None:
    summary = builders.build(scale=1)
    assert summary.counts["enterprises"] >= 600
    assert Enterprise.objects.count() >= 600
    assert Division.objects.filter(level="village").count() >= 150
    present = set(EnterpriseSector.objects.values_list("sector__code", flat=True))
    assert present == {code for code, _ in SECTORS}
    multi = Enterprise.objects.filter(
        pk__in=EnterpriseSector.objects.values("enterprise")
        .order_by()
        .annotate(n=__import__("django").db.models.Count("id"))
        .filter(n=2)
        .values("enterprise")
    )
    assert multi.exists()
    parks = set(Enterprise.objects.exclude(chemical_park="").values_list("chemical_park", flat=True))
    assert parks == {ChemicalPark.MAQIAO, ChemicalPark.DONGYUE}
    statuses = set(Enterprise.objects.values_list("status", flat=True))
    assert statuses == {"operating", "suspended", "closed", "zombie"}
    assert Grid.objects.count() > Division.objects.filter(level="village").count()  # some micro-grids
    # Regional risk (REGIONAL/2) tells towns and villages apart: more than one colour at each level.
    year = timezone.localdate().year
    for kind in ("town", "village"):
        rows = RegionalRisk.objects.filter(year=year, division__level=kind)
        assert {r.method_version for r in rows} == {"REGIONAL/2"}
        assert len({r.level for r in rows}) > 1, kind


def test_command_refuses_a_non_empty_database_and_resets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builders, "ENTERPRISES_PER_SCALE", 20)
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


def test_demo_logins_lists_usernames_and_password(small: builders.DemoSummary) -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "safegrid-demo" in text
    for username in ("county_admin", "town_a", "dept_chem", "post_a", "town_110", "dept_fire_brigade"):
        assert username in text
    assert "未创建" not in text


def test_major_hazard_sources_at_the_chemical_enterprises(small: builders.DemoSummary) -> None:
    from safegrid.majorhazards.models import HazardUnit, SitePopulation, UnitGrading

    units = HazardUnit.objects.all()
    assert units.exists() and small.counts["major_sources_units"] == units.count()
    assert not units.exclude(enterprise__sectors__code="hazardous_chemicals").exists()
    assert not units.filter(is_major=True, grade__isnull=True).exists()  # every enterprise has its population
    assert UnitGrading.objects.filter(unit__in=units).count() >= units.count()
    builders.reset()
    assert not HazardUnit.objects.exists() and not SitePopulation.objects.exists()
