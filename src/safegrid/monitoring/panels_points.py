"""The home page's to-do of monitoring points (imported by monitoring/panels.py): limit changes this user may
decide — requests in the enterprises where they hold an approving role, their own requests left out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safegrid.core import todos
from safegrid.core.scoping import scope_for

from .workflows_points import APPROVER_ROLES


@todos.register(order=55)
def limit_change_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    user: Any = request.user
    if not scope_for(user).enterprises_with(APPROVER_ROLES):
        return []
    from .views.limits import awaiting_decision

    return [
        todos.Todo(
            _("监测限值变更待审批"),
            awaiting_decision(user).count(),
            f"{reverse('monitoring:limit_changes')}?decide=yes",
            todos.Urgency.TODAY,
            "adjustments",
            hint=_("核对依据文件后批准或驳回；申请人不能审批自己的申请"),
        )
    ]
