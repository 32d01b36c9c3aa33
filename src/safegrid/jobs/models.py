"""Job: one piece of background work a user can watch; ScheduleRun: one fired slot of a schedule."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from safegrid.core.scoping import ByOwner

from .choices import ACTIVE_STATUSES, JobStatus


class Job(models.Model):
    """What the user sees of a background task: status, progress, result or error.

    The queue itself (django-tasks) only carries the job's uuid; this row is the truth. A worker claims it
    with a conditional UPDATE (queued → running), so a task delivered twice runs once.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("任务类型"), max_length=64)
    title = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("参数"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("发起人"),
    )
    actor_label = models.CharField(_("发起方"), max_length=150)
    # Which enterprise/division the work concerns (shown, and used by the audit trail); plain values so
    # this app stays below enterprises and regions.
    enterprise_id = models.BigIntegerField(_("企业"), null=True, blank=True)
    division_code = models.CharField(_("行政区划"), max_length=12, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("进度说明"), max_length=300, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("已执行次数"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("最多执行次数"), default=3)
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    run_after = models.DateTimeField(_("计划执行时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    scope_rule = ByOwner("created_by")

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="job_owner_recent_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_attempts__gte=1), name="job_max_attempts_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def initiator(self) -> str:
        """Who started it, as shown: the user's name, "定时任务" for schedules, else the system actor."""
        if self.created_by is not None:
            return str(self.created_by)
        if self.actor_label.startswith("system:schedule:"):
            return pgettext("job initiator", "定时任务")
        return self.actor_label

    @property
    def percent(self) -> int | None:
        """Percent done, or None while the total is unknown (an indeterminate bar)."""
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))


class ScheduleRun(models.Model):
    """One slot of one schedule that has fired. The unique (name, slot) pair makes it fire once:
    of several workers ticking at the same moment, only the one whose INSERT succeeds enqueues."""

    name = models.CharField(_("定时任务"), max_length=100)
    slot = models.DateTimeField(_("计划时刻"))
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("触发时间"), auto_now_add=True)

    # Schedule jobs have no human owner, so only county roles see these rows.
    scope_rule = ByOwner("job__created_by")

    class Meta:
        verbose_name = _("定时任务记录")
        verbose_name_plural = _("定时任务记录")
        ordering = ["-slot", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="schedule_run_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"
