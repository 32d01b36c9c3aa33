"""Who may change the risk register, sign it, review filings and set regional risk.

Reads are decided by scoping (out of scope answers 404 before these run); these predicates decide
writes on objects the user can already see (in scope but not allowed answers 403). They read the
user's roles from `core.scoping.Scope` (computed once per request), never from the database again.
Shared by the register, filing, card and map pages: keep the names stable.
"""

from __future__ import annotations

from typing import Any

from safegrid.core.choices import COUNTY_ROLES, Role
from safegrid.core.scoping import scope_for

# Enterprise roles that maintain the register of their own enterprise.
REGISTER_EDITOR_ROLES = frozenset({Role.ENT_ADMIN, Role.SAFETY_MANAGER})
# Enterprise roles that may sign (and so file) the register of their own enterprise.
REGISTER_SIGNER_ROLES = frozenset({Role.LEGAL_REP, Role.ENT_ADMIN, Role.SAFETY_MANAGER})
# Government roles that review register filings.
FILING_REVIEWER_ROLES = frozenset({*COUNTY_ROLES, Role.DEPT_OFFICER})
# Roles that set the regional (area) risk level.
REGIONAL_RISK_ROLES = frozenset(COUNTY_ROLES)


def editable_enterprise_ids(user: Any) -> frozenset[int]:
    """Enterprises whose register the user maintains (not meaningful for the county admin: all)."""
    return scope_for(user).enterprises_with(REGISTER_EDITOR_ROLES)


def can_edit_register(user: Any, enterprise_id: int | None) -> bool:
    """Risk points, factors, assessments, measures, tiers: the enterprise's managers and the county admin."""
    if enterprise_id is None:
        return False
    scope = scope_for(user)
    return scope.is_county_admin or scope.has_role(*REGISTER_EDITOR_ROLES, enterprise_id=enterprise_id)


def can_sign_register(user: Any, enterprise_id: int | None) -> bool:
    """Sign and file the register: legal representative, ent admin or safety manager there; county admin."""
    if enterprise_id is None:
        return False
    scope = scope_for(user)
    return scope.is_county_admin or scope.has_role(*REGISTER_SIGNER_ROLES, enterprise_id=enterprise_id)


def can_review_filings(user: Any) -> bool:
    """County roles and sector department officers review filed registers."""
    scope = scope_for(user)
    return scope.superuser or scope.has_role(*FILING_REVIEWER_ROLES)


def can_set_regional_risk(user: Any) -> bool:
    """County admin and county officers set the regional risk level."""
    scope = scope_for(user)
    return scope.superuser or scope.has_role(*REGIONAL_RISK_ROLES)


def can_configure_regional_risk(user: Any) -> bool:
    """Only the county admin changes how regional risk is computed (weights and thresholds)."""
    return scope_for(user).is_county_admin
