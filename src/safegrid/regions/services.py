"""Every write to grids (divisions, sectors and departments are reference data loaded by migrations)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from safegrid.core.audit import Actor
from safegrid.core.services import object_create, object_delete, object_update

from .models import Grid


def grid_create(*, actor: Actor, data: Mapping[str, Any]) -> Grid:
    return object_create(actor=actor, model=Grid, data=data)


def grid_update(*, actor: Actor, grid: Grid, data: Mapping[str, Any]) -> Grid:
    return object_update(actor=actor, obj=grid, data=data)


def grid_delete(*, actor: Actor, grid: Grid) -> None:
    """Enterprises in the grid keep existing and lose their grid (SET_NULL); the deletion is audited."""
    object_delete(actor=actor, obj=grid)
