"""Major hazard sources (重大危险源): every model of the app, one module per area.

sources.py: production and storage units, their substances (design maximum), the enterprise's population
within 500 m, the GB 18218 grade with its terms.
lifecycle.py: the filing with the county, re-assessment triggers, deregistration, drills, facility tests.
responsibility.py: the three responsible persons (包保).
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
from .sources import HazardUnit, SitePopulation, Substance, UnitGrading, UnitSubstance
from .work import (
    CommitmentBoard,
    CommitmentNotice,
    GasAnalysis,
    SafetyCommitment,
    SpecialWork,
    SpecialWorkTransition,
    WorkPause,
)

__all__ = [
    "CommitmentBoard",
    "CommitmentNotice",
    "Deregistration",
    "DeregistrationTransition",
    "DrillRecord",
    "FacilityTest",
    "FilingTransition",
    "GasAnalysis",
    "HazardUnit",
    "LifecycleNotice",
    "ReassessmentTrigger",
    "ResponsiblePerson",
    "SafetyCommitment",
    "SitePopulation",
    "SourceFiling",
    "SpecialWork",
    "SpecialWorkTransition",
    "Substance",
    "UnitGrading",
    "UnitSubstance",
    "WorkPause",
]
