"""A small two-town world for tests: the alice/bob/charlie of SafeGrid, and every app's data for it.

town A (370321001) ── village A1 ── grid A1 ── enterprise A (hazardous chemicals)
town B (370321002) ── village B1 ── grid B1 ── enterprise B (building construction)
Users: county_admin, town_a, town_b, grid_a, ent_a, ent_b, dept_chem, post_a, outsider (no role).

`build_world()` builds the base (divisions, grids, enterprises, people, users); `extend_world(world)` (or
`build_world(extensions=True)`) then calls every installed app's world extension, `<app>/testing.py: extend_world(world) -> Leaks`, in INSTALLED_APPS order; each adds
data for enterprise B and town B and says which text must never leak to town A (`world.leaks`). The scope
walk (tests/test_scope_walk.py) walks every page and API route with those ids and markers.
This module sits above every app (like the URL root), so it may import them all; it is test support only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from safegrid.core.audit import link_pending
from safegrid.core.choices import Role
from safegrid.core.models import User
from safegrid.core.testing import SYSTEM, Leaks, make_user
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.choices import CertificateKind, OrgUnitKind
from safegrid.enterprises.models import Enterprise, OrgUnit, Person
from safegrid.enterprises.rules import make_uscc
from safegrid.regions.models import Department, Division, Grid, Sector
from safegrid.regions.reference import ensure_reference_data


@dataclass
class World:
    county: Division
    town_a: Division
    town_b: Division
    village_a: Division
    village_b: Division
    grid_a: Grid
    grid_b: Grid
    ent_a: Enterprise
    ent_b: Enterprise
    post_a: OrgUnit
    person_a: Person
    users: dict[str, User]
    leaks: dict[str, Leaks] = field(default_factory=dict)  # app label -> what its extension added

    def user(self, name: str) -> User:
        return self.users[name]

    def leak_markers(self, *, strict: bool) -> list[str]:
        """Every extension's markers (and area markers when `strict`)."""
        found = [m for leaks in self.leaks.values() for m in leaks.markers]
        if strict:
            found += [m for leaks in self.leaks.values() for m in leaks.area_markers]
        return found

    def leak_ids(self) -> dict[str, list[str]]:
        """Every extension's path-parameter values, by parameter name, as strings."""
        merged: dict[str, list[str]] = {}
        for leaks in self.leaks.values():
            for name, values in leaks.ids.items():
                merged.setdefault(name, []).extend(str(v) for v in values)
        return merged


def extend_world(world: World) -> World:
    """Run every installed app's `testing.extend_world(world)` once, collecting its Leaks."""
    for config in apps.get_app_configs():
        if config.label in world.leaks or not module_has_submodule(config.module, "testing"):
            continue
        extension = getattr(import_module(f"{config.name}.testing"), "extend_world", None)
        if extension is not None:
            world.leaks[config.label] = extension(world)
    link_pending()
    return world


def build_world(*, extensions: bool = False) -> World:
    """The base world; with `extensions=True` also every app's world extension (the scope walk's world)."""
    ensure_reference_data()
    county = Division.objects.create(code="370321", name="桓台县", level="county", lat=36.96, lon=118.10)
    town_a = Division.objects.create(
        code="370321001", name="索镇街道", level="town", parent=county, lat=36.95, lon=118.08
    )
    town_b = Division.objects.create(
        code="370321002", name="少海街道", level="town", parent=county, lat=36.97, lon=118.12
    )
    village_a = Division.objects.create(code="370321001001", name="甲村", level="village", parent=town_a)
    village_b = Division.objects.create(code="370321002001", name="乙村", level="village", parent=town_b)
    grid_a = Grid.objects.create(code="G-A1", name="甲村第一网格", division=village_a, worker_name="网格员甲")
    grid_b = Grid.objects.create(code="G-B1", name="乙村第一网格", division=village_b, worker_name="网格员乙")
    chem = Sector.objects.get(code="hazardous_chemicals")
    build = Sector.objects.get(code="building_construction")
    ent_a = ent_services.enterprise_create(
        actor=SYSTEM,
        data={
            "name": "甲化工有限公司",
            "uscc": make_uscc("91370321MA3C00001"),
            "division": village_a,
            "grid": grid_a,
            "legal_rep": "张甲",
            "lat": 36.95,
            "lon": 118.08,
        },
        sectors=[chem],
    )
    ent_b = ent_services.enterprise_create(
        actor=SYSTEM,
        data={
            "name": "乙建筑工程有限公司",
            "uscc": make_uscc("91370321MA3C00002"),
            "division": village_b,
            "grid": grid_b,
            "legal_rep": "李乙",
            "lat": 36.97,
            "lon": 118.12,
        },
        sectors=[build],
    )
    company_a = OrgUnit.objects.get(enterprise=ent_a, parent__isnull=True)
    workshop = ent_services.org_unit_create(
        actor=SYSTEM,
        enterprise=ent_a,
        parent=company_a,
        data={"kind": OrgUnitKind.WORKSHOP, "name": "合成车间"},
    )
    team = ent_services.org_unit_create(
        actor=SYSTEM, enterprise=ent_a, parent=workshop, data={"kind": OrgUnitKind.TEAM, "name": "甲班"}
    )
    post_a = ent_services.org_unit_create(
        actor=SYSTEM, enterprise=ent_a, parent=team, data={"kind": OrgUnitKind.POST, "name": "反应釜操作岗"}
    )
    person_a = ent_services.person_create(
        actor=SYSTEM, enterprise=ent_a, data={"name": "王操作", "org_unit": post_a, "job_title": "操作工"}
    )
    ent_services.certificate_create(
        actor=SYSTEM,
        enterprise=ent_a,
        data={
            "person": person_a,
            "kind": CertificateKind.HAZCHEM,
            "number": "T-A-0001",
            "expires_on": "2020-01-01",
        },
    )
    person_b = ent_services.person_create(actor=SYSTEM, enterprise=ent_b, data={"name": "赵架子工"})
    ent_services.certificate_create(
        actor=SYSTEM,
        enterprise=ent_b,
        data={
            "person": person_b,
            "kind": CertificateKind.HEIGHT,
            "number": "T-B-0001",
            "expires_on": "2099-01-01",
        },
    )
    dept_chem = Department.objects.get(code="work_safety")
    users = {
        "county_admin": make_user("county_admin", {"role": Role.COUNTY_ADMIN}),
        "town_a": make_user("town_a", {"role": Role.TOWN_OFFICER, "division": town_a}),
        "town_b": make_user("town_b", {"role": Role.TOWN_OFFICER, "division": town_b}),
        "grid_a": make_user("grid_a", {"role": Role.GRID_WORKER, "grid": grid_a}),
        "ent_a": make_user("ent_a", {"role": Role.SAFETY_MANAGER, "enterprise": ent_a}),
        "ent_b": make_user("ent_b", {"role": Role.SAFETY_MANAGER, "enterprise": ent_b}),
        "dept_chem": make_user("dept_chem", {"role": Role.DEPT_OFFICER, "department": dept_chem}),
        "post_a": make_user("post_a", {"role": Role.UNIT_USER, "enterprise": ent_a, "org_unit": post_a}),
        "outsider": make_user("outsider"),
    }
    grid_a.worker = users["grid_a"]
    grid_a.save()
    # Tests run inside one transaction that never commits; link now, as each commit would have.
    link_pending()
    world = World(
        county, town_a, town_b, village_a, village_b, grid_a, grid_b, ent_a, ent_b, post_a, person_a, users
    )
    return extend_world(world) if extensions else world
