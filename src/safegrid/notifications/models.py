from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByUser

from . import kinds


class Notification(models.Model):
    """One message to one user about one event (a filing returned, a certificate expiring…)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    kind = models.CharField(_("类别"), max_length=64)
    text = models.CharField(_("内容"), max_length=500)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    # The object it is about, as the audit log names objects ("risks.riskregisterfiling", "42").
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    scope_rule = ByUser("recipient")

    class Meta:
        verbose_name = _("消息通知")
        verbose_name_plural = _("消息通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            # The top bar's unread count on every page: a small partial index, only unread rows.
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.text[:40]}"

    @property
    def kind_label(self) -> str:
        return kinds.label(self.kind)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
