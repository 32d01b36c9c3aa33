"""The four-colour map's "open major hidden hazards" layer (registered with `risks.map_layers`).

Hazards sit above risks, so the map (risks) cannot import them: `HazardsConfig.ready` registers this
layer, and the map fetches `/hazards/map/major-hazards.json?division=<code>` when it draws a division.
A marker per enterprise with open major hazards, at the enterprise's location; its tooltip lists the
hazards with their deadline (and days overdue) and listed-supervision state; a click opens the hazard
(or the enterprise's open major hazards when there are several). Scoped by the hazard selector; a
division the user cannot see is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from safegrid.core.scoping import scope_for
from safegrid.regions.selectors import division_get
from safegrid.risks import map_layers

from . import selectors
from .choices import OPEN_STATUSES, HazardLevel
from .rules.closure import days_overdue

MAX_ITEMS = 300
MAX_LINES = 5


def _visible(user: Any) -> bool:
    scope = scope_for(user)
    return bool(scope.is_government or scope.own_enterprise_ids or scope.superuser)


def register() -> None:
    map_layers.register(
        map_layers.MapLayer(
            key="major-hazards",
            label=_("未销号重大隐患"),
            url_name="hazards:map_major",
            colour="#d63939",
            symbol="pin",
            order=10,
            visible=_visible,
        )
    )


def _supervision(hazard: Any) -> str:
    listed = getattr(hazard, "supervision", None)
    if listed is None:
        return gettext("未挂牌督办")
    if listed.signed_off_at is not None:
        return gettext("挂牌督办已解除（%(number)s）") % {"number": listed.document_number}
    return gettext("%(level)s挂牌督办 %(number)s") % {
        "level": listed.get_level_display(),
        "number": listed.document_number,
    }


def _deadline(hazard: Any, today: Any) -> str:
    if hazard.deadline is None:
        return gettext("未定整改期限")
    late = days_overdue(hazard.deadline, today, closed=False)
    text = gettext("期限 %(day)s") % {"day": hazard.deadline.isoformat()}
    return text + (gettext("（逾期 %(n)s 天）") % {"n": late} if late else "")


@require_safe
@login_required
def major_hazards_json(request: HttpRequest) -> JsonResponse:
    user = request.user
    code = request.GET.get("division", "")
    hazards = selectors.hazard_list(user).filter(level=HazardLevel.MAJOR, status__in=sorted(OPEN_STATUSES))
    if code:
        if not (code.isascii() and code.isdigit() and len(code) <= 12):
            raise Http404(gettext("不存在或无权查看"))
        division = division_get(user, code)  # 404 when out of scope
        hazards = hazards.filter(enterprise__division__code__startswith=division.code)
    rows = list(hazards.select_related("supervision").order_by("deadline", "pk")[:MAX_ITEMS])
    today = timezone.localdate()
    by_enterprise: dict[int, list[Any]] = {}
    for hazard in rows:
        by_enterprise.setdefault(hazard.enterprise_id, []).append(hazard)
    markers, unplaced = [], 0
    for found in by_enterprise.values():
        enterprise = found[0].enterprise
        if enterprise.lat is None or enterprise.lon is None:
            unplaced += len(found)
            continue
        lines = [enterprise.name]
        for hazard in found[:MAX_LINES]:
            lines.append(
                f"· {hazard.title}：{_deadline(hazard, today)}，{hazard.get_status_display()}，{_supervision(hazard)}"
            )
        if len(found) > MAX_LINES:
            lines.append(gettext("…另 %(n)s 条") % {"n": len(found) - MAX_LINES})
        url = (
            reverse("hazards:detail", args=[found[0].pk])
            if len(found) == 1
            else f"{reverse('hazards:list')}?enterprise={enterprise.pk}&level=major"
        )
        markers.append(
            {
                "name": enterprise.name,
                "lat": enterprise.lat,
                "lon": enterprise.lon,
                "url": url,
                "lines": lines,
            }
        )
    items = [
        {
            "text": hazard.title,
            "note": f"{hazard.enterprise.name} · {_deadline(hazard, today)} · {_supervision(hazard)}",
            "url": reverse("hazards:detail", args=[hazard.pk]),
        }
        for hazard in rows
    ]
    return JsonResponse(
        {"markers": markers, "items": items, "unplaced": unplaced},
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
