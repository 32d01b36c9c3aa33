"""The demo county at scale 1 (≈ 600 enterprises), built once for the module: its make-up and the mix of
risk levels, filings and responsibility tiers a county a year into the programme shows."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Count
from django.utils import timezone

from safegrid.demo import builders, filings
from safegrid.enterprises.choices import ChemicalPark
from safegrid.enterprises.models import Enterprise, EnterpriseSector
from safegrid.regions.choices import SECTORS
from safegrid.regions.models import Division, Grid
from safegrid.risks.models import RegionalRisk, RegisterRevision, ResponsibilityAssignment, RiskPoint
from safegrid.risks.rules import assessment as rules
from safegrid.risks.rules import methods

from .conftest import build_once

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def county(module_db: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[builders.DemoSummary]:
    yield from build_once(django_db_blocker, tmp_path_factory, scale=1)


def test_full_scale_one_county(county: builders.DemoSummary) -> None:
    summary = county
    assert summary.counts["enterprises"] >= 600
    assert Enterprise.objects.count() >= 600
    assert Division.objects.filter(level="village").count() >= 150
    present = set(EnterpriseSector.objects.values_list("sector__code", flat=True))
    assert present == {code for code, _ in SECTORS}
    multi = Enterprise.objects.filter(
        pk__in=EnterpriseSector.objects.values("enterprise")
        .order_by()
        .annotate(n=Count("id"))
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


def test_county_distribution_is_plausible(county: builders.DemoSummary) -> None:
    # The enterprises' highest levels: few red, some orange, most yellow or blue.
    highest = Counter(RegisterRevision.objects.exclude(risk_level=None).values_list("risk_level", flat=True))
    enterprises = sum(highest.values())
    mix = {level: highest[level] / enterprises for level in methods.LEVELS}
    assert 0.005 <= mix[1] <= 0.045
    assert 0.06 <= mix[2] <= 0.15
    assert 0.28 <= mix[3] <= 0.42
    assert 0.45 <= mix[4] <= 0.62
    levels = Counter(RiskPoint.objects.values_list("level", flat=True))
    total = sum(levels.values())
    assert 4000 <= total <= 6000
    share = {level: levels[level] / total for level in methods.LEVELS}
    assert share[1] <= 0.02 and 0.02 <= share[2] <= 0.08
    assert share[3] + share[4] >= 0.9 and share[4] > share[3]
    chem = Counter(
        RiskPoint.objects.filter(enterprise__sectors__code="hazardous_chemicals").values_list(
            "level", flat=True
        )
    )
    chem_total = sum(chem.values())
    assert (chem[1] + chem[2]) / chem_total > share[1] + share[2]  # chemical plants are more dangerous
    # A year into the programme: books in every state, most in the two street towns that started.
    states = filings.filing_states()
    for state in ("accepted", "outdated", "filed", "returned", "to_sign", "sent_back", "never"):
        assert states[state] >= 1, (state, states)
    missing = 0
    held: dict[int, set[str]] = defaultdict(set)
    for point_id, tier in ResponsibilityAssignment.objects.values_list("risk_point_id", "tier"):
        held[point_id].add(tier)
    for pk, level in RiskPoint.objects.values_list("pk", "level"):
        missing += bool(rules.missing_tiers(level, held[pk]))
    assert 0.02 <= missing / total <= 0.08
