"""Units of an enterprise that GB 18218 identifies and grades; a unit with S ≥ 1 is a major hazard source."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise

from ..choices import SourceGrade, UnitKind


class HazardUnit(models.Model):
    """A production or storage unit (危险化学品重大危险源辨识单元) of an enterprise."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="hazard_units",
        verbose_name=_("企业"),
    )
    code = models.CharField(_("单元编码"), max_length=40)
    name = models.CharField(_("单元名称"), max_length=100)
    kind = models.CharField(_("单元类型"), max_length=20, choices=UnitKind.choices)
    location = models.CharField(_("位置"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("单元说明"), blank=True)
    # The current GB 18218 result, kept beside the unit for lists and scoping of "major hazard sources"; the
    # grading with every term is its own record. Written only by the grading service.
    is_major = models.BooleanField(_("构成重大危险源"), default=False)
    grade = models.PositiveSmallIntegerField(
        _("重大危险源等级"), null=True, blank=True, choices=SourceGrade.choices
    )
    graded_at = models.DateTimeField(_("分级时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ByEnterprise(enterprise="enterprise")

    class Meta:
        verbose_name = _("重大危险源辨识单元")
        verbose_name_plural = _("重大危险源辨识单元")
        ordering = ["enterprise_id", "code"]
        indexes = [models.Index(fields=["is_major", "grade"], name="majorhazards_unit_major_idx")]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "code"], name="majorhazards_unit_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
