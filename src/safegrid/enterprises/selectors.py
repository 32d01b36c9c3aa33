"""Every read of enterprises and their children, scoped to the user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from safegrid.core.scoping import get_scoped_or_404, restrict

from .models import Certificate, Enterprise, OrgUnit, Person


def enterprise_list(user: Any) -> QuerySet[Enterprise]:
    # Boundaries are GeoJSON polygons: never drag them along with every enterprise row.
    return restrict(
        Enterprise.objects.select_related("division", "grid").defer("division__boundary", "grid__boundary"),
        user,
    )


def enterprise_get(user: Any, pk: Any) -> Enterprise:
    return get_scoped_or_404(Enterprise.objects.select_related("division", "grid"), user, pk=pk)


def org_unit_list(user: Any) -> QuerySet[OrgUnit]:
    return restrict(OrgUnit.objects.select_related("enterprise", "parent"), user)


def org_unit_get(user: Any, pk: Any) -> OrgUnit:
    return get_scoped_or_404(OrgUnit.objects.select_related("enterprise", "parent"), user, pk=pk)


def person_list(user: Any) -> QuerySet[Person]:
    return restrict(Person.objects.select_related("enterprise", "org_unit"), user)


def person_get(user: Any, pk: Any) -> Person:
    return get_scoped_or_404(Person.objects.select_related("enterprise", "org_unit"), user, pk=pk)


def certificate_list(user: Any) -> QuerySet[Certificate]:
    return restrict(Certificate.objects.select_related("enterprise", "person"), user)


def certificate_get(user: Any, pk: Any) -> Certificate:
    return get_scoped_or_404(Certificate.objects.select_related("enterprise", "person"), user, pk=pk)


def certificates_attention(user: Any, today: dt.date | None = None) -> QuerySet[Certificate]:
    """Certificates expired or expiring within the warning window, soonest first."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.SAFEGRID_EXPIRY_WARNING_DAYS)
    return (
        certificate_list(user)
        .filter(expires_on__isnull=False, expires_on__lte=horizon)
        .order_by("expires_on")
    )
