"""Which SafeGrid object a national-format id stands for (written by `national.importer` only)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.enterprises.models import Enterprise


class NationalKind(models.TextChoices):
    UNIT = "units", _("风险分析单元")
    EVENT = "events", _("风险事件")
    MEASURE = "measures", _("管控措施")
    TASK = "tasks", _("排查任务")
    RECORD = "records", _("排查记录")
    HAZARD = "hazards", _("隐患")
    SHUTDOWN = "shutdowns", _("停用检修记录")


class NationalLink(models.Model):
    """A national id received by an import and the object it created or updated, so a re-import updates it.

    `extra` keeps the entity's national fields as last received, for those SafeGrid does not model
    (`hazardCode`, `enforcementId`, `isDefend`, `createBy` …): an export gives them back unchanged.
    Objects never imported go out under a stable derived id (`rules.national.national_id`) and need no row.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=NationalKind.choices)
    national_id = models.CharField(_("国家平台 id"), max_length=64)
    object_id = models.PositiveBigIntegerField(_("对象 id"))
    extra = models.JSONField(_("未建模字段"), default=dict, blank=True)
    synced_at = models.DateTimeField(_("导入时间"))

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("国家平台数据对应")
        verbose_name_plural = _("国家平台数据对应")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "national_id"], name="national_link_id_once"
            ),
            models.UniqueConstraint(fields=["kind", "object_id"], name="national_link_object_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.national_id}"
