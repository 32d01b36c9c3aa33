"""The deployment's major-hazard settings: REFERENCE defaults overridden by settings (see docs/operations.md).

`SAFEGRID_MAJOR_HAZARD_LIFECYCLE` (a dict overriding any field of `rules.lifecycle.LifecycleConfig`, e.g.
`{"filing_days": 20, "operational_check": {"every": 1, "unit": "周"}}`): filing days, re-assessment years,
drill intervals, re-assessment reminders and the three responsible persons' check frequencies.
"""

from __future__ import annotations

from django.conf import settings

from .rules.lifecycle import LifecycleConfig, config_from


def lifecycle() -> LifecycleConfig:
    return config_from(getattr(settings, "SAFEGRID_MAJOR_HAZARD_LIFECYCLE", None))
