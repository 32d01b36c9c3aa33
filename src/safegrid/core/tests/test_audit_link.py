"""Pending entries and linking: the chain is extended after commit, never inside the writer's transaction."""

import pytest
from django.db import transaction

from safegrid.core import audit
from safegrid.core.choices import AuditAction
from safegrid.core.models import AuditEntry, AuditHead
from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services
from safegrid.enterprises.models import Enterprise, Person
from safegrid.regions.models import Grid
from safegrid.risks.models import HazardFactor, RiskPoint


def _pending() -> int:
    return AuditEntry.objects.filter(seq__isnull=True).count()


def test_an_entry_is_pending_until_linked_and_the_write_leaves_the_head_alone(world):
    head_before = AuditHead.objects.get().count
    person = services.person_create(actor=SYSTEM, enterprise=world.ent_a, data={"name": "张三"})
    row = AuditEntry.objects.get(object_type="enterprises.person", object_id=str(person.pk))
    assert (row.seq, row.prev_hash, row.hash) == (None, None, None)
    assert AuditHead.objects.get().count == head_before
    assert audit.link_pending() == 1  # what the commit runs
    row.refresh_from_db()
    assert row.seq == head_before + 1 and row.hash and _pending() == 0
    assert audit.verify().ok


def test_entries_of_one_transaction_are_linked_in_their_order(world):
    with transaction.atomic():
        people = [
            services.person_create(actor=SYSTEM, enterprise=world.ent_a, data={"name": f"人员{n}"})
            for n in range(3)
        ]
    assert audit.link_pending() == 3
    rows = list(AuditEntry.objects.filter(object_type="enterprises.person").order_by("seq"))
    assert [r.object_id for r in rows[-3:]] == [str(p.pk) for p in people]
    assert [r.seq for r in rows[-3:]] == [rows[-3].seq, rows[-3].seq + 1, rows[-3].seq + 2]
    assert rows[-2].prev_hash == rows[-3].hash and rows[-1].prev_hash == rows[-2].hash


def test_a_rolled_back_transaction_leaves_no_entry(world):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.person_create(actor=SYSTEM, enterprise=world.ent_a, data={"name": "回滚"})
        raise RuntimeError("refused")
    assert AuditEntry.objects.count() == before and _pending() == 0
    assert not Person.objects.filter(name="回滚").exists()
    assert audit.verify().ok


def test_owner_comes_from_the_scope_rule_without_a_query(world, django_assert_num_queries):
    point = RiskPoint(enterprise=world.ent_a, name="储罐区")
    factor = HazardFactor(risk_point=point, description="泄漏")
    with django_assert_num_queries(0):
        assert (
            audit.entry(actor=SYSTEM, action=AuditAction.CREATE, obj=factor).enterprise_id == world.ent_a.pk
        )
        ent = audit.entry(actor=SYSTEM, action=AuditAction.UPDATE, obj=world.ent_a)
        grid = audit.entry(actor=SYSTEM, action=AuditAction.UPDATE, obj=Grid(division_id="370321001001"))
        division = audit.entry(actor=SYSTEM, action=AuditAction.UPDATE, obj=world.village_a)
    assert audit.entry(actor=SYSTEM, action=AuditAction.CREATE, obj=factor).division_code == "370321001001"
    assert (ent.enterprise_id, ent.division_code) == (world.ent_a.pk, world.ent_a.division_id)
    assert (grid.enterprise_id, grid.division_code) == (None, "370321001001")
    assert (division.enterprise_id, division.division_code) == (None, world.village_a.code)


def test_bulk_entries_look_each_enterprise_division_up_once(world, django_assert_max_num_queries):
    ent = Enterprise.objects.get(pk=world.ent_a.pk)  # no cached relations
    people = [Person(pk=10_000 + n, enterprise_id=ent.pk, name=f"批量{n}") for n in range(50)]
    rows = [
        audit.entry(actor=SYSTEM, action=AuditAction.CREATE, obj=p, after=audit.snapshot(p)) for p in people
    ]
    with django_assert_max_num_queries(2):  # at most the division look-up, then one INSERT
        audit.record_many(rows)
    assert {(r.enterprise_id, r.division_code) for r in rows} == {(ent.pk, ent.division_id)}
    assert audit.link_pending() == 50 and audit.verify().ok


def test_the_audit_filter_offers_every_audited_model():
    labels = dict(audit.object_types())
    assert {"risks.riskpoint", "risks.hazardfactor", "enterprises.enterprise", "core.user"} <= set(labels)
    assert labels["risks.riskpoint"] == str(RiskPoint._meta.verbose_name)
