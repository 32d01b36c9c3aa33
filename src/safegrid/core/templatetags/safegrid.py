"""Template helpers of the UI shell: icons, active navigation, role labels and status badges."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from safegrid.core.choices import Role
from safegrid.core.scoping import scope_for

register = template.Library()

# Outline icons (Tabler Icons, MIT) as SVG path data, so no icon font or CDN is needed.
_ICONS: dict[str, str] = {
    "home": '<path d="M5 12l-2 0l9 -9l9 9l-2 0"/><path d="M5 12v7a2 2 0 0 0 2 2h10a2 2 0 0 0 2 -2v-7"/>'
    '<path d="M9 21v-6a2 2 0 0 1 2 -2h2a2 2 0 0 1 2 2v6"/>',
    "building": '<path d="M3 21l18 0"/><path d="M9 8l1 0"/><path d="M9 12l1 0"/><path d="M9 16l1 0"/>'
    '<path d="M14 8l1 0"/><path d="M14 12l1 0"/><path d="M14 16l1 0"/>'
    '<path d="M5 21v-16a2 2 0 0 1 2 -2h10a2 2 0 0 1 2 2v16"/>',
    "map": '<path d="M3 7l6 -3l6 3l6 -3v13l-6 3l-6 -3l-6 3v-13"/><path d="M9 4v13"/><path d="M15 7v13"/>',
    "grid": '<path d="M4 4h6v6h-6z"/><path d="M14 4h6v6h-6z"/><path d="M4 14h6v6h-6z"/><path d="M14 14h6v6h-6z"/>',
    "users": '<path d="M9 7m-4 0a4 4 0 1 0 8 0a4 4 0 1 0 -8 0"/><path d="M3 21v-2a4 4 0 0 1 4 -4h4a4 4 0 0 1 4 4v2"/>'
    '<path d="M16 3.13a4 4 0 0 1 0 7.75"/><path d="M21 21v-2a4 4 0 0 0 -3 -3.85"/>',
    "certificate": '<path d="M15 15m-3 0a3 3 0 1 0 6 0a3 3 0 1 0 -6 0"/><path d="M13 17.5v4.5l2 -1.5l2 1.5v-4.5"/>'
    '<path d="M10 19h-5a2 2 0 0 1 -2 -2v-10c0 -1.1 .9 -2 2 -2h14a2 2 0 0 1 2 2v3"/><path d="M6 9l12 0"/>'
    '<path d="M6 12l3 0"/><path d="M6 15l2 0"/>',
    "alert": '<path d="M12 9v4"/><path d="M10.363 3.591l-8.106 13.534a1.914 1.914 0 0 0 1.636 2.871h16.214a1.914 '
    '1.914 0 0 0 1.636 -2.87l-8.106 -13.536a1.914 1.914 0 0 0 -3.274 0z"/><path d="M12 16h.01"/>',
    "sitemap": '<path d="M3 15m0 2a2 2 0 0 1 2 -2h2a2 2 0 0 1 2 2v2a2 2 0 0 1 -2 2h-2a2 2 0 0 1 -2 -2z"/>'
    '<path d="M15 15m0 2a2 2 0 0 1 2 -2h2a2 2 0 0 1 2 2v2a2 2 0 0 1 -2 2h-2a2 2 0 0 1 -2 -2z"/>'
    '<path d="M9 3m0 2a2 2 0 0 1 2 -2h2a2 2 0 0 1 2 2v2a2 2 0 0 1 -2 2h-2a2 2 0 0 1 -2 -2z"/>'
    '<path d="M6 15v-1a2 2 0 0 1 2 -2h8a2 2 0 0 1 2 2v1"/><path d="M12 9l0 3"/>',
    "department": '<path d="M3 21l18 0"/><path d="M3 10l18 0"/><path d="M5 6l7 -3l7 3"/><path d="M4 10l0 11"/>'
    '<path d="M20 10l0 11"/><path d="M8 14l0 3"/><path d="M12 14l0 3"/><path d="M16 14l0 3"/>',
    "history": '<path d="M12 8l0 4l2 2"/><path d="M3.05 11a9 9 0 1 1 .5 4m-.5 5v-5h5"/>',
    "search": '<path d="M10 10m-7 0a7 7 0 1 0 14 0a7 7 0 1 0 -14 0"/><path d="M21 21l-6 -6"/>',
    "logout": '<path d="M14 8v-2a2 2 0 0 0 -2 -2h-7a2 2 0 0 0 -2 2v12a2 2 0 0 0 2 2h7a2 2 0 0 0 2 -2v-2"/>'
    '<path d="M9 12h12l-3 -3"/><path d="M18 15l3 -3"/>',
    "language": '<path d="M4 5h7"/><path d="M9 3v2c0 4.418 -2.239 8 -5 8"/><path d="M5 9c0 2.144 2.952 3.908 '
    '6.7 4"/><path d="M12 20l4 -9l4 9"/><path d="M19.1 18h-6.2"/>',
    "plus": '<path d="M12 5l0 14"/><path d="M5 12l14 0"/>',
    "download": '<path d="M4 17v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2 -2v-2"/><path d="M7 11l5 5l5 -5"/>'
    '<path d="M12 4l0 12"/>',
    "filter": '<path d="M4 4h16v2.172a2 2 0 0 1 -.586 1.414l-4.414 4.414v7l-6 2v-8.5l-4.48 -4.928a2 2 0 0 1 '
    '-.52 -1.345v-2.227z"/>',
    "edit": '<path d="M7 7h-1a2 2 0 0 0 -2 2v9a2 2 0 0 0 2 2h9a2 2 0 0 0 2 -2v-1"/><path d="M20.385 6.585a2.1 '
    '2.1 0 0 0 -2.97 -2.97l-8.415 8.385v3h3l8.385 -8.415z"/><path d="M16 5l3 3"/>',
    "trash": '<path d="M4 7l16 0"/><path d="M10 11l0 6"/><path d="M14 11l0 6"/><path d="M5 7l1 12a2 2 0 0 0 2 2h8'
    'a2 2 0 0 0 2 -2l1 -12"/><path d="M9 7v-3a1 1 0 0 1 1 -1h4a1 1 0 0 1 1 1v3"/>',
    "phone": '<path d="M5 4h4l2 5l-2.5 1.5a11 11 0 0 0 5 5l1.5 -2.5l5 2v4a2 2 0 0 1 -2 2a16 16 0 0 1 -15 -15a2 '
    '2 0 0 1 2 -2"/>',
    "chart": '<path d="M3 13a1 1 0 0 1 1 -1h4a1 1 0 0 1 1 1v6a1 1 0 0 1 -1 1h-4a1 1 0 0 1 -1 -1z"/><path d="M15 9a1 '
    '1 0 0 1 1 -1h4a1 1 0 0 1 1 1v10a1 1 0 0 1 -1 1h-4a1 1 0 0 1 -1 -1z"/><path d="M9 5a1 1 0 0 1 1 -1h4a1 1 0 '
    '0 1 1 1v14a1 1 0 0 1 -1 1h-4a1 1 0 0 1 -1 -1z"/><path d="M4 20h14"/>',
    "table": '<path d="M3 5a2 2 0 0 1 2 -2h14a2 2 0 0 1 2 2v14a2 2 0 0 1 -2 2h-14a2 2 0 0 1 -2 -2v-14z"/>'
    '<path d="M3 10h18"/><path d="M10 3v18"/>',
}


@register.simple_tag
def icon(name: str, css: str = "icon") -> SafeString:
    """An inline outline SVG icon; unknown names render nothing."""
    paths = _ICONS.get(name)
    if not paths:
        return mark_safe("")  # noqa: S308 - constant
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" width="24" height="24" viewBox="0 0 24 24" '
        'stroke-width="2" stroke="currentColor" fill="none" stroke-linecap="round" stroke-linejoin="round" '
        'aria-hidden="true">{}</svg>',
        css,
        mark_safe(paths),  # noqa: S308 - constant markup from this module
    )


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


def _expiry_parts(expires_on: dt.date | None, today: dt.date | None = None) -> tuple[str, str]:
    from safegrid.enterprises.rules import ExpiryStatus, expiry_status

    today = today or timezone.localdate()
    status = expiry_status(expires_on, today, settings.SAFEGRID_EXPIRY_WARNING_DAYS)
    if status == ExpiryStatus.EXPIRED:
        assert expires_on is not None
        return "bg-red-lt text-red", _("已过期 %(days)s 天") % {"days": (today - expires_on).days}
    if status == ExpiryStatus.EXPIRING:
        assert expires_on is not None
        return "bg-orange-lt text-orange", _("%(days)s 天后到期") % {"days": (expires_on - today).days}
    if status == ExpiryStatus.NO_EXPIRY:
        return "bg-secondary-lt", _("长期有效")
    return "bg-green-lt text-green", _("有效")


@register.simple_tag
def expiry_badge(expires_on: dt.date | None) -> SafeString:
    """A certificate's expiry as a coloured badge with words: expired red, expiring orange."""
    css, text = _expiry_parts(expires_on)
    return format_html('<span class="badge {}">{}</span>', css, text)


def expiry_badge_html(expires_on: dt.date | None) -> SafeString:
    return expiry_badge(expires_on)


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
