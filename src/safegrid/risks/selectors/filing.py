"""Every read of 一企一册 filings, scoped to the user through `core.scoping` (out of scope = 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf

from safegrid.core.scoping import get_scoped_or_404, restrict
from safegrid.enterprises.models import Enterprise
from safegrid.enterprises.selectors import enterprise_list
from safegrid.regions.models import Sector

from ..choices import FilingStatus
from ..models.filing import FilingReviewer, FilingTransition, RegisterRevision, RiskRegisterFiling
from ..rules import filing as filing_rules

RELATED = (
    "enterprise",
    "compiled_by",
    "submitted_by",
    "signed_by",
    "signed_delegation",
    "filed_by",
    "reviewed_by",
    "superseded_by",
    "book_job",
)


def _base() -> QuerySet[RiskRegisterFiling]:
    return RiskRegisterFiling.objects.select_related(*RELATED).defer("snapshot")


def filing_list(user: Any) -> QuerySet[RiskRegisterFiling]:
    return restrict(_base(), user)


def filing_get(user: Any, pk: Any) -> RiskRegisterFiling:
    """One filing with its snapshot (the detail page and the PDF)."""
    return get_scoped_or_404(
        RiskRegisterFiling.objects.select_related(*RELATED).prefetch_related("departments"),
        user,
        pk=pk,
    )


def enterprise_filings(user: Any, enterprise_id: int) -> list[RiskRegisterFiling]:
    """All versions of one enterprise's book, newest first, with departments and transitions."""
    transitions = FilingTransition.objects.select_related("actor").order_by("at", "id")
    return list(
        filing_list(user)
        .filter(enterprise_id=enterprise_id)
        .prefetch_related("departments", Prefetch("transitions", queryset=transitions))
        .order_by("-version")
    )


def current_revision(enterprise_id: int) -> int:
    value = (
        RegisterRevision.objects.filter(enterprise_id=enterprise_id)
        .values_list("revision", flat=True)
        .first()
    )
    return int(value or 0)


def register_state(filings: list[RiskRegisterFiling], revision: int) -> filing_rules.RegisterState:
    """The enterprise's register state from its versions (newest first) and its change counter."""
    live = next((f for f in filings if f.status != FilingStatus.SUPERSEDED), None)
    latest = filing_rules.LatestFiling(live.status, live.register_revision) if live is not None else None
    return filing_rules.register_state(latest, revision)


def filing_status_list(user: Any) -> QuerySet[Enterprise]:
    """Enterprises in the user's scope, each annotated with the newest filing a regulator received
    (filed, accepted or returned) and whether the register changed since it was compiled.

    Read from the enterprise's register counter row, where `services.revision` keeps the newest submitted
    filing on every filing save: one join, no per-row subqueries, and the status filters and counts are
    plain column conditions (indexed by `submitted_status`).
    """
    return (
        enterprise_list(user)
        .annotate(
            filing_id=F("register_revision__submitted_filing_pk"),
            filing_status=NullIf(F("register_revision__submitted_status"), Value("")),
            filing_version=F("register_revision__submitted_version"),
            filing_revision=F("register_revision__submitted_revision"),
            filing_filed_at=F("register_revision__submitted_at"),
            current_revision=Coalesce(F("register_revision__revision"), Value(0)),
        )
        .annotate(
            filing_outdated=Case(
                When(
                    filing_revision__isnull=False, filing_revision__lt=F("current_revision"), then=Value(True)
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


# The statuses `services.revision.refresh_submitted` copies onto the counter row (the rest are "none").
SUBMITTED_STATUSES = (FilingStatus.FILED, FilingStatus.ACCEPTED, FilingStatus.RETURNED)


def filing_status_counts(user: Any) -> dict[str, int]:
    """How many enterprises in the user's scope fall in each status bucket, and `total`.

    Two narrow queries instead of an aggregate over every enterprise joined to its counter row: the
    enterprises in scope are counted alone (an index-only count), and the buckets are read from the
    counter rows of the enterprises a regulator has received a book from (the partial index on
    `submitted_status`) — "none" is the rest. Each enterprise has at most one counter row.
    """
    total = enterprise_list(user).order_by().count()
    counts = {"total": total, "none": total, "outdated": 0, **{str(s): 0 for s in SUBMITTED_STATUSES}}
    submitted = (
        restrict(RegisterRevision.objects.filter(submitted_status__in=SUBMITTED_STATUSES), user)
        .order_by()
        .values("submitted_status")
        .annotate(n=Count("pk"), outdated=Count("pk", filter=Q(submitted_revision__lt=F("revision"))))
    )
    for row in submitted:
        counts[row["submitted_status"]] = row["n"]
        counts["none"] -= row["n"]
        counts["outdated"] += row["outdated"]
    return counts


# ---- who reviews a filing (county setting per sector) ---------------------------------------------


def review_config(county_code: str) -> dict[str, str]:
    """The county's reviewer per sector code; a sector without a row is reviewed by its department."""
    rows = FilingReviewer.objects.filter(county_id=county_code).values_list("sector__code", "reviewer")
    return dict(rows)


def review_setting_for(enterprise_id: int) -> tuple[list[str], dict[str, str]]:
    """The enterprise's sector codes and its county's reviewer setting (reference data, no scope)."""
    enterprise = Enterprise.objects.filter(pk=enterprise_id).values_list("division_id", flat=True).first()
    sectors = list(Sector.objects.filter(enterprises=enterprise_id).values_list("code", flat=True))
    return sectors, review_config(str(enterprise or "")[:6])


def sector_codes(ids: Any) -> list[str]:
    return list(Sector.objects.filter(pk__in=sorted(ids)).values_list("code", flat=True))


def reviewer_rows(user: Any, county_code: str) -> list[tuple[Sector, str]]:
    """Every sector with the county's reviewer for it (the settings page)."""
    config = {
        r.sector_id: r.reviewer for r in restrict(FilingReviewer.objects.filter(county_id=county_code), user)
    }
    return [(s, config.get(s.pk, "department")) for s in Sector.objects.order_by("sort_order", "pk")]
