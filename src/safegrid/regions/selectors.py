"""Every read of divisions, grids, departments and sectors, scoped to the user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from safegrid.core.scoping import get_scoped_or_404, restrict

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


def division_choices(user: Any) -> list[tuple[str, str]]:
    """Divisions the user sees, indented by level: (code, name) for a list filter."""
    return [
        (code, f"{_INDENT.get(level, '')}{name}")
        for code, name, level in division_list(user).order_by("code").values_list("code", "name", "level")
    ]


def sector_choices(user: Any) -> list[tuple[str, str]]:
    return list(sector_list(user).values_list("code", "name"))


def grid_choices(user: Any) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in grid_list(user).values_list("pk", "name")]
