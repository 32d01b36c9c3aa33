"""Scoped reads of event sources (video channels, positioning zones) and their events: out of scope is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from safegrid.core.scoping import get_scoped_or_404, restrict

from ..choices import OPEN_STATUSES
from ..models import Alarm, EventSource, SourceEvent, ZonePresence

SOURCE_EVENTS_SHOWN = 50


def source_list(user: Any) -> QuerySet[EventSource]:
    return restrict(EventSource.objects.select_related("point", "point__enterprise", "point__unit"), user)


def _count_of(rows: QuerySet[Any], column: str) -> Coalesce:
    """COUNT(*) of `rows` per outer row, as one correlated subquery (no join to multiply the rows)."""
    counted = rows.order_by().values(column).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def source_rows(user: Any) -> QuerySet[EventSource]:
    """`source_list` with each source's people in the zone now (`headcount`, from ZonePresence) and its open
    (not yet closed) alarms (`open_alarms`): two subqueries in the one SELECT, whatever the number of rows."""
    return source_list(user).annotate(
        headcount=_count_of(ZonePresence.objects.filter(source_id=OuterRef("pk")), "source_id"),
        open_alarms=_count_of(
            Alarm.objects.filter(point_id=OuterRef("pk"), status__in=[str(s) for s in OPEN_STATUSES]),
            "point_id",
        ),
    )


def source_get(user: Any, pk: Any) -> EventSource:
    return get_scoped_or_404(
        EventSource.objects.select_related("point", "point__enterprise", "point__unit"), user, pk=pk
    )


def event_list(user: Any) -> QuerySet[SourceEvent]:
    return restrict(SourceEvent.objects.select_related("point"), user)


def presence_of(user: Any, source: EventSource) -> list[ZonePresence]:
    """The people (positioning tags) in the zone now, the longest there first."""
    rows = restrict(ZonePresence.objects.filter(source=source), user)
    return list(rows.order_by("entered_at", "person"))


def latest_events_of(user: Any, source: EventSource, limit: int = SOURCE_EVENTS_SHOWN) -> list[SourceEvent]:
    return list(restrict(SourceEvent.objects.filter(point_id=source.pk), user).order_by("-ts", "-id")[:limit])


def open_alarms_of(user: Any, source: EventSource) -> list[Alarm]:
    """The source's alarms not yet closed (消警), newest first."""
    rows = Alarm.objects.filter(point_id=source.pk, status__in=[str(s) for s in OPEN_STATUSES])
    return list(restrict(rows.select_related("point"), user).order_by("-last_at", "-id"))
