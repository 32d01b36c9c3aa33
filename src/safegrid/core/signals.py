"""Sign-ins and failed sign-ins go to the audit trail (axes does the locking itself)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import audit
from .choices import AuditAction
from .models import AuditEntry


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action=AuditAction.LOGIN, obj=user, after={"ip": _ip(request)})


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # A username may be longer than an object id (64): the id is cut, `after` keeps it whole.
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="core.user",
        object_id=username[: AuditEntry._meta.get_field("object_id").max_length],
        after={"ip": _ip(request), "username": username},
    )


def _ip(request: Any) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))
