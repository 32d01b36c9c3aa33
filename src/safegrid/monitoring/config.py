"""The county's alarm escalation ladder: `rules.alarms.Ladder` defaults overridden by the setting
`SAFEGRID_ALARM_ESCALATION` (documented in docs/operations.md; each default's source in `Ladder.SOURCES`)."""

from __future__ import annotations

from django.conf import settings

from .rules.alarms import Ladder, ladder_from


def ladder() -> Ladder:
    return ladder_from(getattr(settings, "SAFEGRID_ALARM_ESCALATION", None))
