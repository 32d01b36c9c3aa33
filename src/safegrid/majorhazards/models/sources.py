"""Units of an enterprise that GB 18218 identifies and grades; a unit with S ≥ 1 is a major hazard source.

HazardUnit (the identification unit, its current result and the facilities its grade requires), Substance
(the reference table: the shipped rows of GB 18218 Table 1 and the substances the county adds),
UnitSubstance (a unit's substance with its design maximum q — the value graded — and, apart from it, the
stock on hand), SitePopulation (the enterprise's resident population within 500 m of the plant boundary,
which sets α) and UnitGrading (every grading with its standard, inputs and terms).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise, Public

from ..choices import SourceGrade, UnitKind
from ..rules import gb18218

CATEGORY_CHOICES = [(c.code, f"{c.code} {c.name}") for c in gb18218.CATEGORIES]


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
    # How many facilities the grade requires (rules.requirements) are not in place; kept by the services.
    requirement_gaps = models.PositiveSmallIntegerField(_("未落实的设施要求"), default=0)
    # The facilities a grade requires (rules/requirements.py): in place yes/no, and a note.
    esd_in_place = models.BooleanField(_("紧急停车系统已装备"), default=False)
    esd_note = models.CharField(_("紧急停车系统说明"), max_length=200, blank=True)
    sis_in_place = models.BooleanField(_("独立安全仪表系统已配备"), default=False)
    sis_note = models.CharField(_("安全仪表系统说明"), max_length=200, blank=True)
    cutoff_in_place = models.BooleanField(_("紧急切断装置已投用"), default=False)
    cutoff_note = models.CharField(_("紧急切断装置说明"), max_length=200, blank=True)
    video_in_place = models.BooleanField(_("视频监控已设置"), default=False)
    video_note = models.CharField(_("视频监控说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ByEnterprise(enterprise="enterprise")
    derived_fields = ("is_major", "grade", "graded_at", "requirement_gaps")
    # rules.requirements facility key -> (in place field, note field)
    FACILITY_FIELDS = {
        "emergency_shutdown": ("esd_in_place", "esd_note"),
        "independent_sis": ("sis_in_place", "sis_note"),
        "emergency_cutoff": ("cutoff_in_place", "cutoff_note"),
        "video": ("video_in_place", "video_note"),
    }

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


class Substance(models.Model):
    """A hazardous substance with its GB 18218 critical quantity Q, category and β.

    The rows of Table 1 are shipped by migration 0002_grading (`shipped`, read-only); the county admin adds
    others with their CAS, Q and category. β is the named toxic gas's own (Table 3, by CAS) or the
    category's, computed when the row is saved by the service.
    """

    name = models.CharField(_("名称"), max_length=100)
    variant = models.CharField(_("规格/说明"), max_length=60, blank=True)
    aliases = models.CharField(_("别名"), max_length=300, blank=True, help_text=_("多个用“、”分隔"))
    cas = models.CharField(_("CAS号"), max_length=20, blank=True)
    category = models.CharField(_("危险性类别"), max_length=8, choices=CATEGORY_CHOICES)
    critical_quantity = models.DecimalField(
        _("临界量（吨）"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    beta = models.DecimalField(_("校正系数β"), max_digits=5, decimal_places=2)
    toxic_gas = models.BooleanField(_("毒性气体"), default=False)
    liquefied_gas = models.BooleanField(_("液化气体"), default=False)
    highly_toxic = models.BooleanField(_("剧毒化学品"), default=False)
    shipped = models.BooleanField(_("标准内置"), default=False, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    scope_rule = Public()

    class Meta:
        verbose_name = _("危险化学品（GB 18218）")
        verbose_name_plural = _("危险化学品（GB 18218）")
        ordering = ["-shipped", "name", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["name", "variant"], name="majorhazards_substance_name_unique"),
            models.UniqueConstraint(
                fields=["cas", "variant"],
                condition=~Q(cas=""),
                name="majorhazards_substance_cas_unique",
                violation_error_message=_("该CAS号已登记"),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.name}（{self.variant}）" if self.variant else self.name

    @property
    def alias_list(self) -> list[str]:
        return [a for a in self.aliases.split("、") if a]

    @property
    def flags(self) -> list[str]:
        return [
            str(label)
            for on, label in (
                (self.toxic_gas, _("毒性气体")),
                (self.liquefied_gas, _("液化气体")),
                (self.highly_toxic, _("剧毒")),
            )
            if on
        ]


def ship_substances(model: type[models.Model] | None = None) -> int:
    """Write the named substances of rules.gb18218 (Table 1) as shipped rows; idempotent (by name and variant).

    `model` is the historical model in the data migration, the current one elsewhere (the test world)."""
    target = model or Substance
    count = 0
    for row in gb18218.NAMED:
        target._default_manager.update_or_create(
            name=row.name,
            variant=row.variant,
            defaults={
                "aliases": "、".join(row.aliases),
                "cas": row.cas,
                "category": row.category,
                "critical_quantity": row.q,
                "beta": row.beta,
                "toxic_gas": row.toxic_gas,
                "liquefied_gas": row.liquefied_gas,
                "highly_toxic": row.highly_toxic,
                "shipped": True,
            },
        )
        count += 1
    return count


class UnitSubstance(models.Model):
    """A substance of a unit: the design maximum quantity q (GB 18218 §4.2.2, the value graded) and, kept
    apart from it, the stock on hand."""

    unit = models.ForeignKey(
        HazardUnit, on_delete=models.CASCADE, related_name="lines", verbose_name=_("辨识单元")
    )
    substance = models.ForeignKey(
        Substance, on_delete=models.PROTECT, related_name="unit_lines", verbose_name=_("危险化学品")
    )
    design_quantity = models.DecimalField(
        _("设计最大量（吨）"),
        max_digits=14,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    stock_quantity = models.DecimalField(
        _("现有存量（吨）"),
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ByEnterprise(enterprise="unit__enterprise")

    class Meta:
        verbose_name = _("单元危险化学品")
        verbose_name_plural = _("单元危险化学品")
        ordering = ["unit_id", "substance__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "substance"],
                name="majorhazards_line_unique",
                violation_error_message=_("该单元已登记这种危险化学品"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.substance} {self.design_quantity} t"


class SitePopulation(models.Model):
    """The resident population (常住人口) within 500 m outward from the enterprise's plant boundary: one row
    per enterprise, with how it was counted and when. It sets α for every unit of the enterprise."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="site_population",
        verbose_name=_("企业"),
    )
    people = models.PositiveIntegerField(_("厂区边界外500米范围内常住人口（人）"))
    basis = models.CharField(_("数据来源"), max_length=200)
    counted_on = models.DateField(_("统计日期"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ByEnterprise(enterprise="enterprise")

    class Meta:
        verbose_name = _("周边常住人口")
        verbose_name_plural = _("周边常住人口")

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.people}"


class UnitGrading(models.Model):
    """One GB 18218 grading of a unit: the standard, its inputs, S, α, R, the grade and every term (JSON,
    decimals as strings at full precision). A row is written whenever the result or its inputs change."""

    unit = models.ForeignKey(
        HazardUnit, on_delete=models.CASCADE, related_name="gradings", verbose_name=_("辨识单元")
    )
    standard = models.CharField(_("标准版本"), max_length=40)
    people_exposed = models.PositiveIntegerField(_("周边常住人口"), null=True, blank=True)
    s = models.DecimalField(_("S（Σq/Q）"), max_digits=20, decimal_places=6)
    is_major = models.BooleanField(_("构成重大危险源"))
    alpha = models.DecimalField(_("α"), max_digits=4, decimal_places=2, null=True, blank=True)
    r = models.DecimalField(_("R"), max_digits=20, decimal_places=6, null=True, blank=True)
    grade = models.PositiveSmallIntegerField(_("等级"), null=True, blank=True, choices=SourceGrade.choices)
    terms = models.JSONField(_("计算项"), default=list, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    computed_by_name = models.CharField(_("操作人"), max_length=100, blank=True)
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    scope_rule = ByEnterprise(enterprise="unit__enterprise")

    class Meta:
        verbose_name = _("重大危险源分级记录")
        verbose_name_plural = _("重大危险源分级记录")
        ordering = ["unit_id", "-computed_at", "-pk"]
        indexes = [models.Index(fields=["unit", "-computed_at"], name="majorhazards_grading_unit_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.computed_at:%Y-%m-%d} {self.grade}"
