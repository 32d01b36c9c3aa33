"""The approvers' queue shared by the request lists (limit changes, point deactivations): `?decide=yes`, the
home page's to-do, keeps the requests this user may decide, and the page says how many wait."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from safegrid.core.lists import BoundFilter, Filter

# Applied in `filtered_queryset` (it needs the user), so the filter's own lookup changes nothing.
DECIDE_FILTER = Filter(
    "decide", _("待我审批"), lambda qs, value: qs, choices=lambda user: [("yes", _("是"))], hidden=True
)


class DecisionQueueMixin:
    """For a `ScopedListView` of requests that lists `DECIDE_FILTER` among its filters."""

    to_decide: ClassVar[Callable[[Any], QuerySet[Any]]]
    request: Any

    def filtered_queryset(self, bound: list[BoundFilter]) -> QuerySet[Any]:
        qs = super().filtered_queryset(bound)  # type: ignore[misc]
        if any(f.name == DECIDE_FILTER.name and f.value == "yes" for f in bound):
            qs = qs.filter(pk__in=type(self).to_decide(self.request.user).values("pk"))
        return qs

    def get_extra_context(self) -> dict[str, Any]:
        return {"to_approve": type(self).to_decide(self.request.user).count()}
