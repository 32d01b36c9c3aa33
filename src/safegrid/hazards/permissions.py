"""Who may report, confirm, rectify, accept and reopen hidden hazards.

Reads are decided by scoping (out of scope = 404 before these run); these predicates decide writes on
hazards the user can already see. Roles come from `core.scoping.Scope`; "a regulator of this enterprise"
is a government role whose scope reaches the enterprise (county, its town, or its sector's department).
"""

from __future__ import annotations

from typing import Any

from safegrid.core.choices import COUNTY_ROLES, Role
from safegrid.core.scoping import restrict, scope_for
from safegrid.enterprises.models import Enterprise

# Enterprise roles that run the enterprise's hazard work: confirm, five in place, rectify, accept general ones.
MANAGER_ROLES = frozenset({Role.ENT_ADMIN, Role.SAFETY_MANAGER})
# The enterprise's principal side: approves extensions of general hazards.
PRINCIPAL_ROLES = frozenset({Role.LEGAL_REP, Role.ENT_ADMIN})
# Everyone who works in (or advises) an enterprise reports its hazards as the enterprise's own finding.
ENTERPRISE_STAFF_ROLES = frozenset(
    {Role.LEGAL_REP, Role.ENT_ADMIN, Role.SAFETY_MANAGER, Role.UNIT_USER, Role.EXPERT}
)
# Government roles that inspect, accept major hazards and reopen.
REGULATOR_ROLES = frozenset({*COUNTY_ROLES, Role.DEPT_OFFICER, Role.TOWN_OFFICER})


def _reaches(user: Any, enterprise_id: int) -> bool:
    return restrict(Enterprise.objects.filter(pk=enterprise_id), user).exists()


def is_manager(user: Any, enterprise_id: int | None) -> bool:
    return enterprise_id is not None and scope_for(user).has_role(*MANAGER_ROLES, enterprise_id=enterprise_id)


def is_principal(user: Any, enterprise_id: int | None) -> bool:
    return enterprise_id is not None and scope_for(user).has_role(
        *PRINCIPAL_ROLES, enterprise_id=enterprise_id
    )


def is_staff_of(user: Any, enterprise_id: int | None) -> bool:
    return enterprise_id is not None and scope_for(user).has_role(
        *ENTERPRISE_STAFF_ROLES, enterprise_id=enterprise_id
    )


def is_regulator_of(user: Any, enterprise_id: int | None) -> bool:
    """A county, town or sector-department officer whose scope reaches the enterprise."""
    scope = scope_for(user)
    if enterprise_id is None or not (scope.superuser or scope.has_role(*REGULATOR_ROLES)):
        return False
    return _reaches(user, enterprise_id)


def is_grid_worker_of(user: Any, enterprise_id: int | None) -> bool:
    scope = scope_for(user)
    return enterprise_id is not None and scope.has_role(Role.GRID_WORKER) and _reaches(user, enterprise_id)


def can_report(user: Any, enterprise_id: int | None) -> bool:
    """Enterprise staff, the enterprise's grid worker and its regulators register hazards there."""
    return (
        is_staff_of(user, enterprise_id)
        or is_grid_worker_of(user, enterprise_id)
        or is_regulator_of(user, enterprise_id)
    )


def reporting_origin(user: Any, enterprise_id: int) -> str:
    """Where a hazard this user reports comes from (enterprise staff first: their own finding counts)."""
    if is_staff_of(user, enterprise_id):
        return "enterprise"
    if is_grid_worker_of(user, enterprise_id):
        return "grid"
    return "regulator"


def reporting_enterprise_ids(user: Any) -> frozenset[int] | None:
    """Enterprises the user reports for as staff (None: reports anywhere in scope as grid/regulator)."""
    scope = scope_for(user)
    if scope.superuser or scope.has_role(*REGULATOR_ROLES, Role.GRID_WORKER):
        return None
    return scope.enterprises_with(ENTERPRISE_STAFF_ROLES)


# County-level regulators list a major hazard for supervision and sign it off (the town follows it).
SUPERVISOR_ROLES = frozenset({*COUNTY_ROLES, Role.DEPT_OFFICER})


def can_supervise(user: Any, enterprise_id: int | None) -> bool:
    """A county or sector-department officer whose scope reaches the enterprise."""
    scope = scope_for(user)
    if enterprise_id is None or not (scope.superuser or scope.has_role(*SUPERVISOR_ROLES)):
        return False
    return _reaches(user, enterprise_id)


def can_check(user: Any, enterprise_id: int | None) -> bool:
    """Records an inspection check: the enterprise's staff (post workers included) and its grid worker."""
    return is_staff_of(user, enterprise_id) or is_grid_worker_of(user, enterprise_id)


def can_edit_checklist(user: Any, enterprise_id: int | None) -> bool:
    """County checklists (no enterprise): the county's admin and officers; an enterprise's: its managers."""
    scope = scope_for(user)
    if enterprise_id is None:
        return scope.superuser or scope.has_role(*COUNTY_ROLES)
    return is_manager(user, enterprise_id)


def can_edit_calendar(user: Any) -> bool:
    """The county's work calendar (holidays, 调休): the county admin enters the State Council's yearly notice."""
    return scope_for(user).is_county_admin


def can_plan_inspection(user: Any, enterprise_id: int | None) -> bool:
    """Creates an ad-hoc inspection from a checklist and issues checkpoint codes: the enterprise's managers."""
    return is_manager(user, enterprise_id)


# ---- the quarterly/annual self-report (自查自报) ----------------------------------------------------

# Who prepares the report (generates the figures, writes the statement): the enterprise's managers and
# its principal.
SELF_REPORT_PREPARER_ROLES = frozenset({*MANAGER_ROLES, Role.LEGAL_REP})
# Who signs it (16号令 art. 14: the principal): the legal representative/principal with their own login.
SELF_REPORT_SIGNER_ROLES = frozenset({Role.LEGAL_REP})


def can_prepare_self_report(user: Any, enterprise_id: int | None) -> bool:
    return enterprise_id is not None and scope_for(user).has_role(
        *SELF_REPORT_PREPARER_ROLES, enterprise_id=enterprise_id
    )


def can_sign_self_report(user: Any, enterprise_id: int | None) -> bool:
    """The legal representative/principal, or the holder of their written signing delegation today (the
    same delegation that signs the 一企一册 book, `risks.SigningDelegation`)."""
    if enterprise_id is None:
        return False
    if scope_for(user).has_role(*SELF_REPORT_SIGNER_ROLES, enterprise_id=enterprise_id):
        return True
    from safegrid.risks.selectors.delegation import active_delegation

    return active_delegation(user, enterprise_id) is not None


def can_receive_self_report(user: Any, enterprise_id: int | None) -> bool:
    """A county, town or sector-department officer whose scope reaches the enterprise."""
    return is_regulator_of(user, enterprise_id)


def can_national_export(user: Any, enterprise_id: int | None) -> bool:
    """Downloads the enterprise's data in the national format: its managers and its regulators."""
    return is_manager(user, enterprise_id) or is_regulator_of(user, enterprise_id)


def can_national_import(user: Any, enterprise_id: int | None) -> bool:
    """Imports national-format data into the enterprise: its managers (the data is the enterprise's own)."""
    return is_manager(user, enterprise_id)
