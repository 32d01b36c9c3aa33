"""Major hazard sources (重大危险源): every model of the app, one module per area.

sources.py: production and storage units, their substances (design maximum), the enterprise's population
within 500 m, the GB 18218 grade with its terms.
lifecycle.py: the assessment and its filing (备案), re-assessment triggers, deregistration (核销), drills,
safety-facility tests, the once-only lifecycle reminders.
responsibility.py: the three responsible persons (包保) of each unit.
work.py: special-work filings (GB 30871-2022) and the daily safety commitment.
"""

from .lifecycle import (
    Deregistration,
    DeregistrationTransition,
    DrillRecord,
    FacilityTest,
    FilingTransition,
    LifecycleNotice,
    ReassessmentTrigger,
    SourceFiling,
)
from .responsibility import ResponsiblePerson
from .sources import HazardUnit

__all__ = [
    "Deregistration",
    "DeregistrationTransition",
    "DrillRecord",
    "FacilityTest",
    "FilingTransition",
    "HazardUnit",
    "LifecycleNotice",
    "ReassessmentTrigger",
    "ResponsiblePerson",
    "SourceFiling",
]
