"""Who may change the risk register, sign it, review filings and set regional risk.

Reads are decided by scoping (out of scope answers 404 before these run); these predicates decide
writes on objects the user can already see (in scope but not allowed answers 403). Shared by the
register, filing, card and map pages: keep the names stable.
"""

from __future__ import annotations

from typing import Any

from safegrid.core.choices import COUNTY_ROLES, Role
from safegrid.core.models import RoleAssignment
from safegrid.core.scoping import scope_for

# Enterprise roles that maintain the register of their own enterprise.
REGISTER_EDITOR_ROLES = frozenset({Role.ENT_ADMIN, Role.SAFETY_MANAGER})
# Enterprise roles that may sign (and so file) the register of their own enterprise.
REGISTER_SIGNER_ROLES = frozenset({Role.LEGAL_REP, Role.ENT_ADMIN, Role.SAFETY_MANAGER})
# Government roles that review register filings.
FILING_REVIEWER_ROLES = frozenset({*COUNTY_ROLES, Role.DEPT_OFFICER})
# Roles that set the regional (area) risk level.
REGIONAL_RISK_ROLES = frozenset(COUNTY_ROLES)


def _is_authenticated(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and user.is_active


def is_county_admin(user: Any) -> bool:
    if not _is_authenticated(user):
        return False
    return bool(getattr(user, "is_superuser", False)) or Role.COUNTY_ADMIN in scope_for(user).roles


def _enterprise_roles(user: Any) -> dict[int, frozenset[str]]:
    """Enterprise id -> the user's enterprise roles there (cached on the user object per request)."""
    cached: dict[int, frozenset[str]] | None = getattr(user, "_safegrid_register_roles", None)
    if cached is None:
        found: dict[int, set[str]] = {}
        if scope_for(user).roles & REGISTER_SIGNER_ROLES:
            rows = RoleAssignment.objects.filter(user=user, role__in=REGISTER_SIGNER_ROLES).values_list(
                "enterprise_id", "role"
            )
            for enterprise_id, role in rows:
                found.setdefault(enterprise_id, set()).add(role)
        cached = {key: frozenset(value) for key, value in found.items()}
        user._safegrid_register_roles = cached
    return cached


def editable_enterprise_ids(user: Any) -> frozenset[int]:
    """Enterprises whose register the user maintains (not meaningful for the county admin: all)."""
    if not _is_authenticated(user):
        return frozenset()
    return frozenset(
        enterprise_id
        for enterprise_id, roles in _enterprise_roles(user).items()
        if roles & REGISTER_EDITOR_ROLES
    )


def can_edit_register(user: Any, enterprise_id: int | None) -> bool:
    """Risk points, factors, assessments, measures, tiers: the enterprise's managers and the county admin."""
    if not _is_authenticated(user) or enterprise_id is None:
        return False
    if is_county_admin(user):
        return True
    return bool(_enterprise_roles(user).get(enterprise_id, frozenset()) & REGISTER_EDITOR_ROLES)


def can_sign_register(user: Any, enterprise_id: int | None) -> bool:
    """Sign and file the register: legal representative, ent admin or safety manager there; county admin."""
    if not _is_authenticated(user) or enterprise_id is None:
        return False
    if is_county_admin(user):
        return True
    return bool(_enterprise_roles(user).get(enterprise_id, frozenset()) & REGISTER_SIGNER_ROLES)


def can_review_filings(user: Any) -> bool:
    """County roles and sector department officers review filed registers."""
    if not _is_authenticated(user):
        return False
    return bool(getattr(user, "is_superuser", False)) or bool(scope_for(user).roles & FILING_REVIEWER_ROLES)


def can_set_regional_risk(user: Any) -> bool:
    """County admin and county officers set the regional risk level."""
    if not _is_authenticated(user):
        return False
    return bool(getattr(user, "is_superuser", False)) or bool(scope_for(user).roles & REGIONAL_RISK_ROLES)


def can_configure_regional_risk(user: Any) -> bool:
    """Only the county admin changes how regional risk is computed (weights and thresholds)."""
    return is_county_admin(user)
