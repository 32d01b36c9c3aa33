"""The home page's to-dos of monitoring points (imported by monitoring/panels.py): limit changes and point
deactivations this user may decide — requests in the enterprises where they hold an approving role, their own
requests left out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safegrid.core import todos
from safegrid.core.scoping import scope_for

from .selectors import points as selectors
from .workflows_points import APPROVER_ROLES


@todos.register(order=55)
def limit_change_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    user: Any = request.user
    if not scope_for(user).enterprises_with(APPROVER_ROLES):
        return []
    return [
        todos.Todo(
            _("监测限值变更待审批"),
            selectors.limit_changes_to_decide(user).count(),
            f"{reverse('monitoring:limit_changes')}?decide=yes",
            todos.Urgency.TODAY,
            "adjustments",
            hint=_("核对依据文件后批准或驳回；申请人不能审批自己的申请"),
        )
    ]


@todos.register(order=56)
def deactivation_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    user: Any = request.user
    if not scope_for(user).enterprises_with(APPROVER_ROLES):
        return []
    return [
        todos.Todo(
            _("监测点位停用待审批"),
            selectors.deactivations_to_decide(user).count(),
            f"{reverse('monitoring:deactivations')}?decide=yes",
            todos.Urgency.TODAY,
            "plug-off",
            hint=_("停用后点位不再报警：核实原因后批准或驳回；申请人不能审批自己的申请"),
        )
    ]
