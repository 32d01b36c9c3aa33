"""Services check the permission of the person they are given, whoever calls them (not only views).

Each case calls a service directly as a user who can see the object but may not change it, and as
one who may: the first is refused with PermissionDenied and nothing is written, the second passes.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from safegrid.core.models import AuditEntry
from safegrid.enterprises import services as ent
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import Certificate, Enterprise, Person
from safegrid.regions import services as regions
from safegrid.regions.models import Grid
from safegrid.risks.models import ControlMeasure, RiskPoint
from safegrid.risks.services import points as risks
from safegrid.risks.tests.factories import make_measure, make_point

pytestmark = pytest.mark.django_db


def _refused(call, *args, **kwargs) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        call(*args, **kwargs)
    assert AuditEntry.objects.count() == before


def test_enterprise_record_only_for_its_regulators(world):
    sector = world.ent_a.sectors.first()
    data = {"name": "越权新建企业", "uscc": "91370321MA3C4XWJ5Y", "division": world.village_a}
    _refused(ent.enterprise_create, actor=world.user("ent_a"), data=data, sectors=[sector])
    assert not Enterprise.objects.filter(name="越权新建企业").exists()

    _refused(ent.enterprise_update, actor=world.user("ent_a"), enterprise=world.ent_a, data={"name": "改名"})
    _refused(ent.enterprise_update, actor=world.user("town_b"), enterprise=world.ent_a, data={"name": "改名"})
    # The enterprise's own safety manager keeps the contact fields current, and only those.
    ent.enterprise_update(actor=world.user("ent_a"), enterprise=world.ent_a, data={"principal": "新负责人"})
    ent.enterprise_update(actor=world.user("town_a"), enterprise=world.ent_a, data={"address": "新地址"})
    _refused(ent.enterprise_delete, actor=world.user("town_a"), enterprise=world.ent_a)


def test_staff_records_only_for_the_enterprise_and_the_county_admin(world):
    _refused(ent.person_create, actor=world.user("ent_b"), enterprise=world.ent_a, data={"name": "越权"})
    _refused(ent.person_create, actor=world.user("town_a"), enterprise=world.ent_a, data={"name": "越权"})
    _refused(ent.person_update, actor=world.user("post_a"), person=world.person_a, data={"name": "改名"})
    _refused(ent.person_delete, actor=world.user("dept_chem"), person=world.person_a)
    assert not Person.objects.filter(name="越权").exists()
    _refused(
        ent.org_unit_create,
        actor=world.user("ent_b"),
        enterprise=world.ent_a,
        parent=world.post_a.parent,
        data={"kind": OrgUnitKind.POST, "name": "越权岗位"},
    )
    certificate = Certificate.objects.filter(enterprise=world.ent_a).first()
    assert certificate is not None
    _refused(ent.certificate_delete, actor=world.user("grid_a"), certificate=certificate)

    person = ent.person_create(actor=world.user("ent_a"), enterprise=world.ent_a, data={"name": "新员工"})
    ent.person_update(actor=world.user("county_admin"), person=person, data={"job_title": "巡检工"})
    ent.person_delete(actor=world.user("ent_a"), person=person)


def test_people_import_refused_for_another_enterprise(world):
    rows = [(world.ent_a, {"name": "批量越权"}, None)]
    _refused(ent.person_create_many, actor=world.user("ent_b"), rows=rows)
    sector = world.ent_a.sectors.first()
    elsewhere = {
        "name": "跨镇导入",
        "uscc": "91370321MA3C4XWJ5P",
        "legal_rep": "张三",
        "division": world.village_b,
    }
    _refused(ent.enterprise_create_many, actor=world.user("town_a"), rows=[(elsewhere, [sector])])
    _refused(ent.enterprise_create_many, actor=world.user("ent_a"), rows=[(elsewhere, [sector])])
    assert not Enterprise.objects.filter(name="跨镇导入").exists()
    # A town collects its own enterprises in bulk (摸底): the reach of the import, row by row.
    own = {**elsewhere, "division": world.village_a}
    assert ent.enterprise_create_many(actor=world.user("town_a"), rows=[(own, [sector])])


def test_grids_only_for_the_county_admin(world):
    data = {"code": "G-X", "name": "越权网格", "division": world.village_a}
    _refused(regions.grid_create, actor=world.user("town_a"), data=data)
    _refused(regions.grid_update, actor=world.user("grid_a"), grid=world.grid_a, data={"name": "改名"})
    _refused(regions.grid_delete, actor=world.user("dept_chem"), grid=world.grid_a)
    assert not Grid.objects.filter(code="G-X").exists()
    regions.grid_update(actor=world.user("county_admin"), grid=world.grid_a, data={"name": "甲村一网格"})


def test_risk_register_only_for_the_enterprise_and_the_county_admin(world):
    point = make_point(world, "RP-SVC")
    measure = make_measure(world, point)
    for user in ("town_a", "dept_chem", "grid_a", "post_a", "ent_b"):
        actor = world.user(user)
        _refused(risks.risk_point_update, actor=actor, point=point, data={"name": "改名"})
        _refused(risks.measure_update, actor=actor, measure=measure, data={"description": "越权措施"})
        _refused(risks.measure_remove, actor=actor, measure=measure)
        _refused(risks.risk_point_deactivate, actor=actor, point=point)
    _refused(
        risks.risk_point_create, actor=world.user("ent_b"), enterprise=world.ent_a, data={"code": "RP-X"}
    )
    _refused(
        risks.risk_settings_save, actor=world.user("ent_a"), county_code="370321", data={"ls_variant": "C"}
    )
    assert not RiskPoint.objects.filter(code="RP-X").exists()
    assert not ControlMeasure.objects.filter(description="越权措施").exists()

    risks.risk_point_update(actor=world.user("ent_a"), point=point, data={"name": "企业自己改名"})
    risks.risk_point_update(actor=world.user("county_admin"), point=point, data={"name": "县管理员改名"})
