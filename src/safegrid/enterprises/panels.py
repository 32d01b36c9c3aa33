"""What enterprises adds to core's pages: the home cards, search results, and where its staff land."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from safegrid.core.navigation import register_landing
from safegrid.core.panels import register
from safegrid.core.scoping import scope_for

from . import selectors

SEARCH_LIMIT = 20


@register_landing(order=10)
def enterprise_staff_landing(user: Any) -> str | None:
    """Enterprise staff land on their own enterprise instead of the county overview."""
    scope = scope_for(user)
    if not scope.is_government and scope.own_enterprise_ids:
        return reverse("enterprises:enterprise_detail", args=[min(scope.own_enterprise_ids)])
    return None


@register("home", order=10)
def home_overview(request: HttpRequest, today: dt.date) -> str:
    numbers = selectors.home_numbers(request.user, today)
    chart_data: dict[str, Any] = {
        key: {
            "names": [r["name"] for r in numbers[rows]],
            "counts": [r["count"] for r in numbers[rows]],
            "codes": [r["code"] for r in numbers[rows]],
        }
        for key, rows in (("sector", "by_sector"), ("town", "by_town"))
    }
    chart_data["listUrl"] = reverse("enterprises:enterprise_list")
    context = {**numbers, "chart_data": chart_data}
    return render_to_string("enterprises/panels/_home.html", context, request=request)


@register("search", order=10)
def search_enterprises(request: HttpRequest, term: str) -> str:
    found = list(
        selectors.enterprise_list(request.user)
        .filter(Q(name__icontains=term) | Q(uscc__icontains=term.upper()))
        .order_by("name")[:SEARCH_LIMIT]
    )
    context = {"enterprises": found, "limit": SEARCH_LIMIT, "search_q": term}
    return render_to_string("enterprises/panels/_search_enterprises.html", context, request=request)


@register("search", order=20)
def search_people(request: HttpRequest, term: str) -> str:
    found = list(
        selectors.person_list(request.user).filter(name__icontains=term).order_by("name")[:SEARCH_LIMIT]
    )
    context = {"people": found, "limit": SEARCH_LIMIT}
    return render_to_string("enterprises/panels/_search_people.html", context, request=request)
