"""Reads of a major hazard's own records and of the enterprise's notice board, scoped to the user
(out of scope = 404); the major-hazard steps as filters (the list and the to-dos)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import get_scoped_or_404, restrict
from safegrid.enterprises import selectors as ent_selectors

from . import selectors
from .choices import HazardLevel, HazardStatus, MajorReportStatus, SuspensionStatus
from .models import (
    HiddenHazard,
    MajorHazardReport,
    MajorReportTransition,
    SuspensionOrder,
    SuspensionTransition,
    TreatmentPlan,
)
from .rules import major

NOTICE_STATUSES = (
    HazardStatus.CONFIRMED,
    HazardStatus.RECTIFYING,
    HazardStatus.EXTENSION_REQUESTED,
    HazardStatus.AWAITING_ACCEPTANCE,
)


def plan_versions(user: Any, hazard: HiddenHazard) -> list[TreatmentPlan]:
    """Every version of the hazard's treatment plan, newest first."""
    return list(restrict(TreatmentPlan.objects.filter(hazard=hazard).select_related("written_by"), user))


def report_of(user: Any, hazard: HiddenHazard) -> MajorHazardReport | None:
    return (
        restrict(MajorHazardReport.objects.filter(hazard=hazard), user)
        .select_related("plan", "submitted_by", "acknowledged_by")
        .prefetch_related("departments")
        .first()
    )


def suspension_of(user: Any, hazard: HiddenHazard) -> SuspensionOrder | None:
    return (
        restrict(SuspensionOrder.objects.filter(hazard=hazard), user)
        .select_related("ordered_by", "reviewed_by")
        .first()
    )


def suspension_get(user: Any, pk: Any) -> SuspensionOrder:
    return get_scoped_or_404(SuspensionOrder.objects.select_related("hazard"), user, pk=pk)


def major_timeline(user: Any, hazard: HiddenHazard) -> list[Any]:
    """The report's and the suspension's log rows, oldest first (shown beside the hazard's own)."""
    rows: list[Any] = [
        *restrict(MajorReportTransition.objects.filter(report__hazard=hazard), user),
        *restrict(SuspensionTransition.objects.filter(order__hazard=hazard), user),
    ]
    return sorted(rows, key=lambda r: (r.at, r.pk))


@dataclass(frozen=True)
class NoticeRow:
    hazard: HiddenHazard
    interim: str
    deadline: dt.date | None
    suspended_until: dt.date | None


def notice_board(user: Any, enterprise_id: Any) -> tuple[Any, list[NoticeRow]]:
    """The enterprise's open major hazards for its workers (公示栏): what, where, the interim measures,
    the rectification deadline and, when production is suspended, until when. Out of scope → 404."""
    enterprise = ent_selectors.enterprise_get(user, enterprise_id)
    hazards = (
        selectors.hazard_list(user)
        .filter(enterprise=enterprise, level=HazardLevel.MAJOR, status__in=NOTICE_STATUSES)
        .select_related("major_report", "suspension", "responsible_person")
        .order_by("deadline", "reported_at", "pk")
    )
    rows = []
    for hazard in hazards:
        report = getattr(hazard, "major_report", None)
        order = getattr(hazard, "suspension", None)
        interim = (
            major.interim_text(report.interim_measures, report.interim_other) if report is not None else ""
        )
        suspended = order is not None and order.status != SuspensionStatus.RESUMED
        rows.append(
            NoticeRow(
                hazard,
                interim or hazard.interim_measures,
                hazard.deadline,
                order.ends_on if suspended and order is not None else None,
            )
        )
    return enterprise, rows


def major_step_q(step: str, today: dt.date) -> Q:
    """Hazards at one point of the major-hazard steps (the list's filter and the to-dos' links)."""
    working = Q(level=HazardLevel.MAJOR, status__in=NOTICE_STATUSES)
    if step == "unreported":
        return working & Q(major_report__isnull=True)
    if step == "unacknowledged":
        return Q(major_report__status=MajorReportStatus.SUBMITTED)
    if step == "review_pending":
        return Q(suspension__status=SuspensionStatus.APPLIED)
    if step == "review_overdue":
        return Q(suspension__status=SuspensionStatus.APPLIED, suspension__review_due__lt=today)
    if step == "suspended":
        return Q(suspension__isnull=False) & ~Q(suspension__status=SuspensionStatus.RESUMED)
    raise ValueError(f"no major-hazard step {step!r}")


MAJOR_STEPS = (
    ("unreported", _("未报告监管部门")),
    ("unacknowledged", _("报告待签收")),
    ("review_pending", _("待现场审查")),
    ("review_overdue", _("现场审查超期")),
    ("suspended", _("停产停业整改中")),
)
