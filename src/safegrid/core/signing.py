"""Signing with one's own login: the signer re-enters their password for a document (a filed book, a
self-report), and wrong passwords are audited and limited.

The sign page must not become a way round the sign-in lockout (django-axes) for guessing passwords: past
`SIGN_MAX_FAILURES` wrong passwords for one document within `SIGN_LOCKOUT`, signing that document pauses.
Each failure is an audit entry (`LOGIN_FAILED` on the document), recorded outside the caller's refused
write, so call this before the signing transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext

from . import audit
from .choices import AuditAction
from .models import AuditEntry, User

SIGN_MAX_FAILURES = 5  # wrong passwords per user and document within SIGN_LOCKOUT
SIGN_LOCKOUT = dt.timedelta(minutes=15)


def recent_failures(actor: User, obj: models.Model) -> int:
    return AuditEntry.objects.filter(
        action=AuditAction.LOGIN_FAILED,
        actor=actor,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        at__gte=timezone.now() - SIGN_LOCKOUT,
    ).count()


def check_password(actor: User, obj: models.Model, password: str, *, purpose: str) -> None:
    """Refuse (ValidationError on `password`) unless `password` is the actor's; `purpose` names the
    signing in the audit entry of a failure ("一企一册签署")."""
    minutes = int(SIGN_LOCKOUT.total_seconds() // 60)
    if recent_failures(actor, obj) >= SIGN_MAX_FAILURES:
        raise ValidationError(
            {"password": gettext("密码错误次数过多，请 %(minutes)s 分钟后再签署") % {"minutes": minutes}}
        )
    if password and actor.check_password(password):
        return
    audit.record(
        actor=actor,
        action=AuditAction.LOGIN_FAILED,
        obj=obj,
        comment=gettext("%(purpose)s：密码错误") % {"purpose": purpose},
    )
    raise ValidationError({"password": gettext("密码不正确，签署未完成")})
