"""What enterprises adds to core's pages: the certificate to-dos, the home picture by role, search results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from safegrid.core import todos
from safegrid.core.panels import register
from safegrid.core.scoping import scope_for
from safegrid.regions import selectors as region_selectors
from safegrid.regions.models import Division

from . import selectors
from .choices import EnterpriseStatus

SEARCH_LIMIT = 20


def _picture(request: HttpRequest) -> str:
    return todos.area(scope_for(request.user))


def _expiry_counts(request: HttpRequest, today: dt.date) -> dict[str, int]:
    """The certificate expiry counts once per request (the to-dos and the picture both show them)."""
    cached = getattr(request, "_certificate_expiry_counts", None)
    if cached is None:
        cached = selectors.certificate_expiry_counts(request.user, today)
        request._certificate_expiry_counts = cached  # type: ignore[attr-defined]
    return cached


@todos.register(order=60)
def certificate_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    """Certificates in the user's scope that expired, or expire within the warning window."""
    if not _picture(request):
        return []
    counts = _expiry_counts(request, today)
    url = reverse("enterprises:certificate_attention")
    days = settings.SAFEGRID_EXPIRY_WARNING_DAYS
    return [
        todos.Todo(
            _("证照已过期，需复审或更换"),
            counts["expired"],
            f"{url}?expiry=expired",
            todos.Urgency.OVERDUE,
            "certificate",
        ),
        todos.Todo(
            _("证照即将到期"),
            counts["expiring"],
            f"{url}?expiry=expiring",
            todos.Urgency.SOON,
            "certificate",
            hint=ngettext("%(days)s 天内到期", "%(days)s 天内到期", days) % {"days": days},
        ),
    ]


@register("home", order=10)
def home_overview(request: HttpRequest, today: dt.date) -> str | None:
    """The area's picture: the county charts for county and sector regulators; a town's own enterprises by
    village; a grid worker's enterprises; the enterprise itself for its staff."""
    picture = _picture(request)
    if picture == "county":
        return _county(request, today)
    if picture == "town":
        return _town(request, today)
    if picture == "grid":
        return _grid(request)
    if picture == "enterprise":
        return _enterprise(request, today)
    return None


def _county(request: HttpRequest, today: dt.date) -> str:
    numbers = selectors.home_numbers(request.user, today, _expiry_counts(request, today))
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


def _town(request: HttpRequest, today: dt.date) -> str:
    user: Any = request.user
    enterprises = selectors.enterprise_list(user).order_by()
    status_counts = dict(enterprises.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    context = {
        "town_names": "、".join(
            Division.objects.filter(code__in=scope_for(user).division_codes)
            .order_by("code")
            .values_list("name", flat=True)
        ),
        "total": sum(status_counts.values()),
        "by_status": [
            {"value": value, "label": str(label), "count": status_counts.get(value, 0)}
            for value, label in EnterpriseStatus.choices
        ],
        "villages": selectors.village_rows(user),
        **{f"certificates_{k}": v for k, v in _expiry_counts(request, today).items()},
    }
    return render_to_string("enterprises/panels/_home_town.html", context, request=request)


GRID_LIMIT = 50


def _grid(request: HttpRequest) -> str:
    user: Any = request.user
    scope = scope_for(user)
    enterprises = selectors.enterprise_list(user).order_by("grid_id", "name", "pk")
    context = {
        "enterprises": list(enterprises[:GRID_LIMIT]),
        "total": enterprises.count(),
        "limit": GRID_LIMIT,
        "grids": list(
            region_selectors.grid_list(user).filter(pk__in=sorted(scope.grid_ids)).order_by("name")
        ),
    }
    return render_to_string("enterprises/panels/_home_grid.html", context, request=request)


def _enterprise(request: HttpRequest, today: dt.date) -> str:
    user: Any = request.user
    scope = scope_for(user)
    enterprises = list(
        selectors.enterprise_list(user).filter(pk__in=sorted(scope.enterprise_ids)).order_by("name", "pk")
    )
    people = dict(
        selectors.person_list(user)
        .filter(active=True, enterprise__in=[e.pk for e in enterprises])
        .order_by()
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    context = {
        "enterprises": [(e, people.get(e.pk, 0)) for e in enterprises],
        **{f"certificates_{k}": v for k, v in _expiry_counts(request, today).items()},
    }
    return render_to_string("enterprises/panels/_home_enterprise.html", context, request=request)


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
