"""Count changes to each enterprise's register so a filed book knows when it is outdated.

Connected to the register models' save/delete signals (not called from each service) so that every write
path — services, imports, future ones — moves the counter; the counter is bookkeeping, never a status.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Min, Subquery
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from safegrid.core.audit import owner_enterprise_id


def _enterprise_id(instance: Any) -> int | None:
    try:
        value = owner_enterprise_id(instance)  # from the model's scope_rule
    except Exception:  # noqa: BLE001 - a parent already deleted in a cascade
        return None
    return int(value) if value is not None else None


def enterprise_level(enterprise_id: int) -> Subquery:
    """The most dangerous level of the enterprise's active risk points (1 is the most dangerous)."""
    from ..models import RiskPoint

    active = RiskPoint.objects.filter(enterprise_id=enterprise_id, active=True).order_by()
    return Subquery(active.values("enterprise_id").annotate(m=Min("level")).values("m")[:1])


def bump(enterprise_id: int) -> None:
    from ..models import RegisterRevision

    updated = RegisterRevision.objects.filter(enterprise_id=enterprise_id).update(
        revision=F("revision") + 1, changed_at=timezone.now(), risk_level=enterprise_level(enterprise_id)
    )
    if not updated:
        RegisterRevision.objects.get_or_create(
            enterprise_id=enterprise_id, defaults={"revision": 1, "changed_at": timezone.now()}
        )
        RegisterRevision.objects.filter(enterprise_id=enterprise_id).update(
            risk_level=enterprise_level(enterprise_id)
        )


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    enterprise_id = _enterprise_id(instance)
    if enterprise_id is not None:
        bump(enterprise_id)


def connect() -> None:
    from ..models import (
        ControlMeasure,
        HazardFactor,
        ResponsibilityAssignment,
        RiskAssessment,
        RiskCard,
        RiskPoint,
    )

    for model in (
        RiskPoint,
        HazardFactor,
        RiskAssessment,
        ControlMeasure,
        ResponsibilityAssignment,
        RiskCard,
    ):
        post_save.connect(_changed, sender=model, dispatch_uid=f"register-revision-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"register-revision-delete-{model.__name__}")
