"""What the API itself stores: the first answer to each Idempotency-Key (see `idempotency.py`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One Idempotency-Key of one user, with the request it was first used for and that request's answer.

    Inserted in the same transaction as the request's own writes, after they succeeded, so a stored key
    always has its answer and the objects it created. Infrastructure, not business data: not audited and
    not read by users (no `scope_rule`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    key = models.CharField(_("幂等键"), max_length=255)
    fingerprint = models.CharField(_("请求摘要"), max_length=64, help_text=_("SHA-256(方法、路径、请求体)"))
    method = models.CharField(_("方法"), max_length=8)
    path = models.CharField(_("路径"), max_length=1000)
    status_code = models.PositiveSmallIntegerField(_("状态码"))
    content_type = models.CharField(_("内容类型"), max_length=100, blank=True)
    response_body = models.BinaryField(_("应答内容"), blank=True)
    location = models.CharField(_("重定向地址"), max_length=1000, blank=True, help_text=_("表单保存后的跳转"))
    created_at = models.DateTimeField(_("首次使用时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
