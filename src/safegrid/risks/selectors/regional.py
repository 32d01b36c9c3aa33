"""Regional risk (区域风险) and site plan reads behind the four-colour map, scoped through `core.scoping`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.aggregates import Count, Max

from safegrid.core.scoping import get_scoped_or_404, restrict
from safegrid.enterprises.choices import EnterpriseStatus
from safegrid.enterprises.models import Enterprise
from safegrid.regions.models import Division

from ..models import EnterpriseSitePlan, RegionalRisk, RiskPoint, RiskSettings
from ..rules import regional as rr

COUNTY_CODE_LENGTH = 6

TOWN_CODE_LENGTH = 9

VILLAGE_CODE_LENGTH = 12

# Closed enterprises no longer carry risk into their region.
INACTIVE_STATUSES = (EnterpriseStatus.CLOSED,)


def regional_configs() -> dict[str, rr.RegionalConfig]:
    """County code -> its REGIONAL/2 configuration (counties without settings use the defaults)."""
    return {row.county_id: row.regional_config() for row in RiskSettings.objects.all()}


def regional_settings_for(user: Any, county_code: str) -> RiskSettings | None:
    """A county's settings row (None: defaults apply); out of the user's scope is 404."""
    county = get_scoped_or_404(Division.objects.filter(level="county"), user, code=county_code)
    return RiskSettings.objects.filter(county=county).first()


def counties(user: Any) -> list[Division]:
    return list(restrict(Division.objects.filter(level="county"), user).order_by("code"))


def regional_risk_list(user: Any) -> QuerySet[RegionalRisk]:
    return restrict(RegionalRisk.objects.select_related("division", "decided_by"), user)


def regional_risk_get(user: Any, pk: Any) -> RegionalRisk:
    return get_scoped_or_404(RegionalRisk.objects.select_related("division", "decided_by"), user, pk=pk)


def regional_years(user: Any) -> list[int]:
    return sorted(set(regional_risk_list(user).order_by().values_list("year", flat=True)), reverse=True)


def site_plan_for(user: Any, enterprise_id: int) -> EnterpriseSitePlan | None:
    return restrict(EnterpriseSitePlan.objects.all(), user).filter(enterprise_id=enterprise_id).first()


def enterprise_level_subquery() -> Subquery:
    """Per enterprise: the most dangerous level of its active, graded risk points (NULL if none)."""
    return Subquery(
        RiskPoint.objects.filter(enterprise=OuterRef("pk"), active=True, level__isnull=False)
        .order_by("level")
        .values("level")[:1]
    )


def enterprise_level_counts() -> dict[str, dict[int | None, int]]:
    """Division code -> {enterprise level (None = not assessed): enterprises}, in ONE grouped query.

    Enterprises are grouped by the division they sit in; callers roll the rows up to the town and
    village prefixes (a subtree is a code prefix).
    """
    rows = (
        Enterprise.objects.exclude(status__in=INACTIVE_STATUSES)
        .annotate(enterprise_level=enterprise_level_subquery())
        .order_by()
        .values("division_id", "enterprise_level")
        .annotate(n=Count("pk"))
        .values_list("division_id", "enterprise_level", "n")
    )
    out: dict[str, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    for code, level, n in rows:
        for prefix in _town_and_village(code):
            out[prefix][level] += n
    return out


def _town_and_village(code: str) -> list[str]:
    return [code[:length] for length in (TOWN_CODE_LENGTH, VILLAGE_CODE_LENGTH) if len(code) >= length]


def roll_up(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Counts per division code (any depth) summed to the town and village each code lies in."""
    out: dict[str, int] = defaultdict(int)
    for code, n in rows:
        for prefix in _town_and_village(code):
            out[prefix] += n
    return dict(out)


def review_due_q(today: dt.date) -> Q:
    """Red and orange regions whose review date falls within the reminder window (today included)."""
    horizon = today + dt.timedelta(days=max(rr.REVIEW_REMINDER_DAYS))
    return Q(level__in=sorted(rr.ALERT_LEVELS), next_review_on__gte=today, next_review_on__lte=horizon)


def review_counts(user: Any, today: dt.date) -> dict[str, Any]:
    """The newest year's regions in scope whose review is overdue, and red/orange ones due within the
    reminder window (two queries: the year, then both counts)."""
    rows = regional_risk_list(user).order_by()
    year = rows.aggregate(year=Max("year"))["year"]
    if year is None:
        return {"year": None, "overdue": 0, "due": 0}
    counts = rows.filter(year=year).aggregate(
        overdue=Count("pk", filter=Q(next_review_on__lt=today)),
        due=Count("pk", filter=review_due_q(today)),
    )
    return {"year": year, **counts}
