"""Reads of notifications: a user reads only their own (scope rule ByUser)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from safegrid.core.scoping import get_scoped_or_404, restrict

from .models import Notification


def notification_list(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each."""
    qs = restrict(Notification.objects.all(), user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    unread_first = Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.order_by(unread_first, "-created_at", "-id")


def notification_get(user: Any, pk: int) -> Notification:
    return get_scoped_or_404(Notification.objects.all(), user, pk=pk)


def unread_count(user: Any) -> int:
    """One COUNT on the partial index; zero without a query for anonymous users."""
    if user is None or not user.is_authenticated:
        return 0
    return restrict(Notification.objects.filter(read_at__isnull=True), user).count()
