"""Scoped reads of core data (the audit trail), built on scope_for()."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from .choices import ENTERPRISE_ROLES
from .models import AuditEntry
from .scoping import restrict, scope_for


def audit_scope_q(user: Any) -> Q | None:
    """Which audit entries `user` may read; None means all of them (county roles).

    - county roles: everything;
    - town officers: entries whose division code lies in their town;
    - other government roles (sector departments, grid workers): entries about enterprises they
      regulate;
    - enterprise administrators and safety managers: entries about their own enterprise;
    - post/team users, experts and users without a role: nothing.
    """
    scope = scope_for(user)
    if not (user is not None and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if scope.everything:
        return None
    Enterprise = apps.get_model("enterprises", "Enterprise")  # core imports no app above it

    q = Q(pk__in=[])
    for code in scope.division_codes:
        q |= Q(division_code__startswith=code)
    if scope.all_divisions or scope.grid_ids:
        q |= Q(enterprise_id__in=restrict(Enterprise.objects.all(), user).values("pk"))
    managed = scope.enterprises_with(ENTERPRISE_ROLES)
    if managed:
        q |= Q(enterprise_id__in=sorted(managed))
    return q


def audit_entry_list(user: Any) -> QuerySet[AuditEntry]:
    q = audit_scope_q(user)
    qs = AuditEntry.objects.all()
    return qs if q is None else qs.filter(q)


def audit_for_enterprise(user: Any, enterprise_id: int, limit: int = 20) -> list[AuditEntry]:
    """The latest entries about one enterprise (and its children) that the user may read."""
    return list(audit_entry_list(user).filter(enterprise_id=enterprise_id).order_by("-id")[:limit])
