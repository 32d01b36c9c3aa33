"""limit/offset pagination with a total, in two queries (count + page) whatever the page size."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from .schemas import PageParams


def paginate(queryset: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    total = queryset.count()
    items: list[Model] = list(queryset[params.offset : params.offset + params.limit]) if total else []
    return {"items": items, "total": total, "limit": params.limit, "offset": params.offset}
