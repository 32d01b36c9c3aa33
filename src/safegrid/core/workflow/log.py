"""The transition-log base model: one row per move of a workflow object.

An app subclasses it with the foreign key to its own model (and, if it wants, choices on the status
fields); the workflow service writes the rows:

    class FilingTransition(TransitionLog):
        filing = models.ForeignKey(RiskRegisterFiling, on_delete=models.CASCADE, related_name="transitions")
        scope_rule = ByEnterprise(enterprise="filing__enterprise")

        class Meta(TransitionLog.Meta):
            verbose_name = _("备案流转记录")
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TransitionLog(models.Model):
    from_status = models.CharField(_("原状态"), max_length=32, blank=True)  # "" when the object was created
    to_status = models.CharField(_("新状态"), max_length=32)
    action = models.CharField(_("操作"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.TextField(_("意见"), blank=True)
    evidence = models.JSONField(_("佐证"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'}→{self.to_status} ({self.action})"
