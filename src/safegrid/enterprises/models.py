from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.core.validators import validate_phone
from safegrid.regions.models import LAT_VALIDATORS, LON_VALIDATORS, Division, Grid, Sector

from . import rules
from .choices import CertificateKind, ChemicalPark, EnterpriseScale, EnterpriseStatus, OrgUnitKind


def validate_uscc(value: str) -> None:
    problem = rules.uscc_problem(value)
    if problem:
        raise ValidationError(problem, code="uscc")


def validate_hazchem_code(value: str) -> None:
    problem = rules.hazchem_code_problem(value)
    if problem:
        raise ValidationError(problem, code="hazchem_code")


class Enterprise(models.Model):
    """A production and business unit (生产经营单位)."""

    name = models.CharField(_("企业名称"), max_length=128)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    # The 危险化学品登记信息管理系统 code: the enterprise's `companyCode` in provinces whose national-format upload
    # uses it instead of the USCC (REFERENCE §9); unique when given.
    hazchem_code = models.CharField(
        _("危险化学品登记编号"),
        max_length=9,
        blank=True,
        validators=[validate_hazchem_code],
        help_text=_("危险化学品登记信息管理系统的 9 位企业编号；部分省份的数据上报以此代替统一社会信用代码"),
    )
    sectors: models.ManyToManyField[Sector, EnterpriseSector] = models.ManyToManyField(
        Sector, through="EnterpriseSector", related_name="enterprises", verbose_name=_("行业领域")
    )
    industry = models.CharField(_("国民经济行业"), max_length=64, blank=True)
    scale = models.CharField(
        _("规模"), max_length=8, choices=EnterpriseScale.choices, default=EnterpriseScale.SMALL
    )
    employees = models.PositiveIntegerField(_("从业人数"), default=0)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True, validators=LAT_VALIDATORS)
    lon = models.FloatField(_("经度"), null=True, blank=True, validators=LON_VALIDATORS)
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("所属区划")
    )
    grid = models.ForeignKey(
        Grid,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
        verbose_name=_("所属网格"),
    )
    status = models.CharField(
        _("经营状态"), max_length=12, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING
    )
    chemical_park = models.CharField(
        _("化工园区"), max_length=16, choices=ChemicalPark.choices, default=ChemicalPark.NONE, blank=True
    )
    legal_rep = models.CharField(_("法定代表人"), max_length=32)
    legal_rep_phone = models.CharField(
        _("法定代表人电话"), max_length=32, blank=True, validators=[validate_phone]
    )
    principal = models.CharField(_("主要负责人"), max_length=32, blank=True)
    principal_phone = models.CharField(
        _("主要负责人电话"), max_length=32, blank=True, validators=[validate_phone]
    )
    safety_manager = models.CharField(_("安全管理员"), max_length=32, blank=True)
    safety_manager_phone = models.CharField(
        _("安全管理员电话"), max_length=32, blank=True, validators=[validate_phone]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = ByEnterprise(enterprise="")

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"]),  # the default list order
            models.Index(fields=["division", "name"]),
            models.Index(fields=["status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="enterprise_lat_lon_both_or_neither",
                condition=models.Q(lat__isnull=True, lon__isnull=True)
                | models.Q(lat__isnull=False, lon__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["hazchem_code"],
                condition=~models.Q(hazchem_code=""),
                name="enterprise_hazchem_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.lat is None) != (self.lon is None):
            raise ValidationError({"lat": _("经度和纬度须同时填写或同时留空")})
        if self.division_id and (problem := rules.enterprise_division_problem(self.division_id)):
            raise ValidationError({"division": problem})
        if (
            self.grid is not None
            and self.division_id
            and not self.grid.division_id.startswith(self.division_id[:9])
        ):
            raise ValidationError({"grid": _("网格不在企业所属的镇/街道内")})


class EnterpriseSector(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "sector"], name="enterprise_sector_unique")
        ]
        indexes = [models.Index(fields=["sector", "enterprise"])]


class OrgUnit(models.Model):
    """Company → workshop/department → team → post, kept as a materialised path for subtree scoping."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="org_units")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=OrgUnitKind.choices)
    # 128 like Enterprise.name: the company unit carries the enterprise's name.
    name = models.CharField(_("名称"), max_length=128)
    path = models.CharField(max_length=255, db_index=True, editable=False)
    is_key_post = models.BooleanField(_("关键岗位"), default=False)
    required_certificate = models.CharField(
        _("岗位所需特种作业证"), max_length=16, choices=CertificateKind.choices, blank=True
    )

    scope_rule = ByEnterprise(org_unit_path="path")

    class Meta:
        verbose_name = _("组织单元")
        verbose_name_plural = _("组织单元")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A person working for an enterprise (fictional in the demo)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="people")
    org_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name=_("岗位/部门"),
    )
    name = models.CharField(_("姓名"), max_length=32)
    job_title = models.CharField(_("职务"), max_length=32, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True, validators=[validate_phone])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    active = models.BooleanField(_("在岗"), default=True)

    scope_rule = ByEnterprise(org_unit_path="org_unit__path")

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["enterprise_id", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.org_unit is not None
            and self.enterprise_id
            and self.org_unit.enterprise_id != self.enterprise_id
        ):
            raise ValidationError({"org_unit": _("岗位/部门不属于该企业")})


class Certificate(models.Model):
    """A person's certificate or an enterprise's licence, with its expiry."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="certificates")
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="certificates",
        verbose_name=_("持证人"),
    )
    kind = models.CharField(_("证书类型"), max_length=16, choices=CertificateKind.choices)
    number = models.CharField(_("证书编号"), max_length=64)
    issuer = models.CharField(_("发证机关"), max_length=64, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True, db_index=True)

    scope_rule = ByEnterprise(org_unit_path="person__org_unit__path")

    class Meta:
        verbose_name = _("证照")
        verbose_name_plural = _("证照")
        ordering = ["expires_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="certificate_kind_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def clean(self) -> None:
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            raise ValidationError({"expires_on": _("有效期至不能早于发证日期")})
        if self.person is not None and self.enterprise_id and self.person.enterprise_id != self.enterprise_id:
            raise ValidationError({"person": _("持证人不属于该企业")})

    def status(self, today: dt.date | None = None) -> rules.ExpiryStatus:
        return rules.expiry_status(
            self.expires_on, today or timezone.localdate(), settings.SAFEGRID_EXPIRY_WARNING_DAYS
        )


class CertificateReminder(models.Model):
    """One expiry reminder sent: certificate, the expiry date it was about, the threshold (30/7/0 days).

    The unique row makes each reminder go out once, however often the scan runs (a retry, two
    workers, a catch-up); a renewed certificate (new expiry date) is reminded again. Written only by
    `reminders.certificate_reminders_send`; no user reads these rows (the notifications are what
    people see), so it declares no scope_rule.
    """

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="+")
    expires_on = models.DateField(_("有效期至"))
    days_before = models.PositiveSmallIntegerField(_("提前天数"))
    sent_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证照到期提醒")
        verbose_name_plural = _("证照到期提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "expires_on", "days_before"], name="certificate_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.expires_on} -{self.days_before}"


from .models_import import ImportJob  # noqa: E402,F401
