"""Every read of 一企一册 filings, scoped to the user through `core.scoping` (out of scope = 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, Substr

from safegrid.core.scoping import get_scoped_or_404, restrict, scope_for
from safegrid.enterprises.models import Enterprise, EnterpriseSector
from safegrid.enterprises.selectors import enterprise_list
from safegrid.regions.models import Division, Sector

from .. import permissions
from ..choices import FilingStatus
from ..models.delegation import SigningDelegation
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


# ---- the home page's to-dos -----------------------------------------------------------------------


def to_review(user: Any) -> QuerySet[RiskRegisterFiling]:
    """Filed books waiting for *this user's* review: the county sees all in scope; a sector department the
    enterprises of its sectors that the county did not delegate to the towns; a town those of its
    enterprises whose sector (one of them) the county delegated to the towns (`workflows._may_review`'s
    rule, as one SQL condition: an EXISTS per sector link, no query per filing)."""
    filed = filing_list(user).filter(status=FilingStatus.FILED)
    scope = scope_for(user)
    if scope.is_county:
        return filed
    if not permissions.can_review_filings(user):
        return filed.none()
    delegated = FilingReviewer.objects.filter(
        reviewer=filing_rules.ReviewerKind.TOWN,
        county_id=Substr(OuterRef("enterprise__division_id"), 1, 6),
        sector_id=OuterRef("sector_id"),
    )
    links = EnterpriseSector.objects.filter(enterprise_id=OuterRef("enterprise_id"))
    condition = Q(pk__in=[])
    if scope.sector_ids:
        condition |= Q(Exists(links.filter(~Exists(delegated), sector_id__in=sorted(scope.sector_ids))))
    if scope.division_codes:
        condition |= Q(Exists(links.filter(Exists(delegated))))
    return filed.filter(condition)


def signing_enterprise_ids(user: Any, on: dt.date) -> set[int]:
    """Enterprises whose book the user signs: as legal representative, or under a delegation valid `on`."""
    own = set(scope_for(user).enterprises_with(permissions.REGISTER_SIGNER_ROLES))
    delegated = SigningDelegation.objects.filter(
        delegate_id=user.pk, revoked_at__isnull=True, valid_from__lte=on, valid_until__gte=on
    ).values_list("enterprise_id", flat=True)
    return own | set(delegated)


def to_sign(user: Any, on: dt.date) -> QuerySet[RiskRegisterFiling]:
    """Books submitted for the signature of this user (legal representative or delegate)."""
    ids = signing_enterprise_ids(user, on)
    return filing_list(user).filter(status=FilingStatus.TO_SIGN, enterprise_id__in=sorted(ids))


def sent_back(user: Any) -> QuerySet[RiskRegisterFiling]:
    """Books of the enterprises the user maintains that the signer sent back or the regulator returned."""
    ids = sorted(permissions.editable_enterprise_ids(user))
    statuses = (FilingStatus.SENT_BACK, FilingStatus.RETURNED)
    return filing_list(user).filter(status__in=statuses, enterprise_id__in=ids)


def progress_rows(user: Any, group: str) -> list[dict[str, Any]]:
    """Filing progress of the enterprises in scope, grouped by "town" (9-digit code), "village" (the
    enterprise's division) or "sector": enterprises, accepted, waiting, returned, never filed, outdated.
    One aggregate query plus one for the group names."""
    rows = filing_status_list(user).order_by()
    if group == "sector":
        key: Any = F("sectors__code")
        rows = rows.filter(sectors__isnull=False)
    elif group == "town":
        key = Substr("division_id", 1, 9)
    else:
        key = F("division_id")
    counted = (
        rows.annotate(group_key=key)
        .values("group_key")
        .annotate(
            total=Count("pk"),
            accepted=Count("pk", filter=Q(filing_status=FilingStatus.ACCEPTED)),
            filed=Count("pk", filter=Q(filing_status=FilingStatus.FILED)),
            returned=Count("pk", filter=Q(filing_status=FilingStatus.RETURNED)),
            none=Count("pk", filter=Q(filing_status__isnull=True)),
            outdated=Count("pk", filter=Q(filing_outdated=True)),
        )
    )
    found = {r["group_key"]: r for r in counted}
    if group == "sector":
        names = dict(Sector.objects.filter(code__in=list(found)).values_list("code", "name"))
        order = list(
            Sector.objects.filter(code__in=list(found))
            .order_by("sort_order", "pk")
            .values_list("code", flat=True)
        )
    else:
        names = dict(Division.objects.filter(code__in=list(found)).values_list("code", "name"))
        order = sorted(found)
    out = []
    for code in order:
        row = found[code]
        total = row["total"] or 1
        out.append(
            {
                **row,
                "code": code,
                "name": names.get(code, code),
                "percent": round(100 * row["accepted"] / total),
            }
        )
    return out
