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
# The role that signs the register of its own enterprise with its own login (法定代表人/主要负责人); others
# sign only under a written delegation (models.SigningDelegation), checked by the filing workflow.
REGISTER_SIGNER_ROLES = frozenset({Role.LEGAL_REP})
# Enterprise roles a signing delegation may name as the delegate.
DELEGATE_ROLES = frozenset({Role.LEGAL_REP, Role.ENT_ADMIN, Role.SAFETY_MANAGER})
# Government roles that may review register filings (the county setting per sector decides between the
# sector's department and the town: see workflows._may_review).
FILING_REVIEWER_ROLES = frozenset({*COUNTY_ROLES, Role.DEPT_OFFICER, Role.TOWN_OFFICER})
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
    """Sign the register with one's own login: the enterprise's legal representative (not the county admin,
    not the safety manager: they may sign only under a written delegation)."""
    if enterprise_id is None:
        return False
    return scope_for(user).has_role(*REGISTER_SIGNER_ROLES, enterprise_id=enterprise_id)


def can_delegate_signing(user: Any, enterprise_id: int | None) -> bool:
    """Record or revoke a written signing delegation: the legal representative of that enterprise."""
    return can_sign_register(user, enterprise_id)


def can_review_filings(user: Any) -> bool:
    """County roles, sector department officers and town officers may review filed registers (which of them
    reviews a given enterprise is the county's setting per sector)."""
    scope = scope_for(user)
    return scope.superuser or scope.has_role(*FILING_REVIEWER_ROLES)


def can_set_regional_risk(user: Any) -> bool:
    """County admin and county officers set the regional risk level."""
    scope = scope_for(user)
    return scope.superuser or scope.has_role(*REGIONAL_RISK_ROLES)


def can_set_filing_reviewers(user: Any) -> bool:
    """Only the county admin decides who reviews each sector's filings."""
    return scope_for(user).is_county_admin


def can_configure_regional_risk(user: Any) -> bool:
    """Only the county admin changes how regional risk is computed (weights and thresholds)."""
    return scope_for(user).is_county_admin
