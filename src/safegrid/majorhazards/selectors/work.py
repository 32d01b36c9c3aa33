"""Scoped reads of special-work filings and daily safety commitments: lists, one object, today's high-risk
works, the regulator's day page (posted / late / missing / counts that disagree with the filings)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from safegrid.core.scoping import get_scoped_or_404, restrict, scope_for
from safegrid.enterprises.models import Enterprise

from .. import work_config
from ..models import CommitmentBoard, GasAnalysis, SafetyCommitment, SpecialWork, WorkPause
from ..models.work import SpecialWorkStatus
from ..rules import work as rules
from ..services.work import county_tz, must_post_q


def special_work_list(user: Any) -> QuerySet[SpecialWork]:
    return restrict(SpecialWork.objects.select_related("enterprise", "unit"), user)


def special_work_get(user: Any, pk: Any) -> SpecialWork:
    return get_scoped_or_404(
        SpecialWork.objects.select_related("enterprise", "unit", "filed_by"), user, pk=pk
    )


def analyses_of(work: SpecialWork) -> QuerySet[GasAnalysis]:
    return GasAnalysis.objects.filter(work=work).order_by("at", "pk")


def pauses_of(work: SpecialWork) -> QuerySet[WorkPause]:
    return WorkPause.objects.filter(work=work).order_by("start", "pk")


def touching(qs: QuerySet[SpecialWork], day: dt.date) -> QuerySet[SpecialWork]:
    lo, hi = rules.day_bounds(day, county_tz())
    return qs.filter(start__lt=hi, end__gt=lo)


HIGH_RISK_Q = Q(work_type=rules.WorkType.HOT, grade__in=[rules.WorkGrade.SPECIAL, rules.WorkGrade.ONE]) | Q(
    work_type=rules.WorkType.CONFINED
)


def high_risk_on(user: Any, day: dt.date) -> QuerySet[SpecialWork]:
    """特级/一级 hot work and confined-space entries in scope whose interval touches `day`, not cancelled."""
    return (
        touching(special_work_list(user), day).filter(HIGH_RISK_Q).exclude(status=SpecialWorkStatus.CANCELLED)
    )


def enterprises_filing(user: Any) -> QuerySet[Enterprise]:
    """Enterprises in scope for which the user files special work (their managers)."""
    from ..services.work import MANAGER_ROLES

    own = scope_for(user).enterprises_with(MANAGER_ROLES)
    return restrict(Enterprise.objects.filter(pk__in=sorted(own)), user).order_by("name")


def enterprises_posting(user: Any) -> QuerySet[Enterprise]:
    """Enterprises in scope where the user is staff with a major hazard source (they see its commitment form)."""
    from ..services.work import MANAGER_ROLES, PRINCIPAL_ROLES

    own = scope_for(user).enterprises_with(MANAGER_ROLES | PRINCIPAL_ROLES)
    return (
        restrict(Enterprise.objects.filter(pk__in=sorted(own)), user).filter(must_post_q()).order_by("name")
    )


# ---- commitments ---------------------------------------------------------------------------------------


def commitment_list(user: Any) -> QuerySet[SafetyCommitment]:
    return restrict(SafetyCommitment.objects.select_related("enterprise"), user)


def commitment_get(user: Any, pk: Any) -> SafetyCommitment:
    return get_scoped_or_404(SafetyCommitment.objects.select_related("enterprise", "posted_by"), user, pk=pk)


def required_enterprises(user: Any) -> QuerySet[Enterprise]:
    """Enterprises in scope that post the daily commitment."""
    return restrict(Enterprise.objects.all(), user).filter(must_post_q())


def _count_subquery(day: dt.date, condition: Q) -> Any:
    lo, hi = rules.day_bounds(day, county_tz())
    filings = (
        SpecialWork.objects.filter(condition, enterprise=OuterRef("pk"), start__lt=hi, end__gt=lo)
        .exclude(status=SpecialWorkStatus.CANCELLED)
        .order_by()
        .values("enterprise")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(filings, output_field=IntegerField()), Value(0))


COUNT_CONDITIONS: dict[str, Q] = {
    "hot_special": Q(work_type=rules.WorkType.HOT, grade=rules.WorkGrade.SPECIAL),
    "hot_one": Q(work_type=rules.WorkType.HOT, grade=rules.WorkGrade.ONE),
    "hot_two": Q(work_type=rules.WorkType.HOT, grade=rules.WorkGrade.TWO),
    "confined_space": Q(work_type=rules.WorkType.CONFINED),
    "other_special": ~Q(work_type__in=[rules.WorkType.HOT, rules.WorkType.CONFINED]),
}


def day_board(user: Any, day: dt.date) -> QuerySet[Any]:
    """The regulator's day: every enterprise in scope that posts, annotated with its commitment of `day`
    (`c_id`, `c_posted_at`, `c_late`, `c_<count>`) and the counts of its filings that day (`f_<count>`),
    `mismatch` True when a posted commitment's counts differ from the filings now. Constant queries."""
    commitment = SafetyCommitment.objects.filter(enterprise=OuterRef("pk"), day=day)
    qs = (
        required_enterprises(user)
        .select_related("division")
        .annotate(
            c_id=Subquery(commitment.values("pk")[:1]),
            c_posted_at=Subquery(commitment.values("posted_at")[:1]),
            c_late=Subquery(commitment.values("late")[:1]),
            c_principal=Subquery(commitment.values("principal_name")[:1]),
            c_explanation=Subquery(commitment.values("explanation")[:1]),
        )
    )
    annotations: dict[str, Any] = {}
    for name, condition in COUNT_CONDITIONS.items():
        annotations[f"c_{name}"] = Subquery(commitment.values(name)[:1], output_field=IntegerField())
        annotations[f"f_{name}"] = _count_subquery(day, condition)
    qs = qs.annotate(**annotations)
    same = Q()
    for name in rules.COUNT_FIELDS:
        same &= Q(**{f"c_{name}": F(f"f_{name}")})
    return _with_mismatch(qs, same)


def _with_mismatch(qs: QuerySet[Any], same: Q) -> QuerySet[Any]:
    return qs.annotate(
        mismatch=Case(
            When(c_id__isnull=True, then=Value(False)),
            When(same, then=Value(False)),
            default=Value(True),
            output_field=BooleanField(),
        )
    )


def state_of(row: Any, day: dt.date, now: dt.datetime | None = None) -> str:
    """posted / late / missing / pending (today, before the deadline) for a `day_board` row."""
    if row.c_id is not None:
        return "late" if row.c_late else "posted"
    local = timezone.localtime(now or timezone.now(), county_tz())
    return "missing" if rules.deadline_passed(local, day, work_config.commitment_deadline()) else "pending"


def state_filter(qs: QuerySet[Any], value: str, day: dt.date) -> QuerySet[Any]:
    if value == "posted":
        return qs.filter(c_id__isnull=False, c_late=False)
    if value == "late":
        return qs.filter(c_id__isnull=False, c_late=True)
    if value in {"missing", "pending"}:
        local = timezone.localtime(timezone.now(), county_tz())
        passed = rules.deadline_passed(local, day, work_config.commitment_deadline())
        if (value == "missing") != passed:
            return qs.none()
        return qs.filter(c_id__isnull=True)
    return qs


def commitment_for(enterprise: Enterprise, day: dt.date) -> SafetyCommitment | None:
    """The enterprise's commitment of `day` (the caller reached the enterprise through a selector or its
    board token)."""
    return SafetyCommitment.objects.filter(enterprise=enterprise, day=day).first()


def board_by_token(user: Any, token: str) -> CommitmentBoard:
    """The board of a token. Signed out (the gate screen, a visitor's phone): any valid token. Signed in:
    only a board in the user's scope — a token never widens what an account may read."""
    if not token or len(token) > 64:
        raise Http404
    board = CommitmentBoard.objects.select_related("enterprise").filter(token=token).first()
    if board is None:
        raise Http404
    if (
        getattr(user, "is_authenticated", False)
        and not restrict(Enterprise.objects.filter(pk=board.enterprise_id), user).exists()
    ):
        raise Http404
    return board


def board_of(user: Any, enterprise: Enterprise) -> CommitmentBoard | None:
    return restrict(CommitmentBoard.objects.filter(enterprise=enterprise), user).first()
