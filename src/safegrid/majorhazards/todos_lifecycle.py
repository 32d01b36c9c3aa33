"""The home page's to-dos of the major-hazard lifecycle (registered with core.todos; imported by
navigation.py): filings and deregistrations to review for the county's regulators; re-assessments due,
late filings and overdue drills/tests for the enterprise's managers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safegrid.core import todos
from safegrid.core.scoping import scope_for
from safegrid.hazards.permissions import MANAGER_ROLES

from .lifecycle_workflows import reviews_in
from .selectors import lifecycle as selectors


@todos.register(order=40)
def lifecycle_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    user: Any = request.user
    scope = scope_for(user)
    found: list[todos.Todo] = []
    if reviews_in(scope):
        found.append(
            todos.Todo(
                _("重大危险源备案、核销待审核"),
                selectors.to_review_count(user),
                reverse("majorhazards:lifecycle_review"),
                todos.Urgency.TODAY,
                "file-check",
                hint=_("准予备案或退回（写明理由）"),
            )
        )
    managed = scope.enterprises_with(MANAGER_ROLES)
    if managed:
        units = selectors.units(user).filter(enterprise_id__in=sorted(managed)).values_list("pk", flat=True)
        rows = selectors.due_rows(user, today, unit_ids=list(units))
        url = reverse("majorhazards:lifecycle_due")
        overdue = [r for r in rows if r.overdue]
        soon = [r for r in rows if not r.overdue]
        found += [
            todos.Todo(
                _("重大危险源备案、评估、演练或检测已逾期"),
                len(overdue),
                url,
                todos.Urgency.OVERDUE,
                "calendar-due",
                hint=_("重新评估、备案、应急演练、安全设施检测"),
            ),
            todos.Todo(
                _("重大危险源重新评估即将到期"),
                len(soon),
                f"{url}?kind=reassessment",
                todos.Urgency.SOON,
                "calendar-due",
                hint=_("每三年或发生变化时重新辨识评估并备案"),
            ),
        ]
    return found
