"""The risks app's models, one module per area; every model is importable from here (Django loads this)."""

from .cards import CardConfirmation, CardKind, RiskCard
from .delegation import SigningDelegation
from .filing import FilingReviewer, FilingTransition, RegisterRevision, RiskRegisterFiling
from .points import (
    PHOTO_EXTENSIONS,
    PHOTO_MAX_BYTES,
    TIER_UNIT_KIND,
    UNIT_FRACTION,
    ControlMeasure,
    HazardFactor,
    OptionalFieldFile,
    OptionalFileField,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskPoint,
    RiskSettings,
    new_qr_token,
    validate_accident_types,
    validate_photo_size,
)
from .regional import RegionalReviewReminder, RegionalRisk
from .siteplan import SITE_PLAN_EXTENSIONS, SITE_PLAN_MAX_BYTES, EnterpriseSitePlan

__all__ = [
    "PHOTO_EXTENSIONS",
    "PHOTO_MAX_BYTES",
    "SITE_PLAN_EXTENSIONS",
    "SITE_PLAN_MAX_BYTES",
    "TIER_UNIT_KIND",
    "UNIT_FRACTION",
    "CardConfirmation",
    "CardKind",
    "ControlMeasure",
    "EnterpriseSitePlan",
    "FilingReviewer",
    "FilingTransition",
    "HazardFactor",
    "OptionalFieldFile",
    "OptionalFileField",
    "RegionalReviewReminder",
    "RegionalRisk",
    "RegisterRevision",
    "ResponsibilityAssignment",
    "RiskAssessment",
    "RiskCard",
    "RiskPoint",
    "RiskRegisterFiling",
    "RiskSettings",
    "SigningDelegation",
    "new_qr_token",
    "validate_accident_types",
    "validate_photo_size",
]
