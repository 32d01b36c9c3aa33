"""Every write to grids (divisions, sectors and departments are reference data loaded by migrations)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from safegrid.core.audit import Actor
from safegrid.core.services import authorize, object_create, object_delete, object_update

from .models import Grid
from .permissions import can_manage_grids
from .selectors import grids_changed

GRIDS_ONLY = "只有县级管理员可以设置网格"


def grid_create(*, actor: Actor, data: Mapping[str, Any]) -> Grid:
    authorize(actor, can_manage_grids, GRIDS_ONLY)
    with transaction.atomic():
        transaction.on_commit(grids_changed)
        return object_create(actor=actor, model=Grid, data=data)


def grid_update(*, actor: Actor, grid: Grid, data: Mapping[str, Any]) -> Grid:
    authorize(actor, can_manage_grids, GRIDS_ONLY)
    with transaction.atomic():
        transaction.on_commit(grids_changed)
        return object_update(actor=actor, obj=grid, data=data)


def grid_delete(*, actor: Actor, grid: Grid) -> None:
    """Enterprises in the grid keep existing and lose their grid (SET_NULL); the deletion is audited."""
    authorize(actor, can_manage_grids, GRIDS_ONLY)
    with transaction.atomic():
        transaction.on_commit(grids_changed)
        object_delete(actor=actor, obj=grid)
