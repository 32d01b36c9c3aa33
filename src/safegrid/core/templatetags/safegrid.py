"""Template helpers of the UI shell: icons, active navigation, role labels and status badges."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from safegrid.core.choices import Role
from safegrid.core.scoping import scope_for

register = template.Library()

# Short names used in templates and menus -> Tabler Icons (npm @tabler/icons) outline file names.
_ICON_ALIASES = {
    "grid": "layout-grid",
    "alert": "alert-triangle",
    "department": "building-bank",
    "chart": "chart-bar",
}


@lru_cache(maxsize=256)
def _icon_svg(name: str) -> str:
    """The icon's SVG markup from the installed Tabler Icons package (settings.SAFEGRID_ICON_DIR)."""
    path = Path(settings.SAFEGRID_ICON_DIR) / f"{_ICON_ALIASES.get(name, name)}.svg"
    if "/" in name or not path.is_file():
        return ""
    svg = path.read_text(encoding="utf-8")
    return re.sub(r'class="[^"]*"', 'class="{css}" aria-hidden="true"', svg, count=1)


@register.simple_tag
def icon(name: str, css: str = "icon") -> SafeString:
    """An inline outline SVG icon; unknown names render nothing."""
    return mark_safe(_icon_markup(name, css))  # noqa: S308  # the installed package's SVG, css escaped


@lru_cache(maxsize=1024)
def _icon_markup(name: str, css: str) -> str:
    return _icon_svg(name).replace("{css}", html.escape(css))


@register.simple_tag(takes_context=True)
def nav_active(context: template.Context, url: str) -> str:
    """'active' when the current page is `url` or below it (the home page only matches itself)."""
    request = context.get("request")
    if request is None:
        return ""
    return "active" if _is_active(request.path, url) else ""


def _is_active(path: str, url: str) -> bool:
    if url == "/":
        return path == "/"
    return path == url or path.startswith(url.rstrip("/") + "/")


@register.simple_tag(takes_context=True)
def sidebar_menu(context: template.Context, menu: list[dict[str, Any]]) -> SafeString:
    """The sidebar's entries (`core.navigation.menu_for`), the current page's marked active. Built here
    rather than by a template loop: every page draws some fifty entries, each several template nodes."""
    request = context.get("request")
    path = request.path if request is not None else None
    parts = []
    for group in menu:
        if group["group"]:
            parts.append(_group_html(group["group"]))
        for item in group["items"]:
            active = path is not None and _is_active(path, item["url"])
            parts.append(_item_html(item["url"], item["label"], item["icon"], active))
    # Labels and URLs escaped above; the icons are the installed package's SVG.
    return mark_safe("".join(parts))  # noqa: S308


@lru_cache(maxsize=64)
def _group_html(label: str) -> str:
    return f'<li class="nav-item sg-nav-group">{html.escape(label)}</li>'


@lru_cache(maxsize=4096)
def _item_html(url: str, label: str, icon_name: str, active: bool) -> str:
    mark = ""
    if icon_name:
        mark = f'<span class="nav-link-icon d-md-none d-lg-inline-block">{_icon_markup(icon_name, "icon")}</span>'
    return (
        f'<li class="nav-item"><a class="nav-link{" active" if active else ""}" href="{html.escape(url)}">{mark}'
        f'<span class="nav-link-title">{html.escape(label)}</span></a></li>'
    )


@register.simple_tag
def user_roles(user: Any) -> str:
    """The user's roles as Chinese labels, joined for the header."""
    scope = scope_for(user)
    labels = [str(Role(r).label) for r in sorted(scope.roles) if r in Role.values]
    if not labels and getattr(user, "is_superuser", False):
        labels = [_("超级管理员")]
    return "、".join(labels)


_STATUS_CSS = {
    "operating": "bg-green-lt text-green",
    "suspended": "bg-orange-lt text-orange",
    "closed": "bg-secondary-lt",
    "zombie": "bg-secondary-lt",
}


@register.simple_tag
def status_badge(value: str, label: str) -> SafeString:
    """An enterprise status badge (colour plus the label)."""
    return format_html('<span class="badge {}">{}</span>', _STATUS_CSS.get(value, "bg-secondary-lt"), label)
