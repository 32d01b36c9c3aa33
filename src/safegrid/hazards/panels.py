"""What hazards adds to the home page: today's to-dos (overdue hazards, hazards waiting for this user's
confirmation or acceptance, major hazards awaiting a regulator's close-out, inspection checks due) and a
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

from . import inspection_selectors, selectors
from .choices import HazardLevel, HazardStatus
from .permissions import MANAGER_ROLES, PRINCIPAL_ROLES, REGULATOR_ROLES

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


@register("enterprise_detail", order=40)
def enterprise_national_panel(request: HttpRequest, enterprise: Any) -> str | None:
    """The way to the national-format page for the enterprise's managers and its regulators."""
    from .permissions import can_national_export

    if not can_national_export(request.user, enterprise.pk):
        return None
    return render_to_string(
        "hazards/panels/_enterprise_national.html", {"enterprise": enterprise}, request=request
    )
