"""Write permissions for API routes.

The predicates themselves live with their app (`safegrid.enterprises.permissions`, shared with the
web views, so a rule is the same on a page and in the API). Reads are decided by the selectors
(out of scope = 404) before these run; a False answer on a visible object is a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

DEFAULT_MESSAGE = "无权执行此操作"


def require(allowed: bool, message: str = DEFAULT_MESSAGE) -> None:
    """Refuse the request with 403 (the API's `forbidden` error) unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)
