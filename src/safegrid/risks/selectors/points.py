"""Every read of risk data, scoped to the user through `core.scoping`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from safegrid.core.scoping import get_scoped_or_404, restrict, scope_for
from safegrid.enterprises.models import Enterprise
from safegrid.enterprises.selectors import enterprise_get

from ..choices import AssessmentKind
from ..models import (
    ControlMeasure,
    HazardFactor,
    RegisterRevision,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskPoint,
    RiskSettings,
)
from ..rules import assessment as rules


def risk_point_list(user: Any) -> QuerySet[RiskPoint]:
    return restrict(RiskPoint.objects.select_related("enterprise", "org_unit"), user)


def risk_point_count(
    user: Any, *, division: str = "", enterprise_id: int | None = None, active_only: bool = False
) -> int | None:
    """How many risk points the user sees, summed from the counts kept on each enterprise's register
    counter (~19,000 rows, not ~140,000). None when the counters cannot answer: a user with a
    workshop/team/post role sees only part of an enterprise's points."""
    if scope_for(user).unit_paths:
        return None
    rows = restrict(RegisterRevision.objects.all(), user)
    if division:
        rows = rows.filter(enterprise__division__code__startswith=division)
    if enterprise_id is not None:
        rows = rows.filter(enterprise_id=enterprise_id)
    if active_only:
        total: Any = (
            F("points_level1")
            + F("points_level2")
            + F("points_level3")
            + F("points_level4")
            + F("points_unrated")
        )
    else:
        total = F("points_total")
    return int(rows.aggregate(n=Coalesce(Sum(total), 0))["n"])


def risk_point_get(user: Any, pk: Any) -> RiskPoint:
    return get_scoped_or_404(RiskPoint.objects.select_related("enterprise", "org_unit"), user, pk=pk)


def risk_point_by_qr(user: Any, token: str) -> RiskPoint:
    return get_scoped_or_404(RiskPoint.objects.select_related("enterprise", "org_unit"), user, qr_token=token)


def hazard_factor_list(user: Any) -> QuerySet[HazardFactor]:
    return restrict(HazardFactor.objects.select_related("risk_point", "risk_point__enterprise"), user)


def hazard_factor_get(user: Any, pk: Any) -> HazardFactor:
    return get_scoped_or_404(
        HazardFactor.objects.select_related("risk_point", "risk_point__enterprise"), user, pk=pk
    )


def assessment_list(user: Any) -> QuerySet[RiskAssessment]:
    return restrict(RiskAssessment.objects.select_related("hazard_factor", "assessed_by"), user)


def assessment_get(user: Any, pk: Any) -> RiskAssessment:
    return get_scoped_or_404(
        RiskAssessment.objects.select_related("hazard_factor", "assessed_by"), user, pk=pk
    )


def measure_list(user: Any) -> QuerySet[ControlMeasure]:
    return restrict(
        ControlMeasure.objects.select_related("risk_point", "hazard_factor", "responsible_post"), user
    )


def measure_get(user: Any, pk: Any) -> ControlMeasure:
    return get_scoped_or_404(
        ControlMeasure.objects.select_related("risk_point", "hazard_factor", "responsible_post"), user, pk=pk
    )


def assignment_list(user: Any) -> QuerySet[ResponsibilityAssignment]:
    return restrict(ResponsibilityAssignment.objects.select_related("risk_point", "person", "org_unit"), user)


def assignment_get(user: Any, pk: Any) -> ResponsibilityAssignment:
    return get_scoped_or_404(
        ResponsibilityAssignment.objects.select_related("risk_point", "person", "org_unit"), user, pk=pk
    )


def settings_list(user: Any) -> QuerySet[RiskSettings]:
    return restrict(RiskSettings.objects.select_related("county"), user)


def current_assessments() -> QuerySet[RiskAssessment]:
    """Only the latest assessment of each kind per hazard factor (no later one of the same kind)."""
    later = RiskAssessment.objects.filter(
        hazard_factor=OuterRef("hazard_factor"), kind=OuterRef("kind")
    ).filter(
        Q(assessed_at__gt=OuterRef("assessed_at"))
        | Q(assessed_at=OuterRef("assessed_at"), pk__gt=OuterRef("pk"))
    )
    return RiskAssessment.objects.filter(~Exists(later)).select_related("assessed_by")


@dataclass(frozen=True)
class FactorView:
    factor: HazardFactor
    initial: RiskAssessment | None
    residual: RiskAssessment | None

    @property
    def level(self) -> int | None:
        return rules.factor_level(
            self.initial.level if self.initial else None, self.residual.level if self.residual else None
        )


def factor_view(factor: HazardFactor) -> FactorView:
    """One factor (in use or retired) with its current initial/residual assessments."""
    by_kind = {a.kind: a for a in current_assessments().filter(hazard_factor=factor)}
    return FactorView(factor, by_kind.get(AssessmentKind.INITIAL), by_kind.get(AssessmentKind.RESIDUAL))


def factor_views(point: RiskPoint) -> list[FactorView]:
    """The point's factors with their current initial/residual assessments.

    Uses the `current_assessments` prefetched by `with_register`; no queries when prefetched.
    """
    views = []
    for factor in point.factors.all():
        if not factor.active:  # prefetched by `with_register` only in use; a bare point reads all
            continue
        current: list[RiskAssessment] = getattr(factor, "current_assessments", None) or list(
            current_assessments().filter(hazard_factor=factor)
        )
        by_kind = {a.kind: a for a in current}
        views.append(
            FactorView(factor, by_kind.get(AssessmentKind.INITIAL), by_kind.get(AssessmentKind.RESIDUAL))
        )
    return views


def active_tiers() -> Prefetch:
    """`prefetch_related` the point's tiers in use (a retired assignment controls nothing)."""
    return Prefetch("tiers", queryset=ResponsibilityAssignment.objects.filter(active=True))


def with_register(points: QuerySet[RiskPoint]) -> QuerySet[RiskPoint]:
    """Prefetch the factors in use with their current assessments, the measures and tiers in use, in a
    constant number of queries: the register as every page, PDF, card and export shows it (retired
    items, `active` False, are kept for the record and read with `retired_items`)."""
    return points.select_related("enterprise", "org_unit").prefetch_related(
        Prefetch(
            "factors",
            queryset=HazardFactor.objects.filter(active=True)
            .order_by("step_no", "id")
            .prefetch_related(
                Prefetch("assessments", queryset=current_assessments(), to_attr="current_assessments")
            ),
        ),
        Prefetch(
            "measures",
            queryset=ControlMeasure.objects.filter(active=True).select_related(
                "responsible_post", "hazard_factor"
            ),
        ),
        Prefetch(
            "tiers",
            queryset=ResponsibilityAssignment.objects.filter(active=True).select_related(
                "person", "org_unit"
            ),
        ),
    )


@dataclass(frozen=True)
class RetiredItems:
    """A point's retired factors, measures and tiers (kept with their ids and codes, shown apart)."""

    factors: list[HazardFactor]
    measures: list[ControlMeasure]
    tiers: list[ResponsibilityAssignment]

    def __bool__(self) -> bool:
        return bool(self.factors or self.measures or self.tiers)


def retired_items(point: RiskPoint) -> RetiredItems:
    """The retired items of a point the caller has already read through a selector."""
    return RetiredItems(
        factors=list(HazardFactor.objects.filter(risk_point=point, active=False).order_by("code", "id")),
        measures=list(
            ControlMeasure.objects.filter(risk_point=point, active=False)
            .select_related("responsible_post")
            .order_by("code", "id")
        ),
        tiers=list(
            ResponsibilityAssignment.objects.filter(risk_point=point, active=False).select_related("person")
        ),
    )


@dataclass
class PointItems:
    """A point's factors (with `current_assessments`), measures and tiers, retired ones included."""

    factors: list[HazardFactor]
    measures: list[ControlMeasure]
    tiers: list[ResponsibilityAssignment]


def register_items(enterprise_id: int) -> dict[int, PointItems]:
    """Every factor, measure and tier of an enterprise's points, by point id, in four queries: what an
    import compares its file with (the caller has read the enterprise through a selector)."""
    found: dict[int, PointItems] = {}

    def items(point_id: int) -> PointItems:
        return found.setdefault(point_id, PointItems([], [], []))

    on_points = {"risk_point__enterprise_id": enterprise_id}
    factors = HazardFactor.objects.filter(**on_points).order_by("risk_point_id", "step_no", "id")
    current = Prefetch("assessments", queryset=current_assessments(), to_attr="current_assessments")
    for factor in factors.prefetch_related(current):
        items(factor.risk_point_id).factors.append(factor)
    for measure in ControlMeasure.objects.filter(**on_points).select_related("hazard_factor").order_by("id"):
        items(measure.risk_point_id).measures.append(measure)
    for tier in ResponsibilityAssignment.objects.filter(**on_points).order_by("id"):
        items(tier.risk_point_id).tiers.append(tier)
    return found


def register(
    user: Any, enterprise_id: Any, *, include_inactive: bool = False
) -> tuple[Enterprise, list[RiskPoint]]:
    """One enterprise's risk register (一企一册): points with factors, current assessments,
    measures and tiers. Out of scope → 404."""
    enterprise = enterprise_get(user, enterprise_id)
    points = risk_point_list(user).filter(enterprise=enterprise)
    if not include_inactive:
        points = points.filter(active=True)
    return enterprise, list(with_register(points).order_by("code", "id"))


def risk_point_detail(user: Any, pk: Any) -> RiskPoint:
    """One risk point with its register prefetched (factors, current assessments, measures, tiers)."""
    return get_scoped_or_404(with_register(RiskPoint.objects.all()), user, pk=pk)


def config_for_division(division_code: str | None) -> rules.RiskConfig:
    """The grading configuration of the county a division (or enterprise division) belongs to."""
    if division_code:
        row = RiskSettings.objects.filter(county_id=str(division_code)[:6]).first()
        if row is not None:
            return row.as_config()
    return rules.DEFAULT_CONFIG


def risk_config_for(user: Any, enterprise_id: int | None = None) -> rules.RiskConfig:
    """The grading configuration that applies for a user: that of the enterprise's county when one
    is named (404 if out of scope), else the county of the user's own enterprise or town, else the
    single county configured, else the REFERENCE defaults."""
    if enterprise_id is not None:
        return config_for_division(enterprise_get(user, enterprise_id).division_id)
    scope = scope_for(user)
    own = sorted(scope.own_enterprise_ids)
    if own:
        division = Enterprise.objects.filter(pk=own[0]).values_list("division_id", flat=True).first()
        return config_for_division(division)
    codes = scope.division_codes or scope.grid_division_codes
    if codes:
        return config_for_division(codes[0])
    rows = list(RiskSettings.objects.all()[:2])
    if len(rows) == 1:
        return rows[0].as_config()
    return rules.DEFAULT_CONFIG
