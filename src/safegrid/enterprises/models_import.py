"""ImportJob: one uploaded Excel file, the job importing it, and its outcome (the error table)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    ENTERPRISES = "enterprises", _("企业")
    PEOPLE = "people", _("人员及证书")
    RISK_REGISTER = "risk_register", _("风险清单")  # uploaded on the risks pages (risks.jobs)
    MONITORING_POINTS = (
        "mon_points",
        _("监测点位及限值"),
    )  # uploaded on the monitoring pages (monitoring.jobs)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("处理中")
    PREVIEW = "preview", _("待确认")  # checked, changes shown; nothing written until confirmed
    DONE = "done", _("导入完成")
    FAILED = "failed", _("未导入")
    CANCELLED = "cancelled", _("已取消")


class ImportJob(models.Model):
    """An all-or-nothing import of one workbook.

    Progress, retries and the worker's errors live on `job` (a `jobs.Job`); this row keeps what
    the Job does not: the uploaded bytes (imports are rare and a few MB at most, so the regulator
    can always see exactly which file produced which rows; the audit summary carries the file's
    SHA-256) and the outcome — created rows, or the table of problems by sheet/row/column. A job
    is private to the person who uploaded it: it is read only through
    `import_jobs.import_job_get(user, pk)`, which filters on `created_by`, so it declares no
    division/enterprise `scope_rule` and `restrict()` refuses it.
    """

    kind = models.CharField(_("导入类型"), max_length=16, choices=ImportKind.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    content = models.BinaryField(_("文件内容"))
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("上传人"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("导入到企业"),
    )
    job = models.OneToOneField(
        "jobs.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("后台任务"),
    )
    status = models.CharField(
        _("结果"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("已导入行数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    summary = models.JSONField(_("导入汇总"), default=dict, blank=True)
    # What the import would change (counts and the per-row list), shown for confirmation; the import
    # then writes only if the same check still gives these changes (see import_jobs.upload_confirm).
    preview = models.JSONField(_("导入预览"), default=dict, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def is_running(self) -> bool:
        """Still being worked on: queued here and its job neither finished nor failed for good."""
        return self.status == ImportStatus.QUEUED and self.job is not None and self.job.is_active
