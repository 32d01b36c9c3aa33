"""Limit changes (限值变更): every change of a point's limits is requested, approved by another person of the
enterprise, takes effect, and — when temporary — expires, restoring the limits in force before it.

A permanent change is a new version of the enterprise's process control limits (工艺控制指标), with the
document it comes from as its source; a temporary change has an expiry (rules/limits.py). The old values are
those of the point when the change took effect; `restore_*` are what an expiry brings back (for a temporary
change over another temporary change, the baseline before both). The status moves on core.workflow
(monitoring/workflows_points.py): requested → approved | rejected; approved → expired | superseded.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.core.workflow import TransitionLog

from ..rules.limits import ChangeKind, LimitSet
from .points import MonitoringPoint


class LimitChangeKind(models.TextChoices):
    PERMANENT = ChangeKind.PERMANENT, _("长期变更（新版工艺控制指标）")
    TEMPORARY = ChangeKind.TEMPORARY, _("临时变更（到期自动恢复）")


class LimitChangeStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    EXPIRED = "expired", _("已到期恢复")
    SUPERSEDED = "superseded", _("已被替代")


def _limit(label: Any) -> models.FloatField:
    return models.FloatField(label, null=True, blank=True)


class LimitChange(models.Model):
    point = models.ForeignKey(
        MonitoringPoint, on_delete=models.CASCADE, related_name="limit_changes", verbose_name=_("监测点位")
    )
    kind = models.CharField(_("变更类型"), max_length=12, choices=LimitChangeKind.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=LimitChangeStatus.choices, default=LimitChangeStatus.REQUESTED
    )
    # the new values
    ll = _limit(_("低低限 LL"))
    l = _limit(_("低限 L"))  # noqa: E741 - the standard's name
    h = _limit(_("高限 H"))
    hh = _limit(_("高高限 HH"))
    rate_limit = models.FloatField(
        _("变化速率限值（每分钟）"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    deadband = models.FloatField(_("死区"), default=0, validators=[MinValueValidator(0)])
    version = models.CharField(_("限值版本"), max_length=40)
    source = models.CharField(_("限值来源"), max_length=200)
    reason = models.TextField(_("变更原因"))
    # the point's values when the change took effect (empty until then)
    old_ll = _limit(_("原低低限"))
    old_l = _limit(_("原低限"))
    old_h = _limit(_("原高限"))
    old_hh = _limit(_("原高高限"))
    old_rate_limit = models.FloatField(_("原变化速率限值"), null=True, blank=True)
    old_deadband = models.FloatField(_("原死区"), null=True, blank=True)
    old_version = models.CharField(_("原限值版本"), max_length=40, blank=True)
    old_source = models.CharField(_("原限值来源"), max_length=200, blank=True)
    # what the expiry of a temporary change restores (set when it takes effect)
    restore = models.JSONField(_("到期恢复的限值"), null=True, blank=True)
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
    effective_from = models.DateTimeField(_("生效时间"))
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("实际生效时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    import_job = models.PositiveBigIntegerField(_("来自导入任务"), null=True, blank=True)

    scope_rule = ByEnterprise(enterprise="point__enterprise")
    workflow_fields = (
        "status",
        "approved_by",
        "approved_by_name",
        "decided_at",
        "applied_at",
        "ended_at",
        "restore",
        *(f"old_{name}" for name in ("ll", "l", "h", "hh", "rate_limit", "deadband", "version", "source")),
    )

    class Meta:
        verbose_name = _("限值变更")
        verbose_name_plural = _("限值变更")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ChangeKind.PERMANENT, expires_at__isnull=True)
                | Q(kind=ChangeKind.TEMPORARY, expires_at__isnull=False),
                name="mon_limitchange_expiry_by_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "effective_from"], name="mon_lc_status_from_idx"),
            models.Index(fields=["status", "expires_at"], name="mon_lc_status_expiry_idx"),
            models.Index(fields=["point", "status"], name="mon_lc_point_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.version} ({self.get_status_display()})"

    @property
    def new_set(self) -> LimitSet:
        return LimitSet(
            ll=self.ll,
            l=self.l,
            h=self.h,
            hh=self.hh,
            rate_limit=self.rate_limit,
            deadband=self.deadband,
            version=self.version,
            source=self.source,
        )

    @property
    def old_set(self) -> LimitSet | None:
        if self.applied_at is None:
            return None
        return LimitSet(
            ll=self.old_ll,
            l=self.old_l,
            h=self.old_h,
            hh=self.old_hh,
            rate_limit=self.old_rate_limit,
            deadband=self.old_deadband or 0.0,
            version=self.old_version,
            source=self.old_source,
        )

    @property
    def restore_set(self) -> LimitSet | None:
        return None if self.restore is None else LimitSet(**self.restore)

    @property
    def in_force(self) -> bool:
        return self.status == LimitChangeStatus.APPROVED and self.applied_at is not None


class LimitChangeTransition(TransitionLog):
    change = models.ForeignKey(LimitChange, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="change__point__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("限值变更记录")
        verbose_name_plural = _("限值变更记录")
