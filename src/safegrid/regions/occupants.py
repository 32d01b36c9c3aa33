"""What sits in a division or grid, as told by the apps above regions.

Regions is below enterprises in the layering, but its pages count and list the enterprises of a
division or grid. The enterprises app registers its scoped selector here when it loads (as apps
register panels and navigation with core), so regions never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

EnterpriseSelector = Callable[[Any], QuerySet[Any]]

_enterprises: list[EnterpriseSelector] = []


def register_enterprises(selector: EnterpriseSelector) -> None:
    """Called once by the enterprises app: `selector(user)` is the user's scoped enterprise queryset."""
    _enterprises[:] = [selector]


def enterprises_of(user: Any) -> QuerySet[Any]:
    """The enterprises the user may see (filter by `division__code__startswith` or `grid`)."""
    if not _enterprises:
        raise ImproperlyConfigured("safegrid.enterprises is not installed: no enterprise selector registered")
    return _enterprises[0](user)
