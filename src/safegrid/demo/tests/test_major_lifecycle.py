"""The demo's major hazard lifecycle stage on the test world's county: every major unit gets a filing and its
three persons; the reset deletes every row again (units, people and tasks can then go)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from safegrid.core.testing import SYSTEM
from safegrid.demo import major_lifecycle
from safegrid.enterprises import services as ent_services
from safegrid.hazards.models import InspectionTask
from safegrid.majorhazards.models import ResponsiblePerson, SourceFiling
from safegrid.majorhazards.tests.lifecycle_fixtures import unit_a

pytestmark = pytest.mark.django_db


def test_build_and_reset(world):
    for i in range(3):
        ent_services.person_create(actor=SYSTEM, enterprise=world.ent_a, data={"name": f"演示人员{i}"})
    units = [unit_a(world, code=f"A-MH-{i:02d}", name=f"甲罐区{i}") for i in range(12)]
    counts = major_lifecycle.build(today=timezone.localdate(), seed=7, county_code=world.county.code)
    assert SourceFiling.objects.count() == len(units)
    assert counts["accepted"] + counts["returned"] + counts["overdue"] + counts["trigger"] == len(units)
    assert counts["overdue"] >= 1 and counts["returned"] >= 1
    assert ResponsiblePerson.objects.count() == 3 * len(units)
    assert all(p.phone for p in ResponsiblePerson.objects.all())
    major_lifecycle.reset(world.county.code)
    assert not SourceFiling.objects.exists() and not ResponsiblePerson.objects.exists()
    InspectionTask.objects.filter(work_type__isnull=False).delete()  # nothing protects them any more
