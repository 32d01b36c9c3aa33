"""Scoped reads of event sources (video channels, positioning zones) and their events: out of scope is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from safegrid.core.scoping import get_scoped_or_404, restrict

from ..models import EventSource, SourceEvent


def source_list(user: Any) -> QuerySet[EventSource]:
    return restrict(EventSource.objects.select_related("point", "point__enterprise", "point__unit"), user)


def source_get(user: Any, pk: Any) -> EventSource:
    return get_scoped_or_404(
        EventSource.objects.select_related("point", "point__enterprise", "point__unit"), user, pk=pk
    )


def event_list(user: Any) -> QuerySet[SourceEvent]:
    return restrict(SourceEvent.objects.select_related("point"), user)
