"""Who may change what in enterprises. Small predicates over the user's roles and one object.

Reads are decided by scoping (out of scope answers 404 before these run); these decide writes on
objects the user can already see (in scope but not allowed answers 403).
"""

from __future__ import annotations

from typing import Any

from safegrid.core.choices import ENTERPRISE_ROLES, Role
from safegrid.core.models import RoleAssignment
from safegrid.core.scoping import scope_for

from .models import Enterprise

# Enterprise roles that maintain their enterprise's records (a legal representative signs, not edits).
EDITOR_ROLES = frozenset({Role.ENT_ADMIN, Role.SAFETY_MANAGER})


def is_county_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or Role.COUNTY_ADMIN in scope_for(user).roles


def managed_enterprise_ids(user: Any) -> frozenset[int]:
    """Enterprises where the user is the enterprise administrator or safety manager (cached per request)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached: frozenset[int] | None = getattr(user, "_safegrid_managed_enterprises", None)
    if cached is None:
        if scope_for(user).roles & EDITOR_ROLES:
            cached = frozenset(
                RoleAssignment.objects.filter(user=user, role__in=EDITOR_ROLES).values_list(
                    "enterprise_id", flat=True
                )
            )
        else:
            cached = frozenset()
        user._safegrid_managed_enterprises = cached
    return cached


def can_create_enterprise(user: Any) -> bool:
    return is_county_admin(user)


def can_delete_enterprise(user: Any) -> bool:
    return is_county_admin(user)


def can_edit_enterprise(user: Any, enterprise: Enterprise) -> bool:
    """The whole record: county admin; county officers; town officers for enterprises in their town."""
    if is_county_admin(user):
        return True
    scope = scope_for(user)
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
    return is_county_admin(user) or enterprise_id in managed_enterprise_ids(user)


def can_see_audit(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_government or bool(scope.roles & ENTERPRISE_ROLES) or getattr(user, "is_superuser", False)
