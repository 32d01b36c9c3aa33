"""Alarm quality of a period (last 24 h / 7 d) in the user's scope: floods per enterprise and per major
hazard source, chattering points, alarms per day, and the offline rate per enterprise.

One indexed range scan of the period's raises (`mon_alarm_first_idx` / `mon_alarm_ent_first_idx`, five
columns per row) feeds the pure rules (`rules.quality`); two grouped counts give the offline rate; names
are fetched for the rows shown only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Count
from django.utils import timezone

from safegrid.core.scoping import restrict
from safegrid.enterprises.models import Enterprise

from ..choices import ACTIVE_STATUSES, AlarmRule
from ..models import Alarm, MonitoringPoint
from ..rules import quality as rules

PERIODS: Final = {"24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7)}
DEFAULT_PERIOD: Final = "24h"
MAX_RAISES: Final = 200_000  # a period's raises read at most (newest first); the page says when cut
MAX_ROWS: Final = 100  # rows of each table


@dataclass
class QualityReport:
    period: str
    since: dt.datetime
    until: dt.datetime
    raises: int = 0
    cut: bool = False
    enterprise_floods: list[dict[str, Any]] = field(default_factory=list)
    unit_floods: list[dict[str, Any]] = field(default_factory=list)
    chattering: list[dict[str, Any]] = field(default_factory=list)
    offline: list[dict[str, Any]] = field(default_factory=list)
    days: list[tuple[dt.date, dict[str, int]]] = field(default_factory=list)
    points: int = 0
    offline_points: int = 0

    @property
    def offline_rate(self) -> float | None:
        return rules.offline_rate(self.offline_points, self.points)


def _offline(user: Any) -> tuple[list[dict[str, Any]], int, int]:
    points = dict(
        restrict(MonitoringPoint.objects.filter(active=True), user)
        .order_by()
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    offline = dict(
        restrict(
            Alarm.objects.filter(
                rule=AlarmRule.OFFLINE,
                status__in=[str(s) for s in ACTIVE_STATUSES],
                point__active=True,
            ),
            user,
        )
        .order_by()
        .values("enterprise_id")
        .annotate(n=Count("point_id", distinct=True))
        .values_list("enterprise_id", "n")
    )
    rows = [
        {
            "enterprise_id": pk,
            "points": n,
            "offline": offline.get(pk, 0),
            "rate": rules.offline_rate(offline.get(pk, 0), n),
        }
        for pk, n in points.items()
    ]
    rows.sort(key=lambda r: (-(r["rate"] or 0), -r["offline"], r["enterprise_id"]))
    return rows, sum(points.values()), sum(min(offline.get(pk, 0), n) for pk, n in points.items())


def quality_report(user: Any, period: str = DEFAULT_PERIOD, now: dt.datetime | None = None) -> QualityReport:
    period = period if period in PERIODS else DEFAULT_PERIOD
    until = now or timezone.now()
    since = until - PERIODS[period]
    report = QualityReport(period, since, until)
    rows = list(
        restrict(Alarm.objects.filter(first_at__gte=since, first_at__lte=until), user)
        .order_by("-first_at")
        .values_list("enterprise_id", "point_id", "point__unit_id", "rule", "first_at")[: MAX_RAISES + 1]
    )
    report.cut = len(rows) > MAX_RAISES
    rows = rows[:MAX_RAISES]
    report.raises = len(rows)

    enterprise_floods = rules.floods_by((r[0], r[4]) for r in rows)[:MAX_ROWS]
    unit_floods = rules.floods_by((r[2], r[4]) for r in rows if r[2] is not None)[:MAX_ROWS]
    chatter = rules.chattering(((r[1], r[3]), r[4]) for r in rows)[:MAX_ROWS]

    per_day: dict[dt.date, Counter[str]] = {}
    start = timezone.localdate(since)
    for offset in range((timezone.localdate(until) - start).days + 1):
        per_day[start + dt.timedelta(days=offset)] = Counter()
    for r in rows:
        per_day.setdefault(timezone.localdate(r[4]), Counter())[r[3]] += 1
    report.days = [(day, dict(per_day[day])) for day in sorted(per_day)]

    report.offline, report.points, report.offline_points = _offline(user)
    report.offline = report.offline[:MAX_ROWS]

    enterprise_ids = {f.key for f in enterprise_floods} | {r["enterprise_id"] for r in report.offline}
    point_ids = {c.key[0] for c in chatter}  # type: ignore[index]
    # the ids came through the scoped alarms and points; the names are read through the scope all the same
    found = restrict(MonitoringPoint.objects.filter(pk__in=point_ids), user).select_related("enterprise")
    points = {p.pk: p for p in found}
    names: dict[Any, str] = dict(
        restrict(Enterprise.objects.filter(pk__in=enterprise_ids), user).values_list("pk", "name")
    )
    units = _unit_names(user, {f.key for f in unit_floods})
    labels = dict(AlarmRule.choices)
    report.enterprise_floods = [
        {
            "name": names.get(f.key, ""),
            "enterprise_id": f.key,
            "start": f.start,
            "end": f.end,
            "count": f.count,
        }
        for f in enterprise_floods
    ]
    report.unit_floods = [
        {**units.get(f.key, {"name": "", "enterprise": ""}), "start": f.start, "end": f.end, "count": f.count}
        for f in unit_floods
    ]
    report.chattering = [
        {
            "point": points.get(c.key[0]),  # type: ignore[index]
            "rule": labels.get(c.key[1], c.key[1]),  # type: ignore[index]
            "raises": c.raises,
            "burst": c.burst,
        }
        for c in chatter
    ]
    for row in report.offline:
        row["name"] = names.get(row["enterprise_id"], "")
    return report


def _unit_names(user: Any, ids: set[Any]) -> dict[Any, dict[str, str]]:
    """Names of the major hazard sources (units) in the floods table, read through the user's points."""
    if not ids:
        return {}
    rows = (
        restrict(MonitoringPoint.objects.filter(unit_id__in=ids), user)
        .order_by()
        .values_list("unit_id", "unit__name", "enterprise__name")
        .distinct()
    )
    return {pk: {"name": name, "enterprise": enterprise} for pk, name, enterprise in rows}


def chart_data(report: QualityReport) -> dict[str, Any]:
    """The numbers of the alarms-per-day chart (static/monitoring/quality.js)."""
    rules_shown = [(value, str(label)) for value, label in AlarmRule.choices]
    return {
        "days": [day.strftime("%m-%d") for day, _counts in report.days],
        "series": [
            {"name": label, "rule": value, "data": [counts.get(value, 0) for _day, counts in report.days]}
            for value, label in rules_shown
        ],
    }
