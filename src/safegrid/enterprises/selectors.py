"""Every read of enterprises and their children, scoped to the user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from safegrid.core.models import User
from safegrid.core.scoping import get_scoped_or_404, restrict, scope_for
from safegrid.regions import selectors as region_selectors
from safegrid.regions.models import Division

from .choices import EnterpriseStatus
from .models import Certificate, Enterprise, EnterpriseSector, OrgUnit, Person


def enterprise_list(user: Any) -> QuerySet[Enterprise]:
    # Boundaries are GeoJSON polygons: never drag them along with every enterprise row.
    return restrict(
        Enterprise.objects.select_related("division", "grid").defer("division__boundary", "grid__boundary"),
        user,
    )


def sector_names_of(enterprise_ids: list[int]) -> dict[int, str]:
    """The sector names of enterprises the caller already read through `enterprise_list` (a list page's
    rows), joined with 、 in the sectors' order: one small query instead of a prefetch of model rows."""
    names: dict[int, list[str]] = {}
    rows = (
        EnterpriseSector.objects.filter(enterprise_id__in=enterprise_ids)
        .order_by("sector__sort_order", "sector_id")
        .values_list("enterprise_id", "sector__name")
    )
    for enterprise_id, name in rows:
        names.setdefault(enterprise_id, []).append(name)
    return {enterprise_id: "、".join(found) for enterprise_id, found in names.items()}


def enterprise_get(user: Any, pk: Any) -> Enterprise:
    return get_scoped_or_404(Enterprise.objects.select_related("division", "grid"), user, pk=pk)


def org_unit_list(user: Any) -> QuerySet[OrgUnit]:
    return restrict(OrgUnit.objects.select_related("enterprise", "parent"), user)


def org_unit_get(user: Any, pk: Any) -> OrgUnit:
    return get_scoped_or_404(OrgUnit.objects.select_related("enterprise", "parent"), user, pk=pk)


def person_list(user: Any) -> QuerySet[Person]:
    return restrict(Person.objects.select_related("enterprise", "org_unit"), user)


def enterprise_users(user: Any, enterprise_id: int) -> QuerySet[User]:
    """The active accounts holding a role in an enterprise the user may read (for "assign to" lists); none
    when the enterprise is out of the user's scope."""
    if not enterprise_list(user).filter(pk=enterprise_id).exists():
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, role_assignments__enterprise_id=enterprise_id)
        .distinct()
        .order_by("username")
    )


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


def certificate_expiry_counts(user: Any, today: dt.date) -> dict[str, int]:
    """How many certificates in the user's scope are expired and expire within the warning window (one query)."""
    horizon = today + dt.timedelta(days=settings.SAFEGRID_EXPIRY_WARNING_DAYS)
    return (
        certificate_list(user)
        .order_by()
        .filter(expires_on__lte=horizon)  # lets the database use the expiry index
        .aggregate(
            expired=Count("pk", filter=Q(expires_on__lt=today)),
            expiring=Count("pk", filter=Q(expires_on__gte=today, expires_on__lte=horizon)),
        )
    )


def by_expiry(
    queryset: QuerySet[Certificate], value: str, today: dt.date | None = None
) -> QuerySet[Certificate]:
    """Certificates already expired ("expired") or expiring within the warning window ("expiring")."""
    today = today or timezone.localdate()
    if value == "expired":
        return queryset.filter(expires_on__lt=today)
    if value == "expiring":
        horizon = today + dt.timedelta(days=settings.SAFEGRID_EXPIRY_WARNING_DAYS)
        return queryset.filter(expires_on__gte=today, expires_on__lte=horizon)
    return queryset


def village_rows(user: Any) -> list[dict[str, Any]]:
    """A town officer's picture: the enterprises in scope counted by village (two queries)."""
    counts = dict(
        enterprise_list(user)
        .order_by()
        .values("division_id")
        .annotate(n=Count("pk"))
        .values_list("division_id", "n")
    )
    names = dict(Division.objects.filter(code__in=list(counts)).values_list("code", "name"))
    return sorted(
        ({"code": code, "name": names.get(code, code), "count": n} for code, n in counts.items()),
        key=lambda r: r["code"],
    )


def home_numbers(user: Any, today: dt.date, certificates: dict[str, int] | None = None) -> dict[str, Any]:
    """The county (or town, or department) at a glance for the home page: a handful of aggregate queries."""
    enterprises = enterprise_list(user).order_by()
    status_counts = dict(enterprises.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    by_status = [
        {"value": value, "label": str(label), "count": status_counts.get(value, 0)}
        for value, label in EnterpriseStatus.choices
    ]
    if certificates is None:
        certificates = certificate_expiry_counts(user, today)
    links = EnterpriseSector.objects.all()
    if not scope_for(user).everything:  # county roles see every enterprise: skip the no-op IN (…)
        links = links.filter(enterprise__in=enterprises.values("pk"))
    sector_counts = dict(
        links.values("sector_id").annotate(n=Count("enterprise_id")).values_list("sector_id", "n")
    )
    sector_rows = [
        {"code": s.code, "name": s.name, "count": sector_counts.get(s.pk, 0)}
        for s in region_selectors.sector_list(user)
    ]
    town_counts = dict(
        enterprises.annotate(town=Substr("division_id", 1, 9))
        .values("town")
        .annotate(n=Count("pk"))
        .values_list("town", "n")
    )
    town_names = dict(Division.objects.filter(code__in=list(town_counts)).values_list("code", "name"))
    town_rows = sorted(
        ({"code": code, "name": town_names.get(code, code), "count": n} for code, n in town_counts.items()),
        key=lambda r: r["code"],
    )
    return {
        "total": sum(status_counts.values()),
        "by_status": by_status,
        "certificates_expired": certificates["expired"],
        "certificates_expiring": certificates["expiring"],
        "by_sector": sector_rows,
        "by_town": town_rows,
    }
