"""The deployment's hazard deadlines: REFERENCE defaults overridden by `SAFEGRID_HAZARD_DEADLINES`."""

from __future__ import annotations

from django.conf import settings

from .rules.deadlines import Deadlines, deadlines_from


def deadlines() -> Deadlines:
    return deadlines_from(getattr(settings, "SAFEGRID_HAZARD_DEADLINES", None))
