"""Every read of hidden hazards, scoped to the user through `core.scoping` (out of scope = 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from safegrid.core.scoping import get_scoped_or_404, restrict
from safegrid.enterprises.models import Enterprise

from .choices import DEADLINE_STATUSES, HazardLevel
from .models import HazardPhoto, HazardTransition, HiddenHazard, ListedSupervision


def hazard_list(user: Any) -> QuerySet[HiddenHazard]:
    return restrict(
        HiddenHazard.objects.select_related("enterprise", "enterprise__division", "responsible_person"), user
    )


def search_q(term: str) -> Q:
    """Hazards whose name or location, or whose enterprise's name, contains `term` (ignoring case).

    The same rows as `title__icontains | location__icontains | enterprise__name__icontains`, shaped for a
    table of hundreds of thousands of hazards: a term with no letter that has a case (Chinese, digits) is
    matched with a plain `contains` — PostgreSQL's icontains runs UPPER() on every row's text first, which
    cannot change a match for such a term — and the enterprise names are searched once in their own table,
    the hazards then tested against that list of ids instead of each being joined to its enterprise.
    """
    lookup = "contains" if term.upper() == term.lower() else "icontains"
    names = Enterprise.objects.filter(**{f"name__{lookup}": term}).values("pk")
    return Q(**{f"title__{lookup}": term}) | Q(**{f"location__{lookup}": term}) | Q(enterprise_id__in=names)


def overdue_q(today: Any = None) -> Q:
    """Hazards whose rectification deadline has passed and that are not yet closed."""
    return Q(status__in=sorted(DEADLINE_STATUSES), deadline__lt=today or timezone.localdate())


def hazard_get(user: Any, pk: Any) -> HiddenHazard:
    return get_scoped_or_404(
        HiddenHazard.objects.select_related(
            "enterprise", "risk_point", "responsible_person", "reported_by", "rectified_by", "accepted_by"
        ),
        user,
        pk=pk,
    )


def hazard_photos(user: Any, hazard: HiddenHazard) -> list[HazardPhoto]:
    return list(restrict(HazardPhoto.objects.filter(hazard=hazard), user))


def photo_get(user: Any, pk: Any) -> HazardPhoto:
    return get_scoped_or_404(HazardPhoto.objects.select_related("hazard"), user, pk=pk)


def hazard_timeline(user: Any, hazard: HiddenHazard) -> list[HazardTransition]:
    return list(restrict(HazardTransition.objects.filter(hazard=hazard).select_related("actor"), user))


def overdue_list(user: Any, today: dt.date | None = None) -> QuerySet[HiddenHazard]:
    """Overdue hazards in the user's scope, highest escalation step first, then the longest overdue."""
    return hazard_list(user).filter(overdue_q(today)).order_by("-escalation_step", "deadline", "pk")


@dataclass
class ReviewEntry:
    """An enterprise on the 五个一律 review list and the overdue major hazards that put it there."""

    enterprise: Any
    hazards: list[HiddenHazard] = field(default_factory=list)

    @property
    def worst_overdue(self) -> int:
        return max((getattr(h, "overdue_days", 0) for h in self.hazards), default=0)


def five_musts_review(user: Any, today: dt.date | None = None) -> list[ReviewEntry]:
    """Enterprises in scope with an overdue major hazard (五个一律 review), the longest overdue first."""
    day = today or timezone.localdate()
    entries: dict[int, ReviewEntry] = {}
    rows = (
        hazard_list(user)
        .filter(overdue_q(day), level=HazardLevel.MAJOR)
        .select_related("supervision")
        .order_by("enterprise__name", "deadline", "pk")
    )
    for hazard in rows:
        assert hazard.deadline is not None
        hazard.overdue_days = (day - hazard.deadline).days  # type: ignore[attr-defined]
        entries.setdefault(hazard.enterprise_id, ReviewEntry(hazard.enterprise)).hazards.append(hazard)
    return sorted(entries.values(), key=lambda e: (-e.worst_overdue, e.enterprise.name))


def supervision_list(user: Any) -> QuerySet[ListedSupervision]:
    return restrict(
        ListedSupervision.objects.select_related(
            "hazard", "hazard__enterprise", "hazard__enterprise__division", "department", "signed_off_by"
        ),
        user,
    )


def supervision_get(user: Any, pk: Any) -> ListedSupervision:
    return get_scoped_or_404(supervision_list(user), user, pk=pk)


def supervision_of(user: Any, hazard: HiddenHazard) -> ListedSupervision | None:
    return supervision_list(user).filter(hazard=hazard).first()
