"""Who may act on alarms and bypasses (reading is the selectors' job: out of scope is 404 first).

The enterprise runs its alarms: its staff on duty (managers and post/unit users) acknowledge; its managers
(admin, safety managers) assign, dispose of and close (消警). A regulator whose scope reaches the enterprise
may acknowledge an alarm escalated to them (it stops the reminders; the timeline names them) and comment.
A bypass is asked for by a manager and approved by *another* person: the enterprise's principal or admin,
or a regulator reaching the enterprise.
"""

from __future__ import annotations

from typing import Any

from safegrid.core.choices import Role
from safegrid.core.scoping import scope_for
from safegrid.hazards import permissions as hazard_permissions

MANAGER_ROLES = hazard_permissions.MANAGER_ROLES
DUTY_ROLES = frozenset({*MANAGER_ROLES, Role.LEGAL_REP, Role.UNIT_USER})
BYPASS_APPROVER_ROLES = frozenset({Role.LEGAL_REP, Role.ENT_ADMIN})


def is_manager(user: Any, enterprise_id: int | None) -> bool:
    return hazard_permissions.is_manager(user, enterprise_id)


def is_regulator(user: Any, enterprise_id: int | None) -> bool:
    return hazard_permissions.is_regulator_of(user, enterprise_id)


def can_acknowledge(user: Any, enterprise_id: int | None) -> bool:
    if enterprise_id is None:
        return False
    return scope_for(user).has_role(*DUTY_ROLES, enterprise_id=enterprise_id) or is_regulator(
        user, enterprise_id
    )


def can_manage(user: Any, enterprise_id: int | None) -> bool:
    """Assign, dispose of, close; ask for a bypass."""
    return is_manager(user, enterprise_id) or scope_for(user).superuser


def can_convert(user: Any, enterprise_id: int | None) -> bool:
    """Turn an alarm into a hidden hazard (the hazards app then checks who may report it)."""
    return can_manage(user, enterprise_id) or is_regulator(user, enterprise_id)


def can_approve_bypass(user: Any, enterprise_id: int | None) -> bool:
    if enterprise_id is None:
        return False
    scope = scope_for(user)
    return (
        scope.superuser
        or scope.has_role(*BYPASS_APPROVER_ROLES, enterprise_id=enterprise_id)
        or is_regulator(user, enterprise_id)
    )
