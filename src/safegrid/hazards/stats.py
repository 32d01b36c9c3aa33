"""Hidden-hazard statistics read from the rollups (`models_stats`), scoped to the user.

Town, sector and county figures are sums over the enterprise rows the user's scope reaches (a town officer
sees the enterprises of the town, a sector regulator those of their sectors, an enterprise its own), so the
page reads a few small tables however many hazards and check records there are. An enterprise in two
sectors counts in both sectors' rows (the county total counts it once).

Two time frames, said on the page: open hazards and "overdue now" are the current state (every report
month); the rates, the monthly trend and the inspection rate cover the chosen year (hazards reported in
it, occurrences whose window starts in it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core.scoping import restrict, scope_for
from safegrid.enterprises.models import Enterprise
from safegrid.regions.models import Division, Sector
from safegrid.regions.selectors import division_get

from .choices import HazardLevel, HazardStatus
from .models_stats import HazardDeadlineStat, HazardMonthStat, InspectionMonthStat
from .rules import stats

TOWN_CODE_LENGTH = 9
BY_TOWN, BY_VILLAGE, BY_SECTOR, BY_ENTERPRISE = "town", "village", "sector", "enterprise"
MAX_ROWS = 500  # enterprise breakdowns beyond this are cut (the biggest open counts first), and say so


@dataclass
class Figures:
    """The counters of one group (or the total) and the rates computed from them."""

    key: str = ""
    name: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # the year's HAZARD_COUNTERS
    open_now: dict[str, dict[str, int]] = field(default_factory=dict)  # level → open state → count
    overdue_now: int = 0  # open past the deadline, any report month
    overdue_in_year: int = 0  # of the year's hazards
    inspections: dict[str, int] = field(default_factory=dict)

    def add(self, other: Figures) -> None:
        """Add another group's counters (for a total over groups that do not overlap)."""
        for name, value in other.counts.items():
            self.counts[name] = self.counts.get(name, 0) + value
        for level, states in other.open_now.items():
            mine = self.open_now.setdefault(level, {})
            for state, value in states.items():
                mine[state] = mine.get(state, 0) + value
        self.overdue_now += other.overdue_now
        self.overdue_in_year += other.overdue_in_year
        for name, value in other.inspections.items():
            self.inspections[name] = self.inspections.get(name, 0) + value

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)

    def open_level(self, level: str) -> int:
        return sum(self.open_now.get(level, {}).values())

    @property
    def open_general(self) -> int:
        return self.open_level(HazardLevel.GENERAL)

    @property
    def open_major(self) -> int:
        return self.open_level(HazardLevel.MAJOR)

    @property
    def open_total(self) -> int:
        return self.open_general + self.open_major

    @property
    def rectification_rate(self) -> Decimal | None:
        return stats.rectification_rate(self.count("closed"), self.count("confirmed"))

    @property
    def overdue_rate(self) -> Decimal | None:
        with_deadline = self.count("closed_on_time") + self.count("closed_late")
        return stats.overdue_rate(
            self.count("closed_late"), self.overdue_in_year, with_deadline, self.count("open_with_deadline")
        )

    @property
    def average_days(self) -> Decimal | None:
        return stats.average_days(self.count("days_to_close"), self.count("closed"))

    @property
    def on_time_rate(self) -> Decimal | None:
        i = self.inspections
        return stats.on_time_inspection_rate(i.get("on_time", 0), i.get("late", 0), i.get("missed", 0))

    @property
    def inspections_due(self) -> int:
        return sum(self.inspections.get(k, 0) for k in ("on_time", "late", "missed"))


@dataclass
class Statistics:
    year: int
    by: str
    town: Division | None
    total: Figures
    groups: list[Figures]
    cut: bool  # more groups than MAX_ROWS
    months: list[Figures]  # the year's trend, one per month (key "YYYY-MM")


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def month_rows(user: Any) -> QuerySet[HazardMonthStat]:
    return restrict(HazardMonthStat.objects.all(), user)


def deadline_rows(user: Any) -> QuerySet[HazardDeadlineStat]:
    return restrict(HazardDeadlineStat.objects.all(), user)


def inspection_rows(user: Any) -> QuerySet[InspectionMonthStat]:
    return restrict(InspectionMonthStat.objects.all(), user)


def _group_field(by: str) -> Any:
    if by == BY_TOWN:
        return Substr("enterprise__division_id", 1, TOWN_CODE_LENGTH)
    if by == BY_VILLAGE:  # the division an enterprise is registered in: its village (or its town)
        return F("enterprise__division_id")
    if by == BY_SECTOR:
        return F("enterprise__sectors__code")
    return F("enterprise_id")


def _grouped(qs: QuerySet[Any], by: str | None, sums: dict[str, Any], *extra: str) -> list[dict[str, Any]]:
    """The `sums` per group (and per `extra` fields); `by` None: per `extra` only, or one total row."""
    names = ["g", *extra] if by else list(extra)
    if by:
        qs = qs.annotate(g=_group_field(by))
    if names:
        return list(qs.order_by().values(*names).annotate(**sums))
    return [qs.aggregate(**sums)]


def _figures(
    user: Any, base: dict[str, Any], year: int, by: str | None
) -> tuple[dict[str, Figures], list[Figures]]:
    """Figures per group key ("" for the total when `by` is None) and the year's trend by month, from one
    pass over each rollup: the month rows summed per group, level and month (no per-row FILTER), the year's
    counters and the trend then added up here from those few hundred sums.

    The trend is the sum over the groups, so it is only right when every enterprise is in one group (a
    town, itself, or the total); for sectors (an enterprise may be in two) the caller takes the total's.
    """
    first, after = _year_range(year)
    out: dict[str, Figures] = {}
    trend = {f"{year}-{m:02d}": Figures(key=f"{year}-{m:02d}", name=f"{year}-{m:02d}") for m in range(1, 13)}

    def get(row: dict[str, Any]) -> Figures:
        key = str(row.get("g") or "") if by else ""
        return out.setdefault(key, Figures(key=key))

    # The counters of every month (open hazards now count whatever month they were reported in).
    sums = {f"s_{c}": Sum(c) for c in stats.HAZARD_COUNTERS}
    sums.update({f"o_{s}": Sum(f"open_{s}") for s in stats.OPEN_STATES})
    for row in _grouped(month_rows(user).filter(**base), by, sums, "level", "month"):
        fig = get(row)
        states = fig.open_now.setdefault(row["level"], {})
        for state in stats.OPEN_STATES:
            states[state] = states.get(state, 0) + (row[f"o_{state}"] or 0)
        this_year = first <= row["month"] < after
        month = trend[f"{row['month']:%Y-%m}"] if this_year else None
        for c in stats.HAZARD_COUNTERS:
            value = (row[f"s_{c}"] or 0) if this_year else 0
            fig.counts[c] = fig.counts.get(c, 0) + value
            if month is not None:
                month.counts[c] = month.counts.get(c, 0) + value
    in_year = Q(month__gte=first, month__lt=after)
    overdue = deadline_rows(user).filter(**base, deadline__lt=timezone.localdate())
    for row in _grouped(overdue, by, {"now": Sum("open"), "year": Sum("open", filter=in_year)}):
        fig = get(row)
        fig.overdue_now += row["now"] or 0
        fig.overdue_in_year += row["year"] or 0
    checks = inspection_rows(user).filter(**base).filter(in_year)
    for row in _grouped(checks, by, {f"s_{c}": Sum(c) for c in stats.INSPECTION_COUNTERS}, "month"):
        fig = get(row)
        month = trend[f"{row['month']:%Y-%m}"]
        for c in stats.INSPECTION_COUNTERS:
            value = row[f"s_{c}"] or 0
            fig.inspections[c] = fig.inspections.get(c, 0) + value
            month.inspections[c] = month.inspections.get(c, 0) + value
    return out, list(trend.values())


def _enterprise_figures(user: Any, base: dict[str, Any], year: int) -> dict[str, Figures]:
    """Figures per enterprise: three grouped queries on the rollups (the year picked out by FILTER)."""
    by = BY_ENTERPRISE
    first, after = _year_range(year)
    in_year = Q(month__gte=first, month__lt=after)
    out: dict[str, Figures] = {}

    def get(row: dict[str, Any]) -> Figures:
        key = str(row.get("g") or "") if by else ""
        return out.setdefault(key, Figures(key=key))

    # The year's counters and the open hazards now (every report month), per level, in one pass.
    sums = {f"y_{c}": Sum(c, filter=in_year) for c in stats.HAZARD_COUNTERS}
    sums.update({f"o_{s}": Sum(f"open_{s}") for s in stats.OPEN_STATES})
    for row in _grouped(month_rows(user).filter(**base), by, sums, "level"):
        fig = get(row)
        for c in stats.HAZARD_COUNTERS:
            fig.counts[c] = fig.counts.get(c, 0) + (row[f"y_{c}"] or 0)
        states = fig.open_now.setdefault(row["level"], {})
        for state in stats.OPEN_STATES:
            states[state] = states.get(state, 0) + (row[f"o_{state}"] or 0)
    overdue = deadline_rows(user).filter(**base, deadline__lt=timezone.localdate())
    for row in _grouped(overdue, by, {"now": Sum("open"), "year": Sum("open", filter=in_year)}):
        fig = get(row)
        fig.overdue_now += row["now"] or 0
        fig.overdue_in_year += row["year"] or 0
    checks = inspection_rows(user).filter(**base).filter(in_year)
    for row in _grouped(checks, by, {f"s_{c}": Sum(c) for c in stats.INSPECTION_COUNTERS}):
        fig = get(row)
        for c in stats.INSPECTION_COUNTERS:
            fig.inspections[c] = fig.inspections.get(c, 0) + (row[f"s_{c}"] or 0)
    return out


def _trend(user: Any, base: dict[str, Any], year: int) -> list[Figures]:
    first, after = _year_range(year)
    by_month: dict[str, Figures] = {}
    for month in range(1, 13):
        key = f"{year}-{month:02d}"
        by_month[key] = Figures(key=key, name=key)
    rows = (
        month_rows(user)
        .filter(**base, month__gte=first, month__lt=after)
        .order_by()
        .values("month")
        .annotate(**{f"s_{c}": Sum(c) for c in stats.HAZARD_COUNTERS})
    )
    for row in rows:
        fig = by_month[f"{row['month']:%Y-%m}"]
        fig.counts = {c: row[f"s_{c}"] or 0 for c in stats.HAZARD_COUNTERS}
    checks = (
        inspection_rows(user)
        .filter(**base, month__gte=first, month__lt=after)
        .order_by()
        .values("month")
        .annotate(**{f"s_{c}": Sum(c) for c in stats.INSPECTION_COUNTERS})
    )
    for row in checks:
        by_month[f"{row['month']:%Y-%m}"].inspections = {
            c: row[f"s_{c}"] or 0 for c in stats.INSPECTION_COUNTERS
        }
    return list(by_month.values())


def _names(by: str, keys: Iterable[str]) -> dict[str, str]:
    keys = [k for k in keys if k]
    if by in (BY_TOWN, BY_VILLAGE):
        return dict(Division.objects.filter(code__in=keys).values_list("code", "name"))
    if by == BY_SECTOR:
        return dict(Sector.objects.filter(code__in=keys).values_list("code", "name"))
    ids = [int(k) for k in keys if k.isdigit()]
    return {str(pk): name for pk, name in Enterprise.objects.filter(pk__in=ids).values_list("pk", "name")}


def default_breakdown(user: Any) -> str:
    scope = scope_for(user)
    if scope.everything or scope.all_divisions or scope.sector_ids:
        return BY_TOWN
    if scope.division_codes:  # a town reads its villages first (and can pick its enterprises)
        return BY_VILLAGE
    return BY_ENTERPRISE


def town_in_scope(user: Any, code: str) -> Division:
    """A town the user reaches (404 otherwise): the filter of an enterprise breakdown."""
    town = division_get(user, code)
    if town.level != "town":
        raise Http404(_("不存在或无权查看"))
    return town


def statistics(user: Any, *, year: int, by: str, town: Division | None = None) -> Statistics:
    """The user's statistics for `year`, broken down `by` town, sector or enterprise (within `town`)."""
    base: dict[str, Any] = {}
    if town is not None:
        base["enterprise__division__code__startswith"] = town.code
    if by == BY_ENTERPRISE:  # one group per enterprise: thousands of groups × months, so no month split
        grouped = _enterprise_figures(user, base, year)
        months = _trend(user, base, year)
    else:
        grouped, months = _figures(user, base, year, by)
    if (
        by == BY_SECTOR
    ):  # sectors overlap (an enterprise in two): the total and its trend are read on their own
        totals, months = _figures(user, base, year, None)
        total = totals.get("", Figures())
    else:  # every enterprise is in exactly one town and is its own group: the total is their sum
        total = Figures()
        for fig in grouped.values():
            total.add(fig)
    total.name = _("合计")
    grouped.pop("", None)
    scope = scope_for(user)
    if by == BY_SECTOR and scope.sector_ids and not (scope.superuser or scope.is_county_admin):
        own = set(Sector.objects.filter(pk__in=scope.sector_ids).values_list("code", flat=True))
        grouped = {k: v for k, v in grouped.items() if k in own}
    names = _names(by, grouped)
    for key, fig in grouped.items():
        fig.name = names.get(key, key)
    groups = sorted(grouped.values(), key=lambda f: (-f.open_total, -f.count("reported"), f.name))
    cut = len(groups) > MAX_ROWS
    return Statistics(year, by, town, total, groups[:MAX_ROWS], cut, months)


def _years_of(rows: QuerySet[Any]) -> set[int]:
    """The years `rows` have a month in: the first and the last month (an index walk each, not a scan of
    every row), and for a year between them whether it has any row."""
    first = rows.order_by("month").values_list("month", flat=True).first()
    if first is None:
        return set()
    last = rows.order_by("-month").values_list("month", flat=True).first()
    assert last is not None
    found = {first.year, last.year}
    for year in range(first.year + 1, last.year):
        start, after = _year_range(year)
        if rows.filter(month__gte=start, month__lt=after).exists():
            found.add(year)
    return found


def years(user: Any) -> list[int]:
    """Years with figures in the user's scope, and this year."""
    this = timezone.localdate().year
    found = _years_of(month_rows(user)) | _years_of(inspection_rows(user))
    return sorted(found | {this}, reverse=True)


OPEN_STATE_LABELS = [(s, HazardStatus(s).label) for s in stats.OPEN_STATES]
