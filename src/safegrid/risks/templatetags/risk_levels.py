"""`{% risk_badge level %}` and `{% risk_fill level %}`: a risk level drawn from `rules.levels`.

{% load risk_levels %}
{% risk_badge point.level %}                      重大风险 in red; "未定级" when not graded
{% risk_badge p.level p.level_name %}             the name stored with a filed book
{% risk_badge row.level empty=_("未评定") %}       another word for "not graded"
<section class="{% risk_fill post.level %}">      fill and text colour for a bigger block: a class of
                                                  risks/levels.css (link it on the page); the CSP
                                                  allows no style attributes
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from ..rules import levels

register = template.Library()


@register.simple_tag
def risk_fill(level: int | None) -> str:
    """The class of risks/levels.css that fills a block with the level's colour (`hex` on `text_hex`)."""
    return f"sg-fill-{levels.look(level).colour}"


@register.simple_tag
def risk_badge(level: int | None, label: object = None, empty: object = None) -> SafeString:
    """A level as a badge in its colour, always with its name (colour alone says nothing to some readers)."""
    look = levels.look(level)
    if label:
        text = str(label)
    elif look.level is None and empty is not None:
        text = str(empty)
    else:
        text = gettext(look.name)
    if look.level is None:
        return format_html('<span class="badge {}">{}</span>', look.css, text)
    return format_html('<span class="badge sg-risk sg-risk-{} {}">{}</span>', look.colour, look.css, text)


@register.simple_tag
def risk_levels() -> list[levels.LevelLook]:
    """The four graded levels, most dangerous first (for legends and counts)."""
    return list(levels.LOOKS.values())
