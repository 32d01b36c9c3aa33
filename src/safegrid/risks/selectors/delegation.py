"""Signing delegations (签署委托): the scoped reads of the pages, and who holds a delegation today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from safegrid.core.scoping import get_scoped_or_404, restrict

from ..models import SigningDelegation


def _active(enterprise_id: int, on: dt.date | None) -> QuerySet[SigningDelegation]:
    day = on or timezone.localdate()
    return SigningDelegation.objects.filter(
        enterprise_id=enterprise_id, revoked_at__isnull=True, valid_from__lte=day, valid_until__gte=day
    )


def active_delegation(user: Any, enterprise_id: int, on: dt.date | None = None) -> SigningDelegation | None:
    """The delegation that lets `user` sign the enterprise's book on `on` (today), if any."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return _active(enterprise_id, on).filter(delegate=user).order_by("-valid_until", "-pk").first()


def active_delegate_ids(enterprise_id: int, on: dt.date | None = None) -> list[int]:
    """The users who hold a delegation of the enterprise today (to tell them a book waits for signature)."""
    return list(_active(enterprise_id, on).values_list("delegate_id", flat=True).distinct())


def delegation_list(user: Any) -> QuerySet[SigningDelegation]:
    return restrict(SigningDelegation.objects.select_related("enterprise", "delegate", "delegator"), user)


def enterprise_delegations(user: Any, enterprise_id: int) -> list[SigningDelegation]:
    """One enterprise's delegations, current and past, newest first."""
    return list(delegation_list(user).filter(enterprise_id=enterprise_id).order_by("-valid_until", "-pk"))


def delegation_get(user: Any, pk: Any) -> SigningDelegation:
    return get_scoped_or_404(
        SigningDelegation.objects.select_related("enterprise", "delegate", "delegator"), user, pk=pk
    )
