"""What hazards adds to the home page: today's to-dos (overdue hazards, hazards waiting for this user's
confirmation or acceptance, major hazards awaiting a regulator's close-out, major-hazard reports to sign for
and on-site reviews due, inspection checks due) and a
short picture of the hazards in the user's area (open, overdue, major; a worker's checks due now)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safegrid.core import todos
from safegrid.core.panels import register
from safegrid.core.scoping import scope_for
from safegrid.enterprises import selectors as ent_selectors

from . import config, inspection_selectors, selectors, selectors_major, selfreport_selectors
from .choices import HazardLevel, HazardStatus
from .config import deadlines
from .permissions import (
    MANAGER_ROLES,
    PRINCIPAL_ROLES,
    REGULATOR_ROLES,
    SELF_REPORT_PREPARER_ROLES,
    SELF_REPORT_SIGNER_ROLES,
    SUPERVISOR_ROLES,
)
from .rules import selfreport as selfreport_rules

CHECKS_SHOWN = 5


def _counts(user: Any, today: dt.date) -> dict[str, int]:
    """Every hazard count the home page needs, in one aggregate query over the user's scope."""
    return (
        selectors.hazard_list(user)
        .order_by()
        .aggregate(
            overdue=Count("pk", filter=selectors.overdue_q(today)),
            reported=Count("pk", filter=Q(status=HazardStatus.REPORTED)),
            rectifying=Count("pk", filter=Q(status=HazardStatus.RECTIFYING)),
            awaiting_general=Count(
                "pk", filter=Q(status=HazardStatus.AWAITING_ACCEPTANCE, level=HazardLevel.GENERAL)
            ),
            awaiting_major=Count(
                "pk", filter=Q(status=HazardStatus.AWAITING_ACCEPTANCE, level=HazardLevel.MAJOR)
            ),
            extension_general=Count(
                "pk", filter=Q(status=HazardStatus.EXTENSION_REQUESTED, level=HazardLevel.GENERAL)
            ),
            extension_major=Count(
                "pk", filter=Q(status=HazardStatus.EXTENSION_REQUESTED, level=HazardLevel.MAJOR)
            ),
            major_rectifying=Count("pk", filter=Q(level=HazardLevel.MAJOR, status=HazardStatus.RECTIFYING)),
            # the major-hazard steps (one-to-one joins: no row is counted twice)
            major_unreported=Count("pk", filter=selectors_major.major_step_q("unreported", today)),
            report_unacknowledged=Count("pk", filter=selectors_major.major_step_q("unacknowledged", today)),
            review_pending=Count("pk", filter=selectors_major.major_step_q("review_pending", today)),
            review_overdue=Count("pk", filter=selectors_major.major_step_q("review_overdue", today)),
        )
    )


def _cached_counts(request: HttpRequest, today: dt.date) -> dict[str, int]:
    """The counts once per request (the to-dos and the picture both read them)."""
    cached = getattr(request, "_hazard_home_counts", None)
    if cached is None:
        cached = _counts(request.user, today)
        request._hazard_home_counts = cached  # type: ignore[attr-defined]
    return cached


@todos.register(order=20)
def hazard_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    user: Any = request.user
    scope = scope_for(user)
    regulator = scope.superuser or scope.has_role(*REGULATOR_ROLES)
    managed = scope.enterprises_with(MANAGER_ROLES)
    principal = scope.enterprises_with(PRINCIPAL_ROLES)
    checks = bool(scope.own_enterprise_ids or scope.grid_ids)
    if not (regulator or managed or principal or checks):
        return []
    found: list[todos.Todo] = []
    listing = reverse("hazards:list")
    if regulator or managed or principal:
        counts = _cached_counts(request, today)
        found.append(
            todos.Todo(
                _("隐患已超过整改期限"),
                counts["overdue"],
                reverse("hazards:overdue"),
                todos.Urgency.OVERDUE,
                "alert-triangle",
                hint=_("督促整改，必要时申请延期"),
            )
        )
        if managed:
            found.append(
                todos.Todo(
                    _("重大隐患尚未报告监管部门"),
                    counts["major_unreported"],
                    f"{listing}?major=unreported",
                    todos.Urgency.TODAY,
                    "alert-octagon",
                    hint=_("报告现状及原因、危害程度和整改难易程度、治理方案"),
                )
            )
            found += [
                todos.Todo(
                    _("隐患待确认"), counts["reported"], f"{listing}?status=reported", icon="alert-triangle"
                ),
                todos.Todo(
                    _("一般隐患整改完成待验收"),
                    counts["awaiting_general"],
                    f"{listing}?status=awaiting&level=general",
                    icon="clipboard-check",
                ),
            ]
        if principal:
            found.append(
                todos.Todo(
                    _("一般隐患延期申请待审批"),
                    counts["extension_general"],
                    f"{listing}?status=extension&level=general",
                    icon="clock",
                )
            )
        if regulator:
            found += [
                todos.Todo(
                    _("重大隐患整改完成待监管部门验收销号"),
                    counts["awaiting_major"],
                    f"{listing}?status=awaiting&level=major",
                    icon="clipboard-check",
                ),
                todos.Todo(
                    _("重大隐患延期申请待审批"),
                    counts["extension_major"],
                    f"{listing}?status=extension&level=major",
                    icon="clock",
                ),
            ]
            if scope.superuser or scope.has_role(*SUPERVISOR_ROLES):
                found += _major_regulator_todos(counts, listing)
    if checks:
        due = inspection_selectors.my_check_counts(user)
        url = reverse("hazards:my_checks")
        found += [
            todos.Todo(
                _("检查任务已过检查时段"),
                due["overdue"],
                url,
                todos.Urgency.OVERDUE,
                "checklist",
                hint=_("宽限期内仍可补检"),
            ),
            todos.Todo(_("检查任务待完成"), due["due"], url, todos.Urgency.TODAY, "checklist"),
        ]
    return found


def _major_regulator_todos(counts: dict[str, int], listing: str) -> list[todos.Todo]:
    """County and sector-department officers: reports of major hazards to sign for; applications to resume
    whose on-site review is due, and those past the review deadline (day 11 onwards by default)."""
    return [
        todos.Todo(
            _("重大隐患恢复生产现场审查已超期"),
            counts["review_overdue"],
            f"{listing}?major=review_overdue",
            todos.Urgency.OVERDUE,
            "building-factory",
            hint=_("收到恢复生产申请后 %(n)s 日内现场审查") % {"n": deadlines().review_days},
        ),
        todos.Todo(
            _("重大隐患恢复生产申请待现场审查"),
            counts["review_pending"] - counts["review_overdue"],
            f"{listing}?major=review_pending",
            todos.Urgency.SOON,
            "building-factory",
        ),
        todos.Todo(
            _("重大隐患报告待签收"),
            counts["report_unacknowledged"],
            f"{listing}?major=unacknowledged",
            todos.Urgency.TODAY,
            "mail-opened",
        ),
    ]


@register("home", order=30)
def home_hazards(request: HttpRequest, today: dt.date) -> str | None:
    """Regulators and enterprise staff: the hazards under rectification, overdue and major ones; a post
    worker: the checks due now (the first few, then a link to all)."""
    user: Any = request.user
    picture = todos.area(scope_for(user))
    if picture == "post":
        mine = inspection_selectors.my_checks(user, timezone.now())
        context = {
            "checks": (mine.overdue + mine.due)[:CHECKS_SHOWN],
            "total": len(mine.overdue) + len(mine.due),
        }
        return render_to_string("hazards/panels/_home_checks.html", context, request=request)
    if picture in ("county", "town", "enterprise"):
        context = {"counts": _cached_counts(request, today)}
        return render_to_string("hazards/panels/_home.html", context, request=request)
    return None


@todos.register(order=25)
def self_report_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    """The self-report (自查自报): an enterprise's periods to sign and submit; a regulator's reports to
    receive and the enterprises that missed the latest quarter's due date."""
    user: Any = request.user
    scope = scope_for(user)
    found: list[todos.Todo] = []
    url = reverse("hazards:self_reports")
    own = scope.enterprises_with(SELF_REPORT_PREPARER_ROLES | SELF_REPORT_SIGNER_ROLES)
    if own:
        rows = [
            row
            for enterprise in ent_selectors.enterprise_list(user).filter(pk__in=sorted(own))
            for row in selfreport_selectors.enterprise_periods(enterprise, today)
            if not row.reported and row.period.end < today
        ]
        overdue = sum(1 for row in rows if row.overdue)
        soon = [row for row in rows if not row.overdue]
        urgent = any(row.days_left <= 3 for row in soon)
        found += [
            todos.Todo(_("自查自报已过截止日未报送"), overdue, url, todos.Urgency.OVERDUE, "file-alert"),
            todos.Todo(
                _("本季度自查自报待提交"),
                len(soon),
                url,
                todos.Urgency.TODAY if urgent else todos.Urgency.SOON,
                "file-certificate",
                hint=_("主要负责人签署后报送监管部门"),
            ),
        ]
    if scope.superuser or scope.has_role(*REGULATOR_ROLES):
        period = selfreport_rules.latest_overdue(today, selfreport_rules.QUARTER, config.deadlines())
        missing = selfreport_selectors.missing(user, period, today).count()
        found += [
            todos.Todo(
                _("待查收的自查自报"),
                selfreport_selectors.to_receive_count(user),
                f"{url}?status=submitted",
                todos.Urgency.TODAY,
                "file-certificate",
            ),
            todos.Todo(
                _("自查自报逾期未报"),
                missing,
                f"{reverse('hazards:self_reports_missing')}?period={period.key}",
                todos.Urgency.OVERDUE,
                "file-alert",
                hint=period.label,
            ),
        ]
    return found


@register("enterprise_detail", order=40)
def enterprise_national_panel(request: HttpRequest, enterprise: Any) -> str | None:
    """The way to the national-format page for the enterprise's managers and its regulators."""
    from .permissions import can_national_export

    if not can_national_export(request.user, enterprise.pk):
        return None
    return render_to_string(
        "hazards/panels/_enterprise_national.html", {"enterprise": enterprise}, request=request
    )
