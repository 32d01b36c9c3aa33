"""Major hazard sources (重大危险源): every model of the app, one module per area.

sources.py: production and storage units, their substances (design maximum), the enterprise's population
within 500 m, the GB 18218 grade with its terms, the filing lifecycle, the three responsible persons.
work.py: special-work filings (GB 30871-2022) and the daily safety commitment.
"""

from .sources import HazardUnit

# work: special-work filings and the daily safety commitment
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
    "GasAnalysis",
    "HazardUnit",
    "SafetyCommitment",
    "SpecialWork",
    "SpecialWorkTransition",
    "WorkPause",
]
