"""{{ value|rate }}: a statistics percentage ("—" when there is nothing to divide by); {{ value|days }}."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()

NO_DATA = "—"


@register.filter
def rate(value: Decimal | None) -> str:
    return NO_DATA if value is None else f"{value}%"


@register.filter
def days(value: Decimal | None) -> str:
    return NO_DATA if value is None else f"{value}"


@register.filter
def get_item(mapping: object, key: str) -> object:
    """mapping[key], or None (for the level × state table)."""
    return mapping.get(key) if isinstance(mapping, dict) else None
