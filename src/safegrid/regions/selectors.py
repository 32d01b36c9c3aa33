"""Every read of divisions, grids, departments and sectors, scoped to the user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from safegrid.core.scoping import get_scoped_or_404, restrict, scope_key

from .models import Department, Division, Grid, Sector


def division_list(user: Any) -> QuerySet[Division]:
    return restrict(Division.objects.select_related("parent"), user)


def division_get(user: Any, code: str) -> Division:
    return get_scoped_or_404(Division.objects.select_related("parent"), user, pk=code)


def grid_list(user: Any) -> QuerySet[Grid]:
    return restrict(Grid.objects.select_related("division", "worker"), user)


def grid_get(user: Any, pk: Any) -> Grid:
    return get_scoped_or_404(Grid.objects.select_related("division", "worker"), user, pk=pk)


def department_list(user: Any) -> QuerySet[Department]:
    return restrict(Department.objects.prefetch_related("sectors"), user)


def department_get(user: Any, pk: Any) -> Department:
    return get_scoped_or_404(Department.objects.prefetch_related("sectors"), user, pk=pk)


def sector_list(user: Any) -> QuerySet[Sector]:
    return restrict(Sector.objects.all(), user)


# ---- filter choices for list pages of any app (one query each) ---------------------------------------

_INDENT = {"county": "", "town": "　", "village": "　　"}
# The division, grid and sector drop-downs (hundreds of options on every list page) are cached per scope:
# divisions and sectors are reference data loaded by migrations, and a grid's write (`services`) moves
# GRIDS_VERSION on commit. The time bounds what another process's per-process cache may still show after a
# change elsewhere.
CHOICES_SECONDS = 300
GRIDS_VERSION = "regions:grids:version"


def _cached(kind: str, user: Any, build: Callable[[], list[tuple[str, str]]]) -> list[tuple[str, str]]:
    version = cache.get(GRIDS_VERSION, 0) if kind == "grids" else 0
    key = f"regions:choices:{kind}:{version}:{scope_key(user)}"
    found: list[tuple[str, str]] | None = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CHOICES_SECONDS)
    return found


def grids_changed() -> None:
    """Called on commit of any grid write: every cached grid drop-down is stale."""
    try:
        cache.incr(GRIDS_VERSION)
    except ValueError:  # not there yet (or expired)
        cache.set(GRIDS_VERSION, 1, None)


def division_choices(user: Any) -> list[tuple[str, str]]:
    """Divisions the user sees, indented by level: (code, name) for a list filter."""
    return _cached(
        "divisions",
        user,
        lambda: [
            (code, f"{_INDENT.get(level, '')}{name}")
            for code, name, level in division_list(user).order_by("code").values_list("code", "name", "level")
        ],
    )


def division_names() -> dict[str, str]:
    """Every division's name by code, to label rows a user already reads (no scope: a row's own division)."""
    return _cached_map("divisions", lambda: dict(Division.objects.values_list("code", "name")))


def grid_names() -> dict[int, str]:
    """Every grid's name by id, to label rows a user already reads (no scope: a row's own grid)."""
    return _cached_map("grids", lambda: dict(Grid.objects.values_list("pk", "name")))


def _cached_map(kind: str, build: Callable[[], dict[Any, str]]) -> dict[Any, str]:
    version = cache.get(GRIDS_VERSION, 0) if kind == "grids" else 0
    key = f"regions:names:{kind}:{version}"
    found: dict[Any, str] | None = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CHOICES_SECONDS)
    return found


def sector_ids(code: str) -> frozenset[int]:
    """The ids of the sector with this code (reference data: one query per process and cache period)."""
    key = f"regions:sector-ids:{code}"
    found: frozenset[int] | None = cache.get(key)
    if found is None:
        found = frozenset(Sector.objects.filter(code=code).values_list("pk", flat=True))
        cache.set(key, found, CHOICES_SECONDS)
    return found


def sector_choices(user: Any) -> list[tuple[str, str]]:
    """Sectors are reference data loaded by migrations: cached per scope like the divisions."""
    return _cached("sectors", user, lambda: list(sector_list(user).values_list("code", "name")))


def grid_choices(user: Any) -> list[tuple[str, str]]:
    return _cached(
        "grids", user, lambda: [(str(pk), name) for pk, name in grid_list(user).values_list("pk", "name")]
    )
