"""Scoped reads of the self-report (自查自报): reports in scope, the enterprises that have not reported a
period past its due date (逾期未报), the current periods of an enterprise, and the home page's counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from safegrid.core.scoping import get_scoped_or_404, restrict
from safegrid.enterprises.models import Enterprise

from . import config
from .models_selfreport import HazardSelfReport, SelfReportStatus
from .rules import selfreport as rules
from .selfreports import REPORTING_STATUSES, must_report


def report_list(user: Any) -> QuerySet[HazardSelfReport]:
    return restrict(HazardSelfReport.objects.select_related("enterprise"), user)


def report_get(user: Any, pk: Any) -> HazardSelfReport:
    return get_scoped_or_404(
        HazardSelfReport.objects.select_related("enterprise", "signed_by", "reviewed_by", "prepared_by"),
        user,
        pk=pk,
    )


def period_q(period: rules.Period, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}period_kind": period.kind,
            f"{prefix}year": period.year,
            f"{prefix}quarter": period.quarter,
        }
    )


def _reported(period: rules.Period) -> Exists:
    """A report of the period was submitted at least once (a returned one was reported in time or not)."""
    return Exists(
        HazardSelfReport.objects.filter(
            period_q(period), enterprise=OuterRef("pk"), first_submitted_at__isnull=False
        )
    )


def required_enterprises(user: Any, period: rules.Period) -> QuerySet[Enterprise]:
    """Enterprises in scope that must report `period` (see `rules.selfreport.must_report`)."""
    qs = restrict(Enterprise.objects.all(), user) if user is not None else Enterprise.objects.all()
    start = config.self_report_start()
    if start is not None and period.end < start:
        return qs.none()
    registered_by = dt.datetime.combine(
        period.end + dt.timedelta(days=1), dt.time.min, timezone.get_current_timezone()
    )
    return qs.filter(status__in=REPORTING_STATUSES, created_at__lt=registered_by)


def missing(user: Any, period: rules.Period, today: dt.date | None = None) -> QuerySet[Enterprise]:
    """Enterprises in scope that have not reported `period` by its due date (empty before it passes)."""
    day = today or timezone.localdate()
    qs = required_enterprises(user, period)
    if not rules.is_overdue(period, day, config.deadlines()):
        return qs.none()
    return qs.exclude(_reported(period))


def unreported(user: Any, period: rules.Period) -> QuerySet[Enterprise]:
    """Enterprises in scope that must report `period` and have not yet (due or not)."""
    return required_enterprises(user, period).exclude(_reported(period))


@dataclass(frozen=True)
class PeriodRow:
    """One period on the enterprise's page: its report (if generated), due date and where it stands."""

    period: rules.Period
    due: dt.date
    report: HazardSelfReport | None
    overdue: bool  # not reported and past the due date
    days_left: int  # to the due date (negative once past)

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def reported(self) -> bool:
        return self.report is not None and self.report.first_submitted_at is not None


def enterprise_periods(enterprise: Enterprise, today: dt.date | None = None) -> list[PeriodRow]:
    """The enterprise's current periods (the last ended quarter; the last year until its due date) and
    every earlier period it must report and has not (late), newest first."""
    day = today or timezone.localdate()
    deadlines = config.deadlines()
    wanted = set(rules.current_periods(day, deadlines))
    reports = {
        r.period: r
        for r in HazardSelfReport.objects.filter(enterprise=enterprise).order_by("-period_end")[:40]
    }
    for period in rules.due_periods(day):
        report = reports.get(period)
        if (report is None or report.first_submitted_at is None) and must_report(enterprise, period):
            wanted.add(period)
    rows = []
    for period in sorted(wanted, key=lambda p: (p.end, p.kind == rules.YEAR), reverse=True):
        if not must_report(enterprise, period):
            continue
        due = rules.due_date(period, deadlines)
        report = reports.get(period)
        reported = report is not None and report.first_submitted_at is not None
        rows.append(PeriodRow(period, due, report, not reported and day > due, (due - day).days))
    return rows


def to_receive_count(user: Any) -> int:
    return report_list(user).filter(status=SelfReportStatus.SUBMITTED).count()


def period_choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    return [(p.key, p.label) for p in rules.due_periods(today or timezone.localdate())]
