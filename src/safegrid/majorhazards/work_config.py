"""The county's special-work and commitment limits: `rules.work.WorkLimits` defaults overridden by the
setting `SAFEGRID_SPECIAL_WORK` (a dict, e.g. `{"commitment_deadline": "09:30", "hot_two_hours": 48}`;
documented in docs/operations.md with each value's source in `rules.work.SOURCES`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .rules.work import WorkLimits, limits_from, parse_deadline


def limits() -> WorkLimits:
    return limits_from(getattr(settings, "SAFEGRID_SPECIAL_WORK", None))


def commitment_deadline() -> dt.time:
    """The local time by which the day's commitment is due (county default 10:00)."""
    return parse_deadline(limits().commitment_deadline)
