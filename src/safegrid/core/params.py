"""Query parameters of pages, parsed by one rule: an id is a whole number a database row can have,
and a free text passes the input rule (`core.text.clean_text`).

A hand-edited URL (`?enterprise=99999999999999999999`, `?q=%00`) must give an empty, explained list,
never a 500: SQLite cannot bind an integer above 2⁶³−1 and PostgreSQL refuses NUL in text. The API
states the same bounds in its schemas (`safegrid.api.schemas.Id`) and answers 422.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .text import TextRefused, clean_text

# The largest primary key a row can have (SQLite INTEGER, PostgreSQL bigint); also the offset bound.
MAX_ID = 2**63 - 1
MAX_SEARCH_CHARS = 100


class BadParam(ValueError):
    """A query parameter that cannot be what it names; the message (Chinese) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_id(raw: str, *, low: int = 1, high: int = MAX_ID) -> int:
    """The id `raw` names, or BadParam when it is not a whole number from `low` to `high`."""
    text = raw.strip()
    if not text.isascii() or not text.isdigit():
        raise BadParam(_("“%(value)s”不是有效的编号（应为正整数）") % {"value": text[:40]})
    number = int(text) if len(text) <= 20 else high + 1
    if not low <= number <= high:
        raise BadParam(
            _("编号 %(value)s 超出范围（%(low)s–%(high)s）") % {"value": text[:40], "low": low, "high": high}
        )
    return number


def optional_id(raw: str | None) -> int | None:
    """`parse_id` for a parameter that may be absent or blank (None), and None for a bad one too:
    for callers that only pre-fill a form, where ignoring a bad value is the explanation."""
    if not raw or not raw.strip():
        return None
    try:
        return parse_id(raw)
    except BadParam:
        return None


def search_text(raw: str | None) -> str:
    """A search term as the input rule leaves it ('' when absent; cut to MAX_SEARCH_CHARS), or BadParam."""
    try:
        return clean_text((raw or "")[:MAX_SEARCH_CHARS])
    except TextRefused as exc:
        raise BadParam(exc.message) from None
