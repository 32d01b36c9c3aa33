"""The deployment's hazard deadlines: REFERENCE defaults overridden by `SAFEGRID_HAZARD_DEADLINES`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .rules.deadlines import Deadlines, deadlines_from


def deadlines() -> Deadlines:
    return deadlines_from(getattr(settings, "SAFEGRID_HAZARD_DEADLINES", None))


def inspection_grace() -> dt.timedelta:
    """How long after its window a check may still be recorded (late) before it counts as missed.

    `SAFEGRID_INSPECTION_GRACE_MINUTES` (default 60): a county setting, not a statutory figure; the
    patrol frequencies themselves (应急〔2019〕78号) are the task's cycle.
    """
    return dt.timedelta(minutes=int(getattr(settings, "SAFEGRID_INSPECTION_GRACE_MINUTES", 60)))
