"""Who may change what through the API, on top of what they may see.

Reading is decided by the selectors (out of scope = 404). These predicates decide writes on
objects the user can already see; a False answer is a 403. The rules:

- county administrators change everything;
- county officers and town officers change enterprises in their scope (a town officer only in
  their town's subtree, also for the division a new enterprise is placed in);
- enterprise administrators and safety managers change their own enterprise's org units,
  people and certificates;
- nobody else writes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from safegrid.core.choices import ENTERPRISE_ROLES, Role
from safegrid.core.scoping import scope_for
from safegrid.enterprises.models import Enterprise
from safegrid.regions.models import Division


def _is_county_admin(user: Any) -> bool:
    scope = scope_for(user)
    return bool(user.is_active and (user.is_superuser or Role.COUNTY_ADMIN in scope.roles))


def _in_town(user: Any, division_code: str) -> bool:
    scope = scope_for(user)
    return Role.TOWN_OFFICER in scope.roles and any(division_code.startswith(c) for c in scope.division_codes)


def can_create_enterprise(user: Any, division: Division | None = None) -> bool:
    """May `user` register enterprises (placed in `division`, when given)?"""
    scope = scope_for(user)
    if _is_county_admin(user) or Role.COUNTY_OFFICER in scope.roles:
        return True
    if Role.TOWN_OFFICER not in scope.roles:
        return False
    return division is None or _in_town(user, division.code)


def can_change_enterprise(user: Any, enterprise: Enterprise) -> bool:
    """May `user` edit or delete the enterprise's own record?"""
    scope = scope_for(user)
    if _is_county_admin(user) or Role.COUNTY_OFFICER in scope.roles:
        return True
    return _in_town(user, enterprise.division_id)


def can_manage_staff(user: Any, enterprise: Enterprise) -> bool:
    """May `user` change the enterprise's org units, people and certificates?"""
    if _is_county_admin(user):
        return True
    scope = scope_for(user)
    if not scope.roles & ENTERPRISE_ROLES:
        return False
    own = {
        ra.enterprise_id
        for ra in user.role_assignments.all()
        if ra.role in ENTERPRISE_ROLES and ra.enterprise_id is not None
    }
    return enterprise.pk in own


def require(allowed: bool, message: str = "无权执行此操作") -> None:
    if not allowed:
        raise PermissionDenied(message)
