"""Count changes to each enterprise's register so a filed book knows when it is outdated.

Connected to the register models' save/delete signals (not called from each service) so that every write
path — services, imports, future ones — moves the counter; the counter is bookkeeping, never a status.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Count, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
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


def point_counts(enterprise_id: int) -> dict[str, Any]:
    """The risk level and point counts kept on the enterprise's `RegisterRevision` row."""
    from ..models import RiskPoint

    active = Q(active=True)
    return RiskPoint.objects.filter(enterprise_id=enterprise_id).aggregate(
        risk_level=Min("level", filter=active),
        points_total=Count("pk"),
        points_level1=Count("pk", filter=active & Q(level=1)),
        points_level2=Count("pk", filter=active & Q(level=2)),
        points_level3=Count("pk", filter=active & Q(level=3)),
        points_level4=Count("pk", filter=active & Q(level=4)),
        points_unrated=Count("pk", filter=active & Q(level__isnull=True)),
    )


def item_counts() -> dict[str, Any]:
    """A risk point's `factor_count` and `measure_count` as UPDATE expressions: the hazard factors and
    control measures in use."""
    from ..models import ControlMeasure, HazardFactor

    def counted(model: Any) -> Coalesce:
        rows = model.objects.filter(risk_point=OuterRef("pk"), active=True).order_by()
        return Coalesce(Subquery(rows.values("risk_point").annotate(n=Count("pk")).values("n")[:1]), 0)

    return {"factor_count": counted(HazardFactor), "measure_count": counted(ControlMeasure)}


def recount_points(enterprise_ids: list[int] | None = None) -> int:
    """Bring the points' factor and measure counts (of these enterprises, or all) to the rows: one UPDATE
    of the points whose counts moved (the others are neither written nor locked)."""
    from ..models import RiskPoint

    counts = item_counts()
    points = RiskPoint.objects.all()
    if enterprise_ids is not None:
        points = points.filter(enterprise_id__in=enterprise_ids)
    stale = points.alias(**{f"now_{k}": v for k, v in counts.items()}).filter(
        ~Q(factor_count=F("now_factor_count")) | ~Q(measure_count=F("now_measure_count"))
    )
    return RiskPoint.objects.filter(pk__in=stale.values("pk")).update(**counts)


def bump(enterprise_id: int) -> None:
    """Count one change and refresh the level and counts, in the caller's transaction.

    The revision moves first: that UPDATE locks the row, so the counts read after it (a new snapshot
    under READ COMMITTED) include every concurrent change that committed while this one waited.
    """
    from ..models import RegisterRevision

    updated = RegisterRevision.objects.filter(enterprise_id=enterprise_id).update(
        revision=F("revision") + 1, changed_at=timezone.now()
    )
    if not updated:
        RegisterRevision.objects.get_or_create(
            enterprise_id=enterprise_id, defaults={"revision": 1, "changed_at": timezone.now()}
        )
    RegisterRevision.objects.filter(enterprise_id=enterprise_id).update(**point_counts(enterprise_id))
    # After the counter's lock, as the counts above. The services that add, change or remove a factor or
    # measure lock its point first, so this writes a point they already hold.
    recount_points([enterprise_id])


def recount(enterprise_ids: Iterable[int] | None = None) -> int:
    """Recompute level and counts from the risk points for many enterprises (demo builds, repairs),
    and the points' factor and measure counts: set-based UPDATEs. Does not move the revision."""
    from ..models import RegisterRevision, RiskPoint

    def counted(condition: Q) -> Coalesce:
        rows = RiskPoint.objects.filter(condition, enterprise_id=OuterRef("enterprise_id")).order_by()
        return Coalesce(Subquery(rows.values("enterprise_id").annotate(n=Count("pk")).values("n")[:1]), 0)

    active = Q(active=True)
    ids = None if enterprise_ids is None else list(enterprise_ids)
    rows = RegisterRevision.objects.all()
    if ids is not None:
        rows = rows.filter(enterprise_id__in=ids)
    recount_points(ids)
    worst = RiskPoint.objects.filter(enterprise_id=OuterRef("enterprise_id"), active=True).order_by()
    return rows.update(
        risk_level=Subquery(worst.values("enterprise_id").annotate(m=Min("level")).values("m")[:1]),
        points_total=counted(Q()),
        points_level1=counted(active & Q(level=1)),
        points_level2=counted(active & Q(level=2)),
        points_level3=counted(active & Q(level=3)),
        points_level4=counted(active & Q(level=4)),
        points_unrated=counted(active & Q(level__isnull=True)),
    )


def refresh_submitted(enterprise_id: int, *, create: bool = True) -> None:
    """Copy the enterprise's newest submitted filing (filed/accepted/returned) onto its counter row."""
    from ..models import RegisterRevision, RiskRegisterFiling
    from ..workflows import SUBMITTED

    latest = (
        RiskRegisterFiling.objects.filter(enterprise_id=enterprise_id, status__in=sorted(SUBMITTED))
        .order_by("-version")
        .values("pk", "status", "version", "register_revision", "filed_at")
        .first()
    )
    values: dict[str, Any] = {
        "submitted_filing_pk": latest["pk"] if latest else None,
        "submitted_status": latest["status"] if latest else "",
        "submitted_version": latest["version"] if latest else None,
        "submitted_revision": latest["register_revision"] if latest else None,
        "submitted_at": latest["filed_at"] if latest else None,
    }
    if not RegisterRevision.objects.filter(enterprise_id=enterprise_id).update(**values) and create:
        RegisterRevision.objects.get_or_create(enterprise_id=enterprise_id, defaults=values)


def _filing_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    enterprise_id = _enterprise_id(instance)
    if enterprise_id is not None:
        # After a delete the enterprise itself may be going (a cascade): only update what is there.
        refresh_submitted(enterprise_id, create=kwargs.get("signal") is post_save)


_deferred: ContextVar[set[int] | None] = ContextVar("register_bumps_deferred", default=None)


@contextmanager
def one_bump_per_enterprise() -> Iterator[None]:
    """For a writer of many register rows in one transaction (an import): the saves inside only note
    their enterprise, and each noted enterprise is counted once on leaving — the counter and its
    counts are then refreshed once instead of once per row. Use inside the writer's transaction."""
    token = _deferred.set(set())
    try:
        yield
        noted = _deferred.get() or set()
    finally:
        _deferred.reset(token)
    for enterprise_id in sorted(noted):
        bump(enterprise_id)


def changed(enterprise_id: int) -> None:
    """Count a change to the enterprise's register: now, or once at the end of the writer's
    `one_bump_per_enterprise` block. Bulk writers call it (their inserts send no signals)."""
    deferred = _deferred.get()
    if deferred is not None:
        deferred.add(enterprise_id)
    else:
        bump(enterprise_id)


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    enterprise_id = _enterprise_id(instance)
    if enterprise_id is not None:
        changed(enterprise_id)


def connect() -> None:
    from ..models import (
        ControlMeasure,
        HazardFactor,
        ResponsibilityAssignment,
        RiskAssessment,
        RiskCard,
        RiskPoint,
        RiskRegisterFiling,
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
    post_save.connect(_filing_changed, sender=RiskRegisterFiling, dispatch_uid="register-submitted-save")
    post_delete.connect(_filing_changed, sender=RiskRegisterFiling, dispatch_uid="register-submitted-delete")
