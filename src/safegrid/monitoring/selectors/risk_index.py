"""Scoped reads of the enterprises' dynamic risk index: the ranked list (town, sector and colour filters),
one enterprise's row with each term's working, the colour counts, and the map layer's rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from safegrid.core.scoping import get_scoped_or_404, restrict

from ..config_index import risk_index_config
from ..models import EnterpriseRiskIndex
from ..rules import risk_index as rules


def index_list(
    user: Any, *, town: str = "", sector: str = "", colour: str = ""
) -> QuerySet[EnterpriseRiskIndex]:
    rows = restrict(EnterpriseRiskIndex.objects.select_related("enterprise", "enterprise__division"), user)
    if town:
        rows = rows.filter(division_code__startswith=town)
    if sector:
        rows = rows.filter(enterprise__sectors__code=sector)
    if colour in rules.COLOURS:
        rows = rows.filter(colour=colour)
    return rows.order_by("-value", "enterprise_id")


def index_get(user: Any, enterprise_id: Any) -> EnterpriseRiskIndex:
    return get_scoped_or_404(
        EnterpriseRiskIndex.objects.select_related("enterprise", "enterprise__division"),
        user,
        enterprise_id=enterprise_id,
    )


def colour_counts(rows: QuerySet[EnterpriseRiskIndex]) -> dict[str, int]:
    found = dict(rows.order_by().values("colour").annotate(n=Count("pk")).values_list("colour", "n"))
    return {colour: found.get(colour, 0) for colour in rules.COLOURS}


def explain(row: EnterpriseRiskIndex) -> rules.RiskIndex:
    """The row's index worked out again from its stored inputs with the method in force, term by term
    (the page shows the stored points and says when the method changed since they were computed)."""
    inputs = rules.Inputs(
        static_level=row.static_level,
        open_general=row.open_general,
        open_major=row.open_major,
        active_alarms=row.active_alarms,
        unacknowledged_alarms=row.unacknowledged_alarms,
        overdue=row.overdue,
        enforcement_cases=row.enforcement_cases,
    )
    return rules.compute(inputs, risk_index_config())
