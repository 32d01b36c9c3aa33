"""Every read of hidden hazards, scoped to the user through `core.scoping` (out of scope = 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from safegrid.core.scoping import get_scoped_or_404, restrict

from .choices import DEADLINE_STATUSES
from .models import HazardPhoto, HazardTransition, HiddenHazard


def hazard_list(user: Any) -> QuerySet[HiddenHazard]:
    return restrict(
        HiddenHazard.objects.select_related("enterprise", "enterprise__division", "responsible_person"), user
    )


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
