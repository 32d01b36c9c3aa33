"""Panels other apps add to a page they do not own (e.g. the risk summary on the enterprise page).

The enterprises app must not import risks (risks builds on enterprises), yet the enterprise page should show
the register's state. A page names a slot; apps register functions for it in their `panels` module (imported
by `navigation.autodiscover()`); each function returns rendered HTML or None (nothing to show for this user).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

PanelFunction = Callable[[HttpRequest, Any], str | None]

_PANELS: dict[str, list[tuple[int, PanelFunction]]] = {}


def register(slot: str, order: int = 100) -> Callable[[PanelFunction], PanelFunction]:
    def decorator(function: PanelFunction) -> PanelFunction:
        entries = [e for e in _PANELS.get(slot, []) if e[1].__qualname__ != function.__qualname__]
        _PANELS[slot] = sorted([*entries, (order, function)], key=lambda e: e[0])
        return function

    return decorator


def render(slot: str, request: HttpRequest, obj: Any) -> list[SafeString]:
    """The slot's panels for this request, in order; each function does its own scoped reads."""
    html = (function(request, obj) for _order, function in _PANELS.get(slot, []))
    return [mark_safe(part) for part in html if part]  # noqa: S308 - rendered by Django templates
