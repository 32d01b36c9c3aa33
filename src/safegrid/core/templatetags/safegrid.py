"""Template helpers of the UI shell: icons, active navigation, role labels and status badges."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django import template
from django.conf import settings
from django.utils.html import escape, format_html
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
    svg = _icon_svg(name)
    # The markup comes from the installed icon package, never from user input.
    return mark_safe(svg.replace("{css}", escape(css)))  # noqa: S308


@register.simple_tag(takes_context=True)
def nav_active(context: template.Context, url: str) -> str:
    """'active' when the current page is `url` or below it (the home page only matches itself)."""
    request = context.get("request")
    if request is None:
        return ""
    path = request.path
    if url == "/":
        return "active" if path == "/" else ""
    return "active" if path == url or path.startswith(url.rstrip("/") + "/") else ""


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
