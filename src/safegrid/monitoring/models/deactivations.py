"""Point deactivations (点位停用申请): taking a point out of use is requested with a reason and approved by
another person of the enterprise (rules/deactivation.py); on approval the point becomes inactive and its
active alarms clear. The status moves on core.workflow (workflows_points.POINT_DEACTIVATION):
requested → approved | rejected.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.core.workflow import TransitionLog

from .points import MonitoringPoint


class DeactivationStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class PointDeactivation(models.Model):
    point = models.ForeignKey(
        MonitoringPoint, on_delete=models.CASCADE, related_name="deactivations", verbose_name=_("监测点位")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=DeactivationStatus.choices, default=DeactivationStatus.REQUESTED
    )
    reason = models.TextField(_("停用原因"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_by_name = models.CharField(_("申请人"), max_length=150)
    requested_at = models.DateTimeField(_("申请时间"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    approved_by_name = models.CharField(_("审批人"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    scope_rule = ByEnterprise(enterprise="point__enterprise")
    workflow_fields = ("status", "approved_by", "approved_by_name", "decided_at")

    class Meta:
        verbose_name = _("点位停用申请")
        verbose_name_plural = _("点位停用申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["point"],
                condition=Q(status="requested"),
                name="mon_deactivation_one_pending",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="mon_deact_status_idx")]

    def __str__(self) -> str:
        return f"{self.point_id} ({self.get_status_display()})"


class PointDeactivationTransition(TransitionLog):
    deactivation = models.ForeignKey(PointDeactivation, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="deactivation__point__enterprise")
