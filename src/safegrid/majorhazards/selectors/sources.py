"""Scoped reads of units, substance lines, gradings, populations and the substance table.

A unit is read by its enterprise's staff and its regulators (the enterprise's scope: its sector
regulators, its town, the county); anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from safegrid.core.scoping import get_scoped_or_404, restrict

from ..models import HazardUnit, SitePopulation, Substance, UnitGrading, UnitSubstance
from .lifecycle import active_units


def unit_list(user: Any) -> QuerySet[HazardUnit]:
    return restrict(HazardUnit.objects.select_related("enterprise"), user)


def major_list(user: Any) -> QuerySet[HazardUnit]:
    """The major hazard sources (S ≥ 1) the user may see, without those deregistered (核销)."""
    return active_units(unit_list(user).filter(is_major=True))


def unit_get(user: Any, pk: Any) -> HazardUnit:
    return get_scoped_or_404(
        HazardUnit.objects.select_related("enterprise", "enterprise__division"), user, pk=pk
    )


def line_get(user: Any, pk: Any) -> UnitSubstance:
    return get_scoped_or_404(
        UnitSubstance.objects.select_related("unit", "unit__enterprise", "substance"), user, pk=pk
    )


def lines_of(unit: HazardUnit) -> list[UnitSubstance]:
    """The unit's substance lines (the unit was read through a selector)."""
    return list(unit.lines.select_related("substance").order_by("substance__name", "pk"))


def gradings_of(unit: HazardUnit, limit: int = 50) -> list[UnitGrading]:
    return list(unit.gradings.order_by("-computed_at", "-pk")[:limit])


def population_of(enterprise_id: int) -> SitePopulation | None:
    """The enterprise's population row (the enterprise was read through a selector)."""
    return SitePopulation.objects.filter(enterprise_id=enterprise_id).first()


def population_list(user: Any) -> QuerySet[SitePopulation]:
    return restrict(SitePopulation.objects.all(), user)


def substance_list(user: Any) -> QuerySet[Substance]:
    return restrict(Substance.objects.all(), user)


def substance_get(user: Any, pk: Any) -> Substance:
    return get_scoped_or_404(Substance.objects.all(), user, pk=pk)


def grade_counts(qs: QuerySet[HazardUnit]) -> dict[int, int]:
    """Major sources per grade (1–4) of a scoped queryset."""
    counts = {1: 0, 2: 0, 3: 0, 4: 0}
    for row in (
        qs.filter(is_major=True, grade__isnull=False).order_by().values("grade").annotate(n=Count("pk"))
    ):
        counts[row["grade"]] = row["n"]
    return counts
