"""The one door for access: who may see which rows.

Every model that a user can read declares a `scope_rule` (ByEnterprise, ByDivision, ByOwner,
ByUser or Public). `restrict(queryset, user)` turns the user's role assignments into one filter for it.
Selectors call it for every list, detail, export, map layer and API route; an object outside the
filtered queryset answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from django.apps import apps as django_apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext

from .choices import COUNTY_ROLES, ENTERPRISE_ROLES, Role
from .params import MAX_ID

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class ByEnterprise:
    """Rows that belong to an enterprise. `enterprise` is the lookup to the Enterprise ("" = itself)."""

    enterprise: str = "enterprise"
    org_unit_path: str | None = None  # lookup to OrgUnit.path for workshop/team/post users
    unit_users_see_unplaced: bool = False  # unit users also see rows with no org unit
    # Lookups to the OrgUnit.path of units *linked* to the row through a many-valued relation (the posts
    # responsible for a risk point, the post a card is for): a workshop/team/post user also sees a row
    # linked to a unit of their subtree, wherever the row itself is placed. Tested as `pk IN (subquery)`,
    # so a row linked twice is still one row. Needs `org_unit_path`.
    unit_links: tuple[str, ...] = ()


@dataclass(frozen=True)
class ByDivision:
    """Rows placed in the division tree (divisions themselves, grids). `code` is the division code lookup."""

    code: str
    grid: str | None = None  # lookup to a grid id, so a grid worker sees only their grids


@dataclass(frozen=True)
class Public:
    """Reference data every signed-in user may read (departments, sectors)."""


@dataclass(frozen=True)
class ByOwner:
    """Rows private to the user who created them (background jobs); county roles see all.

    `owner` is the lookup to the creating user; rows whose owner is empty (system rows) are county-only.
    """

    owner: str = "created_by"


@dataclass(frozen=True)
class ByUser:
    """Rows addressed to one user (notifications): each user reads only their own, county roles included."""

    user: str = "user"  # lookup to the owning User


ScopeRule = ByEnterprise | ByDivision | ByOwner | ByUser | Public


@dataclass(frozen=True)
class Scope:
    """What one user may see, computed once per request from their role assignments."""

    everything: bool = False
    all_divisions: bool = False  # sector regulators read the whole division tree
    division_codes: tuple[str, ...] = ()
    sector_ids: frozenset[int] = frozenset()
    grid_ids: frozenset[int] = frozenset()
    grid_division_codes: tuple[str, ...] = ()
    enterprise_ids: frozenset[int] = frozenset()
    unit_paths: tuple[tuple[int, str], ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)
    # Enterprise id -> the roles the user holds *in that enterprise* (enterprise roles, experts, unit users).
    enterprise_roles: Mapping[int, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    superuser: bool = False

    @property
    def is_county(self) -> bool:
        return self.everything

    @property
    def is_county_admin(self) -> bool:
        return self.superuser or Role.COUNTY_ADMIN in self.roles

    def has_role(self, *roles: str, enterprise_id: int | None = None) -> bool:
        """Whether the user holds any of `roles` — anywhere, or in `enterprise_id` when it is given."""
        held = self.roles if enterprise_id is None else self.enterprise_roles.get(enterprise_id, frozenset())
        return not held.isdisjoint(roles)

    def enterprises_with(self, roles: Iterable[str]) -> frozenset[int]:
        """The enterprises where the user holds any of `roles`."""
        wanted = frozenset(roles)
        return frozenset(e for e, held in self.enterprise_roles.items() if held & wanted)

    @property
    def is_government(self) -> bool:
        return self.everything or self.all_divisions or bool(self.division_codes or self.grid_ids)

    @property
    def own_enterprise_ids(self) -> frozenset[int]:
        """Enterprises where the user works (not those they regulate)."""
        return self.enterprise_ids | frozenset(e for e, _ in self.unit_paths)


def _model(label: str) -> Any:
    """A model of an app above core, by label (as core's foreign keys name them): core imports no app."""
    return django_apps.get_model(label)


def scope_for(user: Any) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_safegrid_scope", None)
    if cached is not None:
        return cached
    Department = _model("regions.Department")

    roles: set[str] = set()
    everything = bool(user.is_superuser)
    all_divisions = False
    divisions: list[str] = []
    sectors: set[int] = set()
    grids: set[int] = set()
    grid_divisions: list[str] = []
    enterprises: set[int] = set()
    enterprise_roles: dict[int, set[str]] = {}
    units: list[tuple[int, str]] = []
    assignments = user.role_assignments.select_related("grid", "org_unit").all()
    for ra in assignments:
        roles.add(ra.role)
        if ra.role in COUNTY_ROLES:
            everything = True
        elif ra.role == Role.DEPT_OFFICER:
            all_divisions = True
            sectors.update(
                Department.sectors.through.objects.filter(department_id=ra.department_id).values_list(
                    "sector_id", flat=True
                )
            )
        elif ra.role == Role.TOWN_OFFICER:
            divisions.append(ra.division_id)
        elif ra.role == Role.GRID_WORKER:
            grids.add(ra.grid_id)
            grid_divisions.append(ra.grid.division_id)
        elif ra.role in ENTERPRISE_ROLES or ra.role == Role.EXPERT:
            enterprises.add(ra.enterprise_id)
            enterprise_roles.setdefault(ra.enterprise_id, set()).add(ra.role)
        elif ra.role == Role.UNIT_USER:
            units.append((ra.enterprise_id, ra.org_unit.path))
            enterprise_roles.setdefault(ra.enterprise_id, set()).add(ra.role)
    scope = Scope(
        everything=everything,
        all_divisions=all_divisions,
        division_codes=tuple(sorted(set(divisions))),
        sector_ids=frozenset(sectors),
        grid_ids=frozenset(grids),
        grid_division_codes=tuple(sorted(set(grid_divisions))),
        enterprise_ids=frozenset(enterprises),
        unit_paths=tuple(units),
        roles=frozenset(roles),
        enterprise_roles=MappingProxyType({e: frozenset(r) for e, r in enterprise_roles.items()}),
        superuser=bool(user.is_superuser),
    )
    user._safegrid_scope = scope
    return scope


def scope_key(user: Any) -> str:
    """A short digest of what the user may see: equal for users whose `scope_q` filters are equal.

    For caches of scoped answers: put it in the key and one scope's data is never served to another.
    """
    import hashlib

    scope = scope_for(user)
    parts = (
        scope.everything,
        scope.all_divisions,
        scope.division_codes,
        sorted(scope.sector_ids),
        sorted(scope.grid_ids),
        scope.grid_division_codes,
        sorted(scope.enterprise_ids),
        sorted(scope.unit_paths),
        bool(user is not None and user.is_authenticated and user.is_active),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _prefix(lookup: str, name: str) -> str:
    return f"{lookup}__{name}" if lookup else name


def _linked_q(model: type[models.Model], rule: ByEnterprise, enterprise_id: int, path: str) -> Q:
    """Rows of `model` in `enterprise_id` linked (by `rule.unit_links`) to a unit under `path`."""
    q = Q(pk__in=[])
    for link in rule.unit_links:
        linked = model._default_manager.filter(
            **{_prefix(rule.enterprise, "pk"): enterprise_id, f"{link}__startswith": path}
        ).values("pk")
        q |= Q(pk__in=linked)
    return q


def _enterprise_q(rule: ByEnterprise, scope: Scope, model: type[models.Model]) -> Q:
    Enterprise = _model("enterprises.Enterprise")

    ent = rule.enterprise
    q = Q(pk__in=[])
    for code in scope.division_codes:
        q |= Q(**{_prefix(ent, "division__code__startswith"): code})
    if scope.sector_ids:
        ent_id_ref = _prefix(ent, "pk") if ent else "pk"
        in_sector = Enterprise.sectors.through.objects.filter(
            enterprise_id=OuterRef(ent_id_ref), sector_id__in=scope.sector_ids
        )
        q |= Q(Exists(in_sector))
    if scope.grid_ids:
        q |= Q(**{_prefix(ent, "grid_id__in"): sorted(scope.grid_ids)})
    if scope.enterprise_ids:
        q |= Q(**{_prefix(ent, "pk__in"): sorted(scope.enterprise_ids)})
    for enterprise_id, path in scope.unit_paths:
        if not ent:
            q |= Q(pk=enterprise_id)
        elif rule.org_unit_path:
            unit_q = Q(**{f"{rule.org_unit_path}__startswith": path})
            if rule.unit_users_see_unplaced:
                unit_q |= Q(**{f"{rule.org_unit_path}__isnull": True})
            if rule.unit_links:
                unit_q |= _linked_q(model, rule, enterprise_id, path)
            q |= Q(**{_prefix(ent, "pk"): enterprise_id}) & unit_q
        elif rule.unit_users_see_unplaced:
            q |= Q(**{_prefix(ent, "pk"): enterprise_id})
    return q


def _division_q(rule: ByDivision, scope: Scope) -> Q:
    if scope.all_divisions:
        return Q()
    q = Q(pk__in=[])
    for code in scope.division_codes:
        q |= Q(**{f"{rule.code}__startswith": code})
    if rule.grid:
        if scope.grid_ids:
            q |= Q(**{f"{rule.grid}__in": sorted(scope.grid_ids)})
    else:
        for code in scope.grid_division_codes:
            q |= Q(**{f"{rule.code}__startswith": code})
    return q


def scope_q(model: type[models.Model], user: Any) -> Q | None:
    """The filter for `model` and `user`; None means no filter (county roles)."""
    rule: ScopeRule | None = getattr(model, "scope_rule", None)
    if rule is None:
        raise TypeError(f"{model._meta.label} declares no scope_rule; it cannot be read through a selector")
    if not (user is not None and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if isinstance(rule, ByUser):
        return Q(**{rule.user: user.pk})
    scope = scope_for(user)
    if scope.everything or isinstance(rule, Public):
        return None
    if isinstance(rule, ByEnterprise):
        return _enterprise_q(rule, scope, model)
    if isinstance(rule, ByOwner):
        return Q(**{rule.owner: user.pk})
    return _division_q(rule, scope)


def restrict(queryset: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    q = scope_q(queryset.model, user)
    return queryset if q is None else queryset.filter(q)


def get_scoped_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    # An id no row can have (a hand-edited URL) is simply not found: the database is not asked, as
    # SQLite cannot bind an integer beyond 64 bits.
    if any(isinstance(v, int) and not -MAX_ID <= v <= MAX_ID for v in lookup.values()):
        raise Http404(gettext("不存在或无权查看"))
    try:
        return restrict(queryset, user).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(gettext("不存在或无权查看"))
