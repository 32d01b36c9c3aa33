"""Keeping the statistics rollups current (`models_stats`), and rebuilding them from scratch.

Every hazard move goes through the workflow kit, whose workflow-wide `after` hook (`hazard_moved`, in
`workflows.HAZARD`) takes the hazard's old contribution away and adds the new one inside the move's
transaction (`rules.stats.hazard_counts`). The inspection services call `occurrences_counted` (the day's
generation), `occurrences_added` (one imported), `occurrences_moved` (missed, suspended by a shutdown) and `occurrence_done` (a check) in their
transactions. Counters are added with one `INSERT … ON CONFLICT DO UPDATE SET c = c + excluded.c` per
batch (PostgreSQL and SQLite), so two writers never lose each other's increments.

`rebuild()` recomputes everything from the hazards and occurrences (hazards one by one through the same
contribution function; occurrences grouped in SQL), under a table lock on PostgreSQL so no concurrent
increment is lost; `safegrid rebuild_hazard_stats` runs it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from safegrid.core import audit
from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import AuditAction
from safegrid.core.workflow import TransitionEvent

from .models import HiddenHazard, TaskOccurrence
from .models_stats import HazardDeadlineStat, HazardMonthStat, InspectionMonthStat
from .rules import stats

REBUILD_ACTOR = SystemActor("command:rebuild_hazard_stats")
BATCH = 500

Key = tuple[Any, ...]


# ---- adding counters --------------------------------------------------------------------------------


def _db_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def add_counts(
    model: type[models.Model], keys: tuple[str, ...], deltas: Mapping[Key, Mapping[str, int]]
) -> None:
    """Add each key's counters to its row (created when missing) — one upsert statement per batch."""
    rows = [(key, counts) for key, counts in deltas.items() if any(counts.values())]
    if not rows:
        return
    # Every counter column is written (the table has no database defaults); only the changed ones are updated.
    changed = sorted({name for _key, counts in rows for name in counts})
    column = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    counters = [f.attname for f in model._meta.concrete_fields if not f.primary_key and f.attname not in keys]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = [column[k] for k in (*keys, *counters)]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    conflict = ", ".join(qn(column[k]) for k in keys)
    update = ", ".join(
        f"{qn(column[c])} = {table}.{qn(column[c])} + excluded.{qn(column[c])}" for c in changed
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            params: list[Any] = []
            for key, counts in batch:
                params.extend(_db_value(v) for v in key)
                params.extend(counts.get(c, 0) for c in counters)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608 - names quoted
                f"VALUES {', '.join([one] * len(batch))} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {update}",
                params,
            )


def _merge(into: dict[Key, dict[str, int]], key: Key, counts: Mapping[str, int], sign: int) -> None:
    row = into.setdefault(key, {})
    for name, value in counts.items():
        row[name] = row.get(name, 0) + sign * value


# ---- hazards ----------------------------------------------------------------------------------------


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def hazard_facts(hazard: HiddenHazard) -> stats.HazardFacts:
    reported = _local_day(hazard.reported_at)
    assert reported is not None
    return stats.HazardFacts(
        enterprise_id=hazard.enterprise_id,
        reported_on=reported,
        level=hazard.level,
        status=hazard.status,
        handling=hazard.handling,
        deadline=hazard.deadline,
        closed_on=_local_day(hazard.closed_at),
        days_to_close=hazard.days_to_close,
    )


def _facts_from_snapshot(before: Mapping[str, Any]) -> stats.HazardFacts | None:
    """A hazard's facts from the workflow kit's `before` snapshot (ISO strings back to dates)."""
    if not before.get("status"):
        return None
    fields = {f.name: f for f in HiddenHazard._meta.concrete_fields}

    def value(name: str) -> Any:
        return fields[name].to_python(before.get(name))

    reported = value("reported_at")
    return stats.HazardFacts(
        enterprise_id=before["enterprise_id"],
        reported_on=timezone.localdate(reported),
        level=before["level"],
        status=before["status"],
        handling=before.get("handling") or "",
        deadline=value("deadline"),
        closed_on=_local_day(value("closed_at")),
        days_to_close=before.get("days_to_close"),
    )


def _hazard_deltas(
    changes: Iterable[tuple[stats.HazardFacts | None, stats.HazardFacts | None]],
) -> tuple[dict[Key, dict[str, int]], dict[Key, dict[str, int]]]:
    months: dict[Key, dict[str, int]] = {}
    deadlines: dict[Key, dict[str, int]] = {}
    for old, new in changes:
        for facts, sign in ((old, -1), (new, 1)):
            if facts is None:
                continue
            _merge(months, facts.month_key, stats.hazard_counts(facts), sign)
            if facts.deadline_key is not None:
                _merge(deadlines, facts.deadline_key, {"open": 1}, sign)
    return months, deadlines


def hazard_changed(old: stats.HazardFacts | None, new: stats.HazardFacts | None) -> None:
    """Move one hazard's contribution from `old` to `new` (either None: created / deleted)."""
    months, deadlines = _hazard_deltas([(old, new)])
    add_counts(HazardMonthStat, ("enterprise_id", "month", "level"), months)
    add_counts(HazardDeadlineStat, ("enterprise_id", "month", "level", "deadline"), deadlines)


def hazard_moved(event: TransitionEvent[Any]) -> None:
    """The hazard workflow's hook (every step, inside its transaction)."""
    hazard_changed(_facts_from_snapshot(event.before), hazard_facts(event.obj))


# ---- inspection occurrences -------------------------------------------------------------------------


def _occurrence_key(enterprise_id: int, window_start: dt.datetime) -> Key:
    return (enterprise_id, stats.month_of(timezone.localdate(window_start)))


def occurrences_added(rows: Iterable[TaskOccurrence]) -> None:
    """New occurrences: each counts as pending or suspended."""
    occurrences_counted((row.enterprise_id, row.window_start, row.status) for row in rows)


def occurrences_counted(rows: Iterable[tuple[int, dt.datetime, str]]) -> None:
    """New occurrences given as (enterprise id, window start, status) — the day's generation, hundreds of
    thousands at once: the county day of each window start is looked up once, not per row."""
    deltas: dict[Key, dict[str, int]] = {}
    days: dict[dt.datetime, dt.date] = {}
    for enterprise_id, window_start, status in rows:
        day = days.get(window_start)
        if day is None:
            day = days[window_start] = timezone.localdate(window_start)
        facts = stats.OccurrenceFacts(enterprise_id, day, status, on_time=False)
        _merge(deltas, facts.key, {stats.occurrence_counter(facts): 1}, 1)
    add_counts(InspectionMonthStat, ("enterprise_id", "month"), deltas)


def occurrences_moved(rows: Iterable[tuple[int, dt.datetime]], old: str, new: str) -> None:
    """Occurrences (enterprise id, window start) moved from one counter to another (e.g. pending → missed)."""
    deltas: dict[Key, dict[str, int]] = {}
    for enterprise_id, window_start in rows:
        _merge(deltas, _occurrence_key(enterprise_id, window_start), {old: -1, new: 1}, 1)
    add_counts(InspectionMonthStat, ("enterprise_id", "month"), deltas)


def occurrence_done(occurrence: TaskOccurrence) -> None:
    """A due occurrence checked: pending → on time or late."""
    on_time = occurrence.done_at is not None and occurrence.done_at < occurrence.window_end
    occurrences_moved(
        [(occurrence.enterprise_id, occurrence.window_start)], "pending", "on_time" if on_time else "late"
    )


# ---- rebuild ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rebuilt:
    hazards: int
    hazard_rows: int
    deadline_rows: int
    occurrence_rows: int
    seconds: float


def _lock_tables() -> None:
    """PostgreSQL: keep writers out while the rollups are recomputed (they wait, then add to the new rows)."""
    if connection.vendor != "postgresql":
        return  # SQLite has one writer at a time anyway
    names = ", ".join(
        connection.ops.quote_name(m._meta.db_table)
        for m in (HazardMonthStat, HazardDeadlineStat, InspectionMonthStat)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


def hazard_contributions() -> tuple[dict[Key, dict[str, int]], dict[Key, dict[str, int]], int]:
    """Every hazard's contribution, summed (month rows, deadline rows, hazard count)."""
    fields = (
        "enterprise_id",
        "reported_at",
        "level",
        "status",
        "handling",
        "deadline",
        "closed_at",
        "days_to_close",
    )
    count = 0

    def facts() -> Iterable[tuple[None, stats.HazardFacts]]:
        nonlocal count
        for row in HiddenHazard.objects.order_by().values_list(*fields).iterator(chunk_size=5000):
            count += 1
            ent, reported_at, level, status, handling, deadline, closed_at, days = row
            yield (
                None,
                stats.HazardFacts(
                    ent,
                    timezone.localdate(reported_at),
                    level,
                    status,
                    handling,
                    deadline,
                    _local_day(closed_at),
                    days,
                ),
            )

    months, deadlines = _hazard_deltas(facts())
    return months, deadlines, count


def occurrence_contributions() -> dict[Key, dict[str, int]]:
    """Occurrences grouped by enterprise, county month and counter, in SQL (there are millions)."""
    tz = timezone.get_default_timezone() if settings.USE_TZ else None
    rows = (
        TaskOccurrence.objects.order_by()
        .annotate(month=TruncMonth("window_start", tzinfo=tz))
        .values("enterprise_id", "month")
        .annotate(
            pending=Count("id", filter=Q(status=stats.OCC_DUE)),
            suspended=Count("id", filter=Q(status=stats.OCC_SUSPENDED)),
            missed=Count("id", filter=Q(status=stats.OCC_MISSED)),
            on_time=Count("id", filter=Q(status=stats.OCC_DONE, done_at__lt=F("window_end"))),
            late=Count("id", filter=Q(status=stats.OCC_DONE, done_at__gte=F("window_end"))),
        )
    )
    out: dict[Key, dict[str, int]] = {}
    for row in rows:
        month = row["month"]
        day = timezone.localdate(month) if isinstance(month, dt.datetime) else month
        counts = {k: row[k] for k in stats.INSPECTION_COUNTERS if row[k]}
        if counts:
            _merge(out, (row["enterprise_id"], stats.month_of(day)), counts, 1)
    return out


def rebuild(*, actor: Actor = REBUILD_ACTOR) -> Rebuilt:
    """Recompute every rollup from the hazards and occurrences, in one transaction (audited)."""
    began = time.perf_counter()
    with transaction.atomic():
        _lock_tables()
        for model in (HazardMonthStat, HazardDeadlineStat, InspectionMonthStat):
            model._default_manager.all().delete()
        months, deadlines, hazards = hazard_contributions()
        occurrences = occurrence_contributions()
        add_counts(HazardMonthStat, ("enterprise_id", "month", "level"), months)
        add_counts(HazardDeadlineStat, ("enterprise_id", "month", "level", "deadline"), deadlines)
        add_counts(InspectionMonthStat, ("enterprise_id", "month"), occurrences)
        result = Rebuilt(hazards, len(months), len(deadlines), len(occurrences), time.perf_counter() - began)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="hazards.hazardmonthstat",
            after={
                "hazards": result.hazards,
                "hazard_rows": result.hazard_rows,
                "deadline_rows": result.deadline_rows,
                "occurrence_rows": result.occurrence_rows,
            },
            comment="重算隐患统计",
        )
    return result


def stored() -> dict[str, dict[Key, dict[str, int]]]:
    """The rollups as stored, without all-zero rows and zero counters (to compare with a rebuild)."""
    out: dict[str, dict[Key, dict[str, int]]] = {}
    specs: tuple[tuple[type[models.Model], tuple[str, ...], tuple[str, ...]], ...] = (
        (HazardMonthStat, ("enterprise_id", "month", "level"), stats.HAZARD_COUNTERS),
        (HazardDeadlineStat, ("enterprise_id", "month", "level", "deadline"), ("open",)),
        (InspectionMonthStat, ("enterprise_id", "month"), stats.INSPECTION_COUNTERS),
    )
    for model, keys, counters in specs:
        rows: dict[Key, dict[str, int]] = defaultdict(dict)
        for row in model._default_manager.values(*keys, *counters):
            counts = {c: row[c] for c in counters if row[c]}
            if counts:
                rows[tuple(row[k] for k in keys)] = counts
        out[model._meta.model_name or ""] = dict(rows)
    return out


def computed() -> dict[str, dict[Key, dict[str, int]]]:
    """What `rebuild()` would store, in the shape of `stored()` (nothing written)."""
    months, deadlines, _count = hazard_contributions()
    occurrences = occurrence_contributions()

    def clean(rows: dict[Key, dict[str, int]]) -> dict[Key, dict[str, int]]:
        out = {}
        for key, counts in rows.items():
            kept = {k: v for k, v in counts.items() if v}
            if kept:
                out[key] = kept
        return out

    return {
        HazardMonthStat._meta.model_name or "": clean(months),
        HazardDeadlineStat._meta.model_name or "": clean(deadlines),
        InspectionMonthStat._meta.model_name or "": clean(occurrences),
    }


def check() -> int:
    """How many rollup rows differ from a fresh computation (0: they agree)."""
    have, want = stored(), computed()
    return sum(
        len({k for k in set(have[name]) | set(want[name]) if have[name].get(k) != want[name].get(k)})
        for name in want
    )
