"""Who may change what in enterprises. Small predicates over the user's roles and one object.

Reads are decided by scoping (out of scope answers 404 before these run); these decide writes on
objects the user can already see (in scope but not allowed answers 403).
"""

from __future__ import annotations

from typing import Any

from safegrid.core.choices import ENTERPRISE_ROLES, Role
from safegrid.core.scoping import scope_for

from .models import Enterprise

# Enterprise roles that maintain their enterprise's records (a legal representative signs, not edits).
EDITOR_ROLES = frozenset({Role.ENT_ADMIN, Role.SAFETY_MANAGER})


def managed_enterprise_ids(user: Any) -> frozenset[int]:
    """Enterprises where the user is the enterprise administrator or safety manager."""
    return scope_for(user).enterprises_with(EDITOR_ROLES)


def can_create_enterprise(user: Any) -> bool:
    return scope_for(user).is_county_admin


def can_delete_enterprise(user: Any) -> bool:
    return scope_for(user).is_county_admin


def can_edit_enterprise(user: Any, enterprise: Enterprise) -> bool:
    """The whole record: county admin; county officers; town officers for enterprises in their town."""
    scope = scope_for(user)
    if scope.is_county_admin:
        return True
    if Role.COUNTY_OFFICER in scope.roles:
        return True
    if Role.TOWN_OFFICER in scope.roles:
        return any(enterprise.division_id.startswith(code) for code in scope.division_codes)
    return False


def can_edit_contacts(user: Any, enterprise: Enterprise) -> bool:
    """Contact names and phones: whoever may edit the record, plus the enterprise's own managers."""
    return can_edit_enterprise(user, enterprise) or enterprise.pk in managed_enterprise_ids(user)


def can_manage_staff(user: Any, enterprise_id: int) -> bool:
    """Org units, people and certificates: the county admin and the enterprise's own managers."""
    return scope_for(user).is_county_admin or enterprise_id in managed_enterprise_ids(user)


def can_see_audit(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_government or scope.has_role(*ENTERPRISE_ROLES) or scope.superuser
