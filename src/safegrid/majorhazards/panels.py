"""What the major-hazard-sources app adds to the home page: its to-dos (imported by navigation.autodiscover())."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safegrid.core import todos
from safegrid.core.scoping import scope_for
from safegrid.hazards.permissions import REGULATOR_ROLES

# ---- work: today's commitment --------------------------------------------------------------------------
from . import work_config
from .rules import work as work_rules
from .selectors import work as work_sel
from .services import work as work_services


@todos.register(order=27)
def commitment_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    """An enterprise's today's commitment not yet posted; a regulator's enterprises missing today's."""
    user: Any = request.user
    scope = scope_for(user)
    found: list[todos.Todo] = []
    deadline = work_config.commitment_deadline()
    passed = work_rules.deadline_passed(timezone.localtime(), today, deadline)
    if scope.enterprises_with(work_services.MANAGER_ROLES | work_services.PRINCIPAL_ROLES):
        unposted = work_sel.enterprises_posting(user).exclude(safety_commitments__day=today).count()
        found.append(
            todos.Todo(
                _("今日安全承诺公告未发布"),
                unposted,
                reverse("majorhazards:commitment_new"),
                todos.Urgency.OVERDUE if passed else todos.Urgency.TODAY,
                "speakerphone",
                hint=_("每日 %(time)s 前由主要负责人发布") % {"time": deadline.strftime("%H:%M")},
            )
        )
    if scope.superuser or scope.has_role(*REGULATOR_ROLES):
        missing = work_services.missing_enterprises(user, today).count()
        found.append(
            todos.Todo(
                _("未按时发布安全承诺公告的企业"),
                missing,
                f"{reverse('majorhazards:commitments')}?day={today.isoformat()}&state=missing",
                todos.Urgency.OVERDUE,
                "speakerphone",
            )
        )
    return found
