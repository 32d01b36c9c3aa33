"""core.bulk.update_many: changed fields saved in batches, one audit entry per changed object."""

from __future__ import annotations

import pytest

from safegrid.core import audit, bulk
from safegrid.core.models import AuditEntry
from safegrid.core.services import writing_protected
from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.models import Person
from safegrid.risks.models import RiskPoint
from safegrid.risks.tests.factories import make_point

pytestmark = pytest.mark.django_db


def _owner(world):
    return lambda obj: (world.ent_a.pk, world.ent_a.division_id)


def test_only_changed_objects_are_saved_and_audited(world) -> None:
    people = [
        ent_services.person_create(actor=SYSTEM, enterprise=world.ent_a, data={"name": f"员工{n}"})
        for n in range(3)
    ]
    before = AuditEntry.objects.count()
    changed = bulk.update_many(
        actor=SYSTEM,
        changes=[
            (people[0], {"name": "员工甲"}),
            (people[1], {"name": "员工1"}),
            (people[2], {"phone": "13800000000"}),
        ],
        owner=_owner(world),
    )
    assert [p.pk for p in changed] == [people[0].pk, people[2].pk]  # people[1] kept its name
    saved = {p.pk: p for p in Person.objects.filter(pk__in=[p.pk for p in people])}
    assert (saved[people[0].pk].name, saved[people[2].pk].phone) == ("员工甲", "13800000000")
    assert saved[people[1].pk].name == "员工1"
    entries = list(AuditEntry.objects.order_by("pk")[before:])
    assert [(e.action, e.object_id, e.before, e.after) for e in entries] == [
        ("update", str(people[0].pk), {"name": "员工0"}, {"name": "员工甲"}),
        ("update", str(people[2].pk), {"phone": ""}, {"phone": "13800000000"}),
    ]
    assert audit.verify().ok


def test_invalid_and_protected_values_are_refused_by_position(world) -> None:
    first, second = make_point(world), make_point(world, "RP-002")
    stamp = first.updated_at
    with pytest.raises(bulk.BulkRefused) as refused:
        bulk.update_many(
            actor=SYSTEM,
            changes=[(first, {"name": "改名"}), (second, {"lat": 200.0, "lon": 1.0})],
            owner=_owner(world),
        )
    assert refused.value.index == 1 and "lat" in refused.value.error.message_dict
    with pytest.raises(bulk.BulkRefused) as refused:
        bulk.update_many(
            actor=SYSTEM, changes=[(RiskPoint.objects.get(pk=first.pk), {"level": 1})], owner=_owner(world)
        )
    assert refused.value.index == 0 and "level" in refused.value.error.message_dict
    with writing_protected("level"):
        bulk.update_many(
            actor=SYSTEM, changes=[(RiskPoint.objects.get(pk=first.pk), {"level": 1})], owner=_owner(world)
        )
    saved = RiskPoint.objects.get(pk=first.pk)
    assert saved.level == 1 and saved.updated_at > stamp  # auto_now fields move as with save()
    assert RiskPoint.objects.get(pk=second.pk).lat is None
