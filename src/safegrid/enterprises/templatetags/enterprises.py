"""Template tags for enterprise pages: `{% load enterprises %}`."""

from __future__ import annotations

import datetime as dt

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..rules import ExpiryStatus, expiry_status

register = template.Library()


def _expiry_parts(expires_on: dt.date | None, today: dt.date | None = None) -> tuple[str, str]:
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
