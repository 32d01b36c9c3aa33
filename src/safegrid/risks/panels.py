"""The risk register's summary on the enterprise page (slot "enterprise_detail")."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.template.loader import render_to_string

from safegrid.core.panels import register
from safegrid.enterprises.models import Enterprise

from . import permissions
from .choices import RiskLevel
from .selectors import filing as filing_selectors
from .selectors import points as selectors
from .views.filing import REGISTER_STATE_TEXT, STATE_CSS


@register("enterprise_detail", order=10)
def enterprise_risk_panel(request: HttpRequest, enterprise: Enterprise) -> str | None:
    user: Any = request.user
    points = selectors.risk_point_list(user).filter(enterprise=enterprise, active=True).order_by()
    counts = dict(points.values_list("level").annotate(n=Count("pk")).values_list("level", "n"))
    levels = [
        {"level": int(value), "label": label, "count": counts.get(value, 0)}
        for value, label in RiskLevel.choices
    ]
    filings = list(filing_selectors.filing_list(user).filter(enterprise=enterprise).order_by("-version")[:5])
    state = filing_selectors.register_state(filings, filing_selectors.current_revision(enterprise.pk))
    live = next((f for f in filings if f.status != "superseded"), None)
    context = {
        "enterprise": enterprise,
        "levels": levels,
        "unassessed": counts.get(None, 0),
        "total": sum(counts.values()),
        "state_text": REGISTER_STATE_TEXT[state],
        "state_css": STATE_CSS[state],
        "live_filing": live,
        "can_edit": permissions.can_edit_register(user, enterprise.pk),
        "can_file": permissions.can_edit_register(user, enterprise.pk)
        or permissions.can_sign_register(user, enterprise.pk),
    }
    return render_to_string("risks/panels/_enterprise.html", context, request=request)
