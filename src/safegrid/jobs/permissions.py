"""Who may act on jobs. Seeing them is the selector's job (Job.scope_rule)."""

from __future__ import annotations

from typing import Any

from safegrid.core.choices import Role
from safegrid.core.scoping import scope_for


def can_retry_jobs(user: Any) -> bool:
    """County admins run failed jobs again (anyone's, schedules' included)."""
    return bool(getattr(user, "is_superuser", False)) or Role.COUNTY_ADMIN in scope_for(user).roles
