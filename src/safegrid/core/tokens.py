"""API bearer tokens: issue, verify, revoke.

A token is `sg_` + `secrets.token_urlsafe(32)` (256 random bits). Only its SHA-256 is stored
(`ApiToken.digest`, unique and indexed, so verification is one indexed lookup); the first
characters are kept as `prefix` so a user can tell their tokens apart. The secret is shown once,
at issue. Issue and revoke are audited; verification refuses revoked and expired tokens and
inactive users, and records use at most once a minute per token so that reads stay write-free.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from . import audit
from .audit import Actor
from .choices import AuditAction
from .models import ApiToken, User

TOKEN_TAG = "sg_"
PREFIX_LENGTH = 12  # ApiToken.prefix max_length: "sg_" + 9 characters of the secret
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
NAME_MAX_LENGTH = 64


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _audit_payload(token: ApiToken, event: str) -> dict[str, object]:
    """What the audit trail keeps about a token: never the digest, never the secret."""
    return {
        "event": event,
        "user": token.user_id,
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


def token_issue(*, actor: Actor, user: User, name: str = "api") -> tuple[str, ApiToken]:
    """Create a token for `user`; return the secret (shown once) and the stored row."""
    if not user.is_active:
        raise ValidationError({"username": gettext("该账号已停用")})
    name = (name or "api").strip()[:NAME_MAX_LENGTH] or "api"
    raw = TOKEN_TAG + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name,
        prefix=raw[:PREFIX_LENGTH],
        digest=token_digest(raw),
        expires_at=now + dt.timedelta(days=settings.SAFEGRID_API_TOKEN_DAYS),
    )
    with transaction.atomic():
        token.save(force_insert=True)
        audit.record(
            actor=actor,
            action=AuditAction.TOKEN,
            obj=token,
            after=_audit_payload(token, "issue"),
            comment="签发 API 令牌",
        )
    return raw, token


def token_verify(raw: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The live token for `raw` (with its user loaded), or None when unknown/revoked/expired/inactive."""
    if not raw or not raw.startswith(TOKEN_TAG) or len(raw) > 128:
        return None
    digest = token_digest(raw)
    token = ApiToken.objects.select_related("user").filter(digest=digest).first()
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    now = now or timezone.now()
    if token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        # Conditional update: concurrent requests write at most once per resolution window.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke `token` (idempotent: revoking a revoked token changes nothing and records nothing)."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action=AuditAction.TOKEN,
            obj=locked,
            before={"revoked_at": None},
            after=_audit_payload(locked, "revoke"),
            comment="吊销 API 令牌",
        )
    return locked
