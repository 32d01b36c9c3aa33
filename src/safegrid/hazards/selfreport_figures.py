"""The figures of a self-report, generated from the statistics rollups (never by counting hazards or checks).

The period's cohort comes from the month rollups of the enterprise (`HazardMonthStat` rows of the
period's months, by level): hazards found, rejected, confirmed, closed (on the spot, on time, late), still
open, with the rates of `rules.stats` through `stats.Figures` (the statistics page's definitions). "Overdue"
is read from `HazardDeadlineStat` on the day the figures are generated: the period's hazards open past
their deadline, and every open overdue hazard of the enterprise. Inspections are the occurrences whose
window starts in the period (`InspectionMonthStat`). Only the major hazards and the listed supervision
are read row by row (a handful per enterprise), because the report names each one.

The snapshot is plain JSON with its `method_version`, so a submitted report always shows what was signed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from safegrid.enterprises.models import Enterprise

from .choices import HazardLevel, HazardStatus, SupervisionLevel
from .models import HiddenHazard, ListedSupervision
from .models_stats import HazardDeadlineStat, HazardMonthStat, InspectionMonthStat
from .rules import selfreport as rules
from .rules import stats as stat_rules
from .stats import Figures

MAJOR_LISTED = 50  # major hazards named in one report at most (the count is always complete)


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _hazard_block(fig: Figures) -> dict[str, Any]:
    counts = {name: fig.count(name) for name in stat_rules.HAZARD_COUNTERS}
    open_in_period = sum(counts[f"open_{state}"] for state in stat_rules.OPEN_STATES)
    return {
        "found": counts["reported"],
        "rejected": counts["rejected"],
        "confirmed": counts["confirmed"],
        "closed": counts["closed"],
        "closed_on_spot": counts["closed_on_spot"],
        "closed_on_time": counts["closed_on_time"],
        "closed_late": counts["closed_late"],
        "open": open_in_period,
        "overdue": fig.overdue_in_year,
        "rectification_rate": _rate(fig.rectification_rate),
        "overdue_rate": _rate(fig.overdue_rate),
        "average_days": _rate(fig.average_days),
    }


def _local_date(value: dt.datetime | None) -> str:
    return timezone.localtime(value).date().isoformat() if value else ""


def _major_hazards(enterprise: Enterprise, period: rules.Period) -> tuple[int, list[dict[str, Any]]]:
    """The enterprise's major hazards found in the period or still open at its end (found before)."""
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, timezone.get_current_timezone())
    start = dt.datetime.combine(period.start, dt.time.min, timezone.get_current_timezone())
    found_in = Q(reported_at__gte=start, reported_at__lt=end)
    open_at_end = Q(reported_at__lt=start) & (Q(closed_at__isnull=True) | Q(closed_at__gte=start))
    rows = (
        HiddenHazard.objects.filter(enterprise=enterprise, level=HazardLevel.MAJOR)
        .filter(found_in | open_at_end)
        .exclude(status=HazardStatus.REJECTED)
        .select_related("supervision")
        .order_by("reported_at", "pk")
    )
    total = rows.count()
    listed = []
    for hazard in rows[:MAJOR_LISTED]:
        supervision = getattr(hazard, "supervision", None)
        listed.append(
            {
                "id": hazard.pk,
                "title": hazard.title,
                "status": hazard.status,
                "status_label": str(HazardStatus(hazard.status).label),
                "reported_on": _local_date(hazard.reported_at),
                "deadline": hazard.deadline.isoformat() if hazard.deadline else "",
                "closed_on": _local_date(hazard.closed_at),
                "listed": supervision.document_number if supervision else "",
            }
        )
    return total, listed


def _supervision(enterprise: Enterprise, period: rules.Period) -> list[dict[str, Any]]:
    """Listed supervision (挂牌督办) of the enterprise's hazards: listed in the period, or earlier and not
    signed off by the period's start."""
    start = dt.datetime.combine(period.start, dt.time.min, timezone.get_current_timezone())
    rows = (
        ListedSupervision.objects.filter(hazard__enterprise=enterprise, listed_on__lte=period.end)
        .filter(Q(listed_on__gte=period.start) | Q(signed_off_at__isnull=True) | Q(signed_off_at__gte=start))
        .select_related("hazard")
        .order_by("listed_on", "pk")
    )
    return [
        {
            "document_number": s.document_number,
            "authority": s.authority,
            "level": s.level,
            "level_label": str(SupervisionLevel(s.level).label),
            "hazard": s.hazard.title,
            "listed_on": s.listed_on.isoformat(),
            "planned_completion": s.planned_completion.isoformat(),
            "actual_completion": s.actual_completion.isoformat() if s.actual_completion else "",
            "signed_off_on": _local_date(s.signed_off_at),
        }
        for s in rows
    ]


def build(enterprise: Enterprise, period: rules.Period, today: dt.date) -> dict[str, Any]:
    """The report's figures for `period`, as the rollups stand on `today` (county date)."""
    months = period.months
    in_period = Q(month__gte=months[0], month__lte=months[-1])
    by_level = {level: Figures(key=level) for level in (HazardLevel.GENERAL, HazardLevel.MAJOR)}
    sums = {c: Sum(c) for c in stat_rules.HAZARD_COUNTERS}
    for row in (
        HazardMonthStat.objects.filter(in_period, enterprise=enterprise)
        .order_by()
        .values("level")
        .annotate(**sums)
    ):
        fig = by_level.setdefault(row["level"], Figures(key=row["level"]))
        fig.counts = {c: row[c] or 0 for c in stat_rules.HAZARD_COUNTERS}
    overdue = HazardDeadlineStat.objects.filter(enterprise=enterprise, deadline__lt=today, open__gt=0)
    overdue_now = 0
    for row in (
        overdue.order_by().values("level").annotate(now=Sum("open"), cohort=Sum("open", filter=in_period))
    ):
        by_level.setdefault(row["level"], Figures(key=row["level"])).overdue_in_year = row["cohort"] or 0
        overdue_now += row["now"] or 0
    open_now = (
        HazardMonthStat.objects.filter(enterprise=enterprise)
        .order_by()
        .values("level")
        .annotate(**{s: Sum(f"open_{s}") for s in stat_rules.OPEN_STATES})
    )
    open_levels = {row["level"]: sum(row[s] or 0 for s in stat_rules.OPEN_STATES) for row in open_now}
    total = Figures(key="total")
    for fig in by_level.values():
        total.add(fig)
    checks = InspectionMonthStat.objects.filter(in_period, enterprise=enterprise).aggregate(
        **{c: Sum(c) for c in stat_rules.INSPECTION_COUNTERS}
    )
    total.inspections = {c: checks[c] or 0 for c in stat_rules.INSPECTION_COUNTERS}
    major_count, majors = _major_hazards(enterprise, period)
    return {
        "method_version": rules.METHOD_VERSION,
        "period": {
            "key": period.key,
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "as_of": today.isoformat(),
        "enterprise": {"name": enterprise.name, "uscc": enterprise.uscc},
        "hazards": {
            "general": _hazard_block(by_level[HazardLevel.GENERAL]),
            "major": _hazard_block(by_level[HazardLevel.MAJOR]),
            "total": _hazard_block(total),
        },
        "open_now": {
            "general": open_levels.get(HazardLevel.GENERAL, 0),
            "major": open_levels.get(HazardLevel.MAJOR, 0),
            "overdue": overdue_now,
        },
        "inspections": {
            **total.inspections,
            "due": total.inspections_due,
            "on_time_rate": _rate(total.on_time_rate),
        },
        "major_hazards": majors,
        "major_hazard_count": major_count,
        "supervision": _supervision(enterprise, period),
    }
