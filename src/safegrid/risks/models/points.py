"""Risk points, hazard factors, assessments, control measures and responsibility tiers.

The chain follows REFERENCE.md §1/§3: a risk point (风险点) has hazard factors (危险源), each
factor is assessed (LEC/LS/MES) into a level 1–4, the point takes the most dangerous level, and
the point carries two lists: control measures (管控措施清单, each of which later yields inspection
tasks) and responsibility by tier (管控责任清单: company/workshop/team/post).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise, Public
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import Enterprise, OrgUnit, Person
from safegrid.regions.models import LAT_VALIDATORS, LON_VALIDATORS, Division

from ..choices import (
    AccidentType,
    AssessmentKind,
    AssessmentMethod,
    CheckCycleUnit,
    Classify1,
    Classify2,
    ControlTier,
    DataSource,
    HazardCategory,
    IdentificationMethod,
    LsVariant,
    MeasureKind,
    RiskColour,
    RiskLevel,
    RiskPointType,
    WorkDayType,
    classify2_parent,
)
from ..rules import assessment as rules
from ..rules import methods, regional, register_diff

UNIT_FRACTION = [MinValueValidator(0.0), MaxValueValidator(1.0)]
PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
PHOTO_MAX_BYTES = 5 * 1024 * 1024  # the national upload accepts photos up to 5 MB


class OptionalFieldFile(FieldFile):
    """A FieldFile whose `url` is "" when no file is attached (instead of raising ValueError).

    Optional photos are the norm here; templates and the audit snapshot can read `.url` safely.
    """

    @property
    def url(self) -> str:
        return super().url if self else ""


class OptionalFileField(models.FileField):
    attr_class = OptionalFieldFile


# Besides the points placed in their own unit, a workshop/team/post user reaches the points their unit is
# linked to: a control tier held by their unit (管控责任清单), a measure their post checks (责任岗位), or the
# post card written for their post. So a post worker scanning the QR code where their post works finds the
# card, though the point itself hangs off the workshop.
POINT_UNIT_LINKS = ("tiers__org_unit__path", "measures__responsible_post__path", "cards__post__path")


def point_scope(to_point: str = "") -> ByEnterprise:
    """The scope rule of a risk point (`to_point=""`) or of a row hanging off one (`"risk_point__"`)."""
    return ByEnterprise(
        enterprise=f"{to_point}enterprise",
        org_unit_path=f"{to_point}org_unit__path",
        unit_links=tuple(f"{to_point}{link}" for link in POINT_UNIT_LINKS),
    )


def new_qr_token() -> str:
    return secrets.token_urlsafe(16)


def validate_photo_size(value: models.fields.files.FieldFile) -> None:
    if value and value.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("照片不能超过 5 MB"))


def validate_accident_types(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("可能导致的事故类型须为 GB 6441 代码列表"))
    unknown = [v for v in value if v not in AccidentType.values]
    if unknown:
        raise ValidationError(
            _("未知的事故类型代码：%(codes)s（GB 6441-1986 代码为 01–20）"),
            params={"codes": "、".join(unknown)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("事故类型不能重复"))


class RiskPoint(models.Model):
    """A risk point (风险点): a facility/part/place/area, or an operation/work activity."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="risk_points", verbose_name=_("企业")
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_points",
        verbose_name=_("所属车间/部门"),
    )
    code = models.CharField(_("风险点编号"), max_length=32)
    name = models.CharField(_("风险点名称"), max_length=100)
    type = models.CharField(_("风险点类型"), max_length=12, choices=RiskPointType.choices)
    location = models.CharField(_("位置"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True, validators=LAT_VALIDATORS)
    lon = models.FloatField(_("经度"), null=True, blank=True, validators=LON_VALIDATORS)
    plan_x = models.FloatField(_("平面图横坐标"), null=True, blank=True, validators=UNIT_FRACTION)
    plan_y = models.FloatField(_("平面图纵坐标"), null=True, blank=True, validators=UNIT_FRACTION)
    photo = OptionalFileField(
        _("照片"),
        upload_to="risks/points/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(PHOTO_EXTENSIONS), validate_photo_size],
    )
    description = models.TextField(_("说明"), blank=True)
    level = models.PositiveSmallIntegerField(
        _("风险等级"), choices=RiskLevel.choices, null=True, blank=True, editable=False
    )
    level_method_version = models.CharField(_("定级方法"), max_length=80, blank=True, editable=False)
    qr_token = models.CharField(max_length=32, unique=True, default=new_qr_token, editable=False)
    active = models.BooleanField(_("在用"), default=True)
    # The hazard factors and control measures in use, kept beside the point by `services.revision` in the
    # transaction that changes them (as the register counters are), so the list shows and sorts them
    # from the row and an index instead of counting ~750,000 rows.
    factor_count = models.PositiveIntegerField(_("危险源数"), default=0, editable=False)
    measure_count = models.PositiveIntegerField(_("管控措施数"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = point_scope()
    # level/level_method_version: computed by services.points.risk_point_recompute_level from the
    # assessments; the two counts by services.revision. object_update refuses them all.
    derived_fields = ("level", "level_method_version", "qr_token", "factor_count", "measure_count")

    class Meta:
        verbose_name = _("风险点")
        verbose_name_plural = _("风险点")
        ordering = ["enterprise_id", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "code"], name="risk_point_code_unique"),
            models.CheckConstraint(
                name="risk_point_level_1_to_4",
                condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=4),
            ),
            models.CheckConstraint(
                name="risk_point_lat_lon_both_or_neither",
                condition=models.Q(lat__isnull=True, lon__isnull=True)
                | models.Q(lat__isnull=False, lon__isnull=False),
            ),
            models.CheckConstraint(
                name="risk_point_plan_xy_both_or_neither",
                condition=models.Q(plan_x__isnull=True, plan_y__isnull=True)
                | models.Q(plan_x__isnull=False, plan_y__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "active", "level"]),
            # One per sortable column of the risk-point list, ending in id (the list's tie-breaker), so
            # a page is an index walk whatever its depth.
            models.Index(fields=["code", "id"], name="risk_point_code_id_idx"),
            models.Index(fields=["name", "id"], name="risk_point_name_id_idx"),
            models.Index(fields=["level", "id"], name="risk_point_level_id_idx"),
            models.Index(fields=["type", "id"], name="risk_point_type_id_idx"),
            models.Index(fields=["factor_count", "id"], name="risk_point_factors_id_idx"),
            models.Index(fields=["measure_count", "id"], name="risk_point_measures_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def colour(self) -> str:
        return methods.LEVEL_COLOURS[self.level] if self.level else ""

    @property
    def national_level(self) -> int | None:
        return rules.to_national_level(self.level) if self.level else None

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (self.lat is None) != (self.lon is None):
            errors["lat"] = _("经度和纬度须同时填写或同时留空")
        if (self.plan_x is None) != (self.plan_y is None):
            errors["plan_x"] = _("平面图坐标须同时填写或同时留空")
        if (
            self.org_unit is not None
            and self.enterprise_id
            and self.org_unit.enterprise_id != self.enterprise_id
        ):
            errors["org_unit"] = _("所属车间/部门不属于该企业")
        if errors:
            raise ValidationError(errors)


class HazardFactor(models.Model):
    """A hazard factor (危险源/危险有害因素) found at a risk point by SCL or a JHA step.

    Keyed by `code` within its point (rules/register_diff.py); an import that no longer lists it retires
    it (`active` False): the row, its id, code and assessments stay, and every current view skips it.
    """

    risk_point = models.ForeignKey(
        RiskPoint, on_delete=models.CASCADE, related_name="factors", verbose_name=_("风险点")
    )
    code = models.CharField(
        _("危险源编号"),
        max_length=register_diff.CODE_MAX_LENGTH,
        help_text=_("风险点内唯一，由系统按 H01、H02… 编号；导入时据此更新原有危险源"),
    )
    method = models.CharField(_("辨识方法"), max_length=4, choices=IdentificationMethod.choices)
    step_no = models.PositiveSmallIntegerField(
        _("作业步骤序号"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(methods.JHA_MAX_STEPS)],
    )
    step_name = models.CharField(_("作业步骤/检查项目"), max_length=100, blank=True)
    description = models.TextField(_("危险源或潜在事件"))
    category = models.CharField(_("类别（GB/T 13861）"), max_length=12, choices=HazardCategory.choices)
    accident_types = models.JSONField(
        _("可能导致的事故类型（GB 6441）"), default=list, blank=True, validators=[validate_accident_types]
    )
    consequences = models.TextField(_("可能后果"), blank=True)
    existing_controls = models.TextField(_("现有管控措施"), blank=True)
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = point_scope("risk_point__")

    class Meta:
        verbose_name = _("危险源")
        verbose_name_plural = _("危险源")
        ordering = ["risk_point_id", "step_no", "id"]
        constraints = [
            models.UniqueConstraint(fields=["risk_point", "code"], name="hazard_factor_code_unique"),
            models.CheckConstraint(
                name="hazard_factor_jha_has_step",
                condition=models.Q(method="SCL", step_no__isnull=True)
                | models.Q(method="JHA", step_no__gte=1, step_no__lte=methods.JHA_MAX_STEPS),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    def accident_type_labels(self) -> list[str]:
        labels = dict(AccidentType.choices)
        return [str(labels.get(code, code)) for code in self.accident_types]

    def clean(self) -> None:
        if self.method == IdentificationMethod.JHA and self.step_no is None:
            raise ValidationError({"step_no": _("JHA 辨识的危险源须填写作业步骤序号（1–10）")})
        if self.method == IdentificationMethod.SCL and self.step_no is not None:
            raise ValidationError({"step_no": _("SCL 辨识的危险源不填写作业步骤序号")})


class RiskAssessment(models.Model):
    """One assessment of a hazard factor; the latest of each kind (initial/residual) is current."""

    hazard_factor = models.ForeignKey(
        HazardFactor, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("危险源")
    )
    kind = models.CharField(_("评价类型"), max_length=10, choices=AssessmentKind.choices)
    method = models.CharField(_("评价方法"), max_length=4, choices=AssessmentMethod.choices)
    inputs = models.JSONField(_("取值"))
    score = models.DecimalField(_("风险值"), max_digits=10, decimal_places=2)
    level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices)
    colour = models.CharField(_("颜色"), max_length=8, choices=RiskColour.choices)
    method_version = models.CharField(_("方法版本"), max_length=80)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("评价人"),
    )
    assessed_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    scope_rule = point_scope("hazard_factor__risk_point__")

    class Meta:
        verbose_name = _("风险评价")
        verbose_name_plural = _("风险评价")
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["hazard_factor", "kind", "-assessed_at"])]
        constraints = [
            models.CheckConstraint(
                name="risk_assessment_level_1_to_4", condition=models.Q(level__gte=1, level__lte=4)
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.score} → {self.get_level_display()}"

    @property
    def score_number(self) -> int | float:
        return rules.number(Decimal(self.score))


class ControlMeasure(models.Model):
    """A control measure (管控措施); its check content and cycle later yield inspection tasks.

    Keyed by `code` within its point, so inspection tasks can hang off it: an import updates it in place
    and retires it (`active` False) rather than deleting it.
    """

    risk_point = models.ForeignKey(
        RiskPoint, on_delete=models.CASCADE, related_name="measures", verbose_name=_("风险点")
    )
    hazard_factor = models.ForeignKey(
        HazardFactor,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="measures",
        verbose_name=_("针对的危险源"),
    )
    code = models.CharField(
        _("措施编号"),
        max_length=register_diff.CODE_MAX_LENGTH,
        help_text=_("风险点内唯一，由系统按 M01、M02… 编号；导入时据此更新原有措施"),
    )
    kind = models.CharField(_("措施类别"), max_length=20, choices=MeasureKind.choices)
    classify1 = models.PositiveSmallIntegerField(_("管控方式（一级）"), choices=Classify1.choices)
    classify2 = models.CharField(_("管控方式（二级）"), max_length=3, choices=Classify2.choices)
    classify3 = models.CharField(_("管控方式（三级）"), max_length=100, blank=True)
    description = models.TextField(_("管控措施"))
    check_content = models.TextField(_("排查内容"))
    check_cycle = models.PositiveIntegerField(_("排查周期"), validators=[MinValueValidator(1)])
    check_cycle_unit = models.CharField(_("周期单位"), max_length=4, choices=CheckCycleUnit.choices)
    work_day_type = models.PositiveSmallIntegerField(
        _("工作日类型"), choices=WorkDayType.choices, default=WorkDayType.EVERY_DAY
    )
    data_src = models.PositiveSmallIntegerField(
        _("数据来源"), choices=DataSource.choices, default=DataSource.INSPECTION
    )
    responsible_post = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="control_measures", verbose_name=_("责任岗位")
    )
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = point_scope("risk_point__")

    class Meta:
        verbose_name = _("管控措施")
        verbose_name_plural = _("管控措施")
        ordering = ["risk_point_id", "classify2", "id"]
        constraints = [
            models.UniqueConstraint(fields=["risk_point", "code"], name="control_measure_code_unique"),
            models.CheckConstraint(
                name="control_measure_cycle_positive", condition=models.Q(check_cycle__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.classify2 and classify2_parent(self.classify2) not in (None, self.classify1):
            errors["classify2"] = _("二级分类 %(c2)s 不属于一级分类 %(c1)s") % {
                "c2": self.classify2,
                "c1": self.classify1,
            }
        if self.risk_point_id:
            enterprise_id = self.risk_point.enterprise_id
            if self.hazard_factor is not None and self.hazard_factor.risk_point_id != self.risk_point_id:
                errors["hazard_factor"] = _("所选危险源不属于该风险点")
            post = self.responsible_post if self.responsible_post_id else None
            if post is not None:
                if post.enterprise_id != enterprise_id:
                    errors["responsible_post"] = _("责任岗位不属于该企业")
                elif post.kind != OrgUnitKind.POST:
                    errors["responsible_post"] = _("责任岗位须选择“岗位”层级的组织单元")
        if errors:
            raise ValidationError(errors)


TIER_UNIT_KIND = {
    ControlTier.COMPANY: OrgUnitKind.COMPANY,
    ControlTier.WORKSHOP: OrgUnitKind.WORKSHOP,
    ControlTier.TEAM: OrgUnitKind.TEAM,
    ControlTier.POST: OrgUnitKind.POST,
}


class ResponsibilityAssignment(models.Model):
    """Who controls a risk point at one tier (管控责任清单)."""

    risk_point = models.ForeignKey(
        RiskPoint, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("风险点")
    )
    tier = models.CharField(_("管控层级"), max_length=10, choices=ControlTier.choices)
    org_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_responsibilities",
        verbose_name=_("责任单位"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="risk_responsibilities", verbose_name=_("责任人")
    )
    # A retired assignment keeps its row (and id) for the tier: assigning the tier again revives it.
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = point_scope("risk_point__")

    class Meta:
        verbose_name = _("管控责任")
        verbose_name_plural = _("管控责任")
        ordering = ["risk_point_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["risk_point", "tier"], name="responsibility_point_tier_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.person}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.risk_point_id:
            enterprise_id = self.risk_point.enterprise_id
            if self.person_id and self.person.enterprise_id != enterprise_id:
                errors["person"] = _("责任人不属于该风险点所在企业")
            if self.org_unit is not None:
                if self.org_unit.enterprise_id != enterprise_id:
                    errors["org_unit"] = _("责任单位不属于该风险点所在企业")
                elif (
                    self.tier in TIER_UNIT_KIND
                    and self.org_unit.kind != TIER_UNIT_KIND[ControlTier(self.tier)]
                ):
                    errors["org_unit"] = _("责任单位的层级与管控层级不一致")
        if errors:
            raise ValidationError(errors)


# Which settings field a REGIONAL/2 configuration problem is shown on.
REGIONAL_PROBLEM_FIELDS: dict[str, str] = {
    "weights": "regional_weight_major",
    "thresholds": "regional_red",
    "min_base": "regional_min_base",
}


class RiskSettings(models.Model):
    """The county's grading configuration; defaults from REFERENCE.md §3."""

    county = models.OneToOneField(
        Division, on_delete=models.CASCADE, related_name="risk_settings", verbose_name=_("县（市、区）")
    )
    lec_major = models.DecimalField(
        _("LEC 重大风险下限"), max_digits=8, decimal_places=2, default=methods.LEC_DEFAULT_THRESHOLDS[0]
    )
    lec_large = models.DecimalField(
        _("LEC 较大风险下限"), max_digits=8, decimal_places=2, default=methods.LEC_DEFAULT_THRESHOLDS[1]
    )
    lec_general = models.DecimalField(
        _("LEC 一般风险下限"), max_digits=8, decimal_places=2, default=methods.LEC_DEFAULT_THRESHOLDS[2]
    )
    ls_variant = models.CharField(
        _("LS 分级方案"), max_length=1, choices=LsVariant.choices, default=methods.LS_DEFAULT_VARIANT
    )
    # Regional risk, method REGIONAL/2 (rules/regional.py): configurable defaults, not statutory.
    regional_weight_major = models.DecimalField(
        _("重大风险企业权重"), max_digits=6, decimal_places=3, default=regional.DEFAULT_WEIGHTS[0]
    )
    regional_weight_large = models.DecimalField(
        _("较大风险企业权重"), max_digits=6, decimal_places=3, default=regional.DEFAULT_WEIGHTS[1]
    )
    regional_weight_general = models.DecimalField(
        _("一般风险企业权重"), max_digits=6, decimal_places=3, default=regional.DEFAULT_WEIGHTS[2]
    )
    regional_weight_low = models.DecimalField(
        _("低风险企业权重"), max_digits=6, decimal_places=3, default=regional.DEFAULT_WEIGHTS[3]
    )
    regional_red = models.DecimalField(
        _("红色（重大）指数阈值"), max_digits=8, decimal_places=4, default=regional.DEFAULT_THRESHOLDS[0]
    )
    regional_orange = models.DecimalField(
        _("橙色（较大）指数阈值"), max_digits=8, decimal_places=4, default=regional.DEFAULT_THRESHOLDS[1]
    )
    regional_yellow = models.DecimalField(
        _("黄色（一般）指数阈值"), max_digits=8, decimal_places=4, default=regional.DEFAULT_THRESHOLDS[2]
    )
    regional_min_base = models.PositiveSmallIntegerField(
        _("计算基数下限（家）"), default=regional.DEFAULT_MIN_BASE, validators=[MinValueValidator(1)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = Public()

    class Meta:
        verbose_name = _("风险分级设置")
        verbose_name_plural = _("风险分级设置")
        constraints = [
            models.CheckConstraint(
                name="risk_settings_lec_descending",
                condition=models.Q(lec_major__gt=models.F("lec_large"))
                & models.Q(lec_large__gt=models.F("lec_general"))
                & models.Q(lec_general__gt=0),
            )
        ]

    def __str__(self) -> str:
        return f"{self.county} 风险分级设置"

    def clean(self) -> None:
        if self.county_id and len(str(self.county_id)) != 6:
            raise ValidationError({"county": _("须选择县级行政区划")})
        problem = self.as_config().problem()
        if problem:
            raise ValidationError({"lec_major": problem})
        found = self.regional_config().check()
        if found:
            part, message = found
            raise ValidationError({REGIONAL_PROBLEM_FIELDS[part]: message})

    def as_config(self) -> rules.RiskConfig:
        variant = self.ls_variant if self.ls_variant in ("A", "B", "C") else "A"
        return rules.RiskConfig(
            lec=rules.LecThresholds(
                major=Decimal(self.lec_major),
                large=Decimal(self.lec_large),
                general=Decimal(self.lec_general),
            ),
            ls_variant=variant,  # type: ignore[arg-type]
        )

    def regional_config(self) -> regional.RegionalConfig:
        return regional.RegionalConfig(
            weights=(
                Decimal(self.regional_weight_major),
                Decimal(self.regional_weight_large),
                Decimal(self.regional_weight_general),
                Decimal(self.regional_weight_low),
            ),
            thresholds=(
                Decimal(self.regional_red),
                Decimal(self.regional_orange),
                Decimal(self.regional_yellow),
            ),
            min_base=int(self.regional_min_base),
        )
