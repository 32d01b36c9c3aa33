"""The deployment's hazard deadlines: REFERENCE defaults overridden by `SAFEGRID_HAZARD_DEADLINES`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .rules.deadlines import Deadlines, deadlines_from
from .rules.trust import TrustLimits


def deadlines() -> Deadlines:
    return deadlines_from(getattr(settings, "SAFEGRID_HAZARD_DEADLINES", None))


def inspection_grace() -> dt.timedelta:
    """How long after its window a check may still be recorded (late) before it counts as missed.

    `SAFEGRID_INSPECTION_GRACE_MINUTES` (default 60): a county setting, not a statutory figure; the
    patrol frequencies themselves (应急〔2019〕78号) are the task's cycle.
    """
    return dt.timedelta(minutes=int(getattr(settings, "SAFEGRID_INSPECTION_GRACE_MINUTES", 60)))


def trust_limits() -> TrustLimits:
    """The county's limits for the trust flags (`SAFEGRID_CHECK_TRUST`, a dict overriding any field of
    `rules.trust.TrustLimits`): county configuration, not statutory figures."""
    given = getattr(settings, "SAFEGRID_CHECK_TRUST", None) or {}
    return TrustLimits(**{k: v for k, v in given.items() if k in TrustLimits.__dataclass_fields__})


def self_report_start() -> dt.date | None:
    """The first day the county asks for self-reports in the system (`SAFEGRID_SELF_REPORT_START`, ISO
    date): periods ending before it are never "missing". Unset: every period since the enterprise was
    registered."""
    value = getattr(settings, "SAFEGRID_SELF_REPORT_START", None)
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
