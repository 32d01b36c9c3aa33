"""Who may change what in enterprises. Small predicates over the user's roles and one object.

Reads are decided by scoping (out of scope answers 404 before these run); these decide writes on
objects the user can already see (in scope but not allowed answers 403).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from safegrid.core.choices import COUNTY_ROLES, ENTERPRISE_ROLES, Role
from safegrid.core.scoping import scope_for

from .models import Enterprise
from .models_import import ImportKind

# What an enterprise's own managers may keep current on its record (the rest is its regulators').
CONTACT_FIELDS = (
    "legal_rep_phone",
    "principal",
    "principal_phone",
    "safety_manager",
    "safety_manager_phone",
)

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


def can_change_enterprise(user: Any, enterprise: Enterprise, fields: Iterable[str]) -> bool:
    """The whole record for its regulators; contact names and phones also for the enterprise's managers."""
    if can_edit_enterprise(user, enterprise):
        return True
    return set(fields) <= set(CONTACT_FIELDS) and can_edit_contacts(user, enterprise)


def can_manage_staff(user: Any, enterprise_id: int) -> bool:
    """Org units, people and certificates: the county admin and the enterprise's own managers."""
    return scope_for(user).is_county_admin or enterprise_id in managed_enterprise_ids(user)


def can_see_audit(user: Any) -> bool:
    scope = scope_for(user)
    return scope.is_government or scope.has_role(*ENTERPRISE_ROLES) or scope.superuser


@dataclass(frozen=True)
class Reach:
    """Where a user may import: everything (county), some town subtrees, the enterprises they manage.

    Towns collect their enterprises' records in bulk (摸底), so an import reaches further than the
    one-by-one form; the bulk services check every row against the same reach.
    """

    everything: bool = False
    division_prefixes: tuple[str, ...] = ()
    own_enterprise_ids: frozenset[int] = frozenset()

    def may_import(self, kind: str) -> bool:
        government = self.everything or bool(self.division_prefixes)
        if kind == ImportKind.ENTERPRISES:
            return government
        return government or bool(self.own_enterprise_ids)

    def covers_division(self, code: str) -> bool:
        return self.everything or any(code.startswith(prefix) for prefix in self.division_prefixes)

    def covers_enterprise(self, enterprise: Enterprise) -> bool:
        return enterprise.pk in self.own_enterprise_ids or self.covers_division(enterprise.division_id)


def reach_for(user: Any) -> Reach:
    if user is None or not user.is_authenticated or not user.is_active:
        return Reach()
    everything = bool(user.is_superuser)
    prefixes: set[str] = set()
    own: set[int] = set()
    for role, division_id, enterprise_id in user.role_assignments.values_list(
        "role", "division_id", "enterprise_id"
    ):
        if role in COUNTY_ROLES:
            everything = True
        elif role == Role.TOWN_OFFICER and division_id:
            prefixes.add(division_id)
        elif role in EDITOR_ROLES and enterprise_id:
            own.add(enterprise_id)
    return Reach(everything, tuple(sorted(prefixes)), frozenset(own))
