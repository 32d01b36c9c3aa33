"""The role-dependent navigation menu. Apps register entries; the shell renders them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import get_language

from .scoping import Scope, scope_for


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str = ""
    group: str | Promise = ""
    visible: Callable[[Scope], bool] = lambda scope: True
    order: int = 100  # lower comes first; groups appear in the order of their first item


_ITEMS: list[NavItem] = []  # kept in menu order


def register(*items: NavItem) -> None:
    """Add entries; registering the same url_name again replaces the earlier entry."""
    names = {i.url_name for i in items}
    _ITEMS[:] = sorted([*(i for i in _ITEMS if i.url_name not in names), *items], key=lambda i: i.order)
    _MENUS.clear()


def autodiscover() -> None:
    """Import every installed app's `navigation` and `panels` modules so their register() calls run."""
    from importlib import import_module

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    for config in apps.get_app_configs():
        for module in ("navigation", "panels"):
            if module_has_submodule(config.module, module):
                import_module(f"{config.name}.{module}")


Menu = list[dict[str, Any]]

# Built menus by (language, script prefix, the visible entries): every page draws the menu, and its
# reverse() and translated labels are the same for everyone who sees the same entries.
_MENUS: dict[tuple[str, str, tuple[str, ...]], Menu] = {}


def menu_for(user: Any) -> Menu:
    """The user's menu: groups of {label, url, icon}, in order. Shared between users — do not mutate."""
    scope = scope_for(user)
    visible = tuple(item.url_name for item in _ITEMS if user.is_superuser or item.visible(scope))
    key = (get_language() or "", get_script_prefix(), visible)
    menu = _MENUS.get(key)
    if menu is None:
        if len(_MENUS) > 1000:  # bounded: languages × the role combinations in use
            _MENUS.clear()
        menu = _MENUS[key] = _build(visible)
    return menu


def _build(visible: tuple[str, ...]) -> Menu:
    by_name = {item.url_name: item for item in _ITEMS}
    groups: dict[str, list[dict[str, str]]] = {}
    for name in visible:
        item = by_name[name]
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        groups.setdefault(str(item.group), []).append(
            {"label": str(item.label), "url": url, "icon": item.icon}
        )
    return [{"group": g, "items": items} for g, items in groups.items()]
