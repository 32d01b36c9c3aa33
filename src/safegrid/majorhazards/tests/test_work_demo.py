"""The demo's month of special work and commitments (demo/majorwork.py) through the real services, and its
reset deleting them before the enterprises and units they point at."""

from __future__ import annotations

import pytest
from django.utils import timezone

from safegrid.demo import majorwork
from safegrid.majorhazards.models import GasAnalysis, SafetyCommitment, SpecialWork

from .work_helpers import major_unit

pytestmark = pytest.mark.django_db


def test_demo_month_and_reset(world):
    major_unit(world.ent_a)
    major_unit(world.ent_b, code="TK-B01")
    today = timezone.localdate()
    counts = majorwork.build(today=today, seed=1)
    assert counts["missing_today"] == 1 and counts["explained"] == 1
    # a month for two enterprises, less the one missing today (and the other's today when run before 07:00)
    assert 2 * majorwork.DAYS - 2 <= counts["commitments"] == SafetyCommitment.objects.count()
    assert counts["completed"] > 5 and GasAnalysis.objects.exists()
    first, second = sorted([world.ent_a.pk, world.ent_b.pk])
    assert not SafetyCommitment.objects.filter(enterprise_id=first, day=today).exists()
    assert SafetyCommitment.objects.filter(late=True).count() == counts["late"]
    assert SafetyCommitment.objects.exclude(differences=[]).count() == 1
    assert (
        SpecialWork.objects.filter(permit_number__startswith=f"DH-{today:%Y%m%d}")
        .exclude(latitude=None)
        .exists()
    )
    deleted = majorwork.reset("370321")
    assert deleted["special_works"] == counts["filed"] and not SafetyCommitment.objects.exists()
