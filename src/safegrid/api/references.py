"""Objects named by id in a request body, looked up through the user's selectors.

    refs = References(user)
    unit = refs.get("org_unit", org_unit_get, payload.org_unit)
    post = refs.get("responsible_post", org_unit_get, payload.responsible_post)
    refs.raise_if_any()          # 422 naming every field whose object the user cannot see

An id the user cannot see is refused as a 422 naming the field, without saying whether it exists (a
path parameter out of scope is a 404 instead: that is the object the request is about). Whether the
object fits (same enterprise, right kind) is the model's or the service's rule, checked on save.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

NOT_VISIBLE = "不存在或无权访问"


class References:
    def __init__(self, user: Any) -> None:
        self.user = user
        self.errors: dict[str, list[str]] = {}

    def get(self, field: str, getter: Callable[[Any, Any], Any], value: Any) -> Any:
        """The object `getter(user, value)` returns, or None (and an error for `field`) when it is a 404."""
        if value is None:
            return None
        try:
            return getter(self.user, value)
        except Http404:
            self.errors.setdefault(field, []).append(NOT_VISIBLE)
            return None

    def resolve(self, data: dict[str, Any], getters: dict[str, Callable[[Any, Any], Any]]) -> None:
        """Replace each id in `data` named in `getters` by its object (keys absent from `data` stay absent)."""
        for field, getter in getters.items():
            if field in data:
                data[field] = self.get(field, getter, data[field])

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
