"""Who may change divisions and grids. Divisions are reference data: read-only in the UI."""

from __future__ import annotations

from typing import Any

from safegrid.core.choices import Role
from safegrid.core.scoping import scope_for


def can_manage_grids(user: Any) -> bool:
    """Grids (and their worker) are set up by the county administrator."""
    return bool(getattr(user, "is_superuser", False)) or Role.COUNTY_ADMIN in scope_for(user).roles
