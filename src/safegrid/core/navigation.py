"""The role-dependent navigation menu. Apps register entries; the shell renders them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from .scoping import Scope, scope_for


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = ""
    group: str = ""
    visible: Callable[[Scope], bool] = lambda scope: True


_ITEMS: list[NavItem] = []


def register(*items: NavItem) -> None:
    _ITEMS.extend(items)


def menu_for(user: Any) -> list[dict[str, Any]]:
    scope = scope_for(user)
    groups: dict[str, list[dict[str, str]]] = {}
    for item in _ITEMS:
        if not (user.is_superuser or item.visible(scope)):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        groups.setdefault(item.group, []).append({"label": str(item.label), "url": url, "icon": item.icon})
    return [{"group": g, "items": items} for g, items in groups.items()]
