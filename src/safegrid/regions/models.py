from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByDivision, Public
from safegrid.core.validators import validate_phone

from .choices import DivisionLevel

LAT_VALIDATORS = [MinValueValidator(-90), MaxValueValidator(90)]
LON_VALIDATORS = [MinValueValidator(-180), MaxValueValidator(180)]


class Division(models.Model):
    """An administrative division (GB/T 2260 style code: 6-digit county, 9-digit town, 12-digit village).

    The code is the primary key, so a subtree is a prefix match on the code — no joins, no recursion.
    """

    code = models.CharField(
        _("区划代码"),
        max_length=12,
        primary_key=True,
        validators=[RegexValidator(r"^\d{6}(\d{3}(\d{3})?)?$", _("区划代码须为 6、9 或 12 位数字"))],
    )
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=8, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )
    lat = models.FloatField(_("中心纬度"), null=True, blank=True, validators=LAT_VALIDATORS)
    lon = models.FloatField(_("中心经度"), null=True, blank=True, validators=LON_VALIDATORS)
    boundary = models.JSONField(_("边界 (GeoJSON)"), null=True, blank=True)
    boundary_illustrative = models.BooleanField(_("边界为示意"), default=False)

    scope_rule = ByDivision(code="code")

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    """One of the ten sectors of the seed (reference data)."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("领域"), max_length=32)
    sort_order = models.PositiveSmallIntegerField(default=0)

    scope_rule = Public()

    class Meta:
        verbose_name = _("行业领域")
        verbose_name_plural = _("行业领域")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """The county safety office or a sector regulator (管行业必须管安全)."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    short_name = models.CharField(_("简称"), max_length=32)
    sectors = models.ManyToManyField(
        Sector, related_name="departments", verbose_name=_("牵头领域"), blank=True
    )
    is_safety_office = models.BooleanField(_("安委办"), default=False)
    phone = models.CharField(_("电话"), max_length=32, blank=True)

    scope_rule = Public()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Grid(models.Model):
    """A grid (网格) under a village or town with one named, real-name grid worker."""

    code = models.CharField(_("网格编号"), max_length=24, unique=True)
    name = models.CharField(_("网格名称"), max_length=64)
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="grids", verbose_name=_("所属区划")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="worker_grids",
        verbose_name=_("网格员账号"),
    )
    worker_name = models.CharField(_("网格员"), max_length=32)
    worker_phone = models.CharField(_("网格员电话"), max_length=32, blank=True, validators=[validate_phone])
    boundary = models.JSONField(_("边界 (GeoJSON)"), null=True, blank=True)

    scope_rule = ByDivision(code="division__code", grid="pk")

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
