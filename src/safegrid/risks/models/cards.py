"""Cards for the front line: post risk cards (岗位风险告知卡), emergency cards (应急处置卡), and read receipts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.enterprises.models import OrgUnit, Person

from .points import point_scope


class CardKind(models.TextChoices):
    POST = "post", _("岗位风险告知卡")
    EMERGENCY = "emergency", _("应急处置卡")


class RiskCard(models.Model):
    """What a card says beyond what the register already holds (hazards and measures come from the register)."""

    risk_point = models.ForeignKey("risks.RiskPoint", on_delete=models.CASCADE, related_name="cards")
    post = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_cards",
        verbose_name=_("岗位"),
    )
    kind = models.CharField(_("卡片类型"), max_length=10, choices=CardKind.choices)
    number = models.CharField(_("编号"), max_length=32, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    key_points = models.TextField(_("安全操作要点"), blank=True)
    emergency_measures = models.TextField(_("应急处置措施"), blank=True)
    emergency_phones = models.JSONField(
        _("应急电话"), default=list, blank=True
    )  # [{"name": .., "phone": ..}]
    steps = models.JSONField(_("处置步骤"), default=list, blank=True)  # emergency card: ordered strings
    start_conditions = models.TextField(_("启动条件"), blank=True)
    stop_conditions = models.TextField(_("终止条件"), blank=True)
    duties = models.TextField(_("岗位职责"), blank=True)
    equipment = models.TextField(_("应急装备"), blank=True)
    review_cycle_months = models.PositiveSmallIntegerField(_("评审周期（月）"), default=12)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = point_scope("risk_point__")
    derived_fields = ("version",)  # every save through services.cards.card_save is a new version

    class Meta:
        verbose_name = _("风险卡片")
        verbose_name_plural = _("风险卡片")
        constraints = [models.UniqueConstraint(fields=["risk_point", "kind"], name="risk_card_kind_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class CardConfirmation(models.Model):
    """岗位安全风险确认: a worker confirms having read a card (server time, device, account)."""

    risk_point = models.ForeignKey("risks.RiskPoint", on_delete=models.CASCADE, related_name="confirmations")
    kind = models.CharField(_("卡片类型"), max_length=10, choices=CardKind.choices, default=CardKind.POST)
    card_version = models.PositiveIntegerField(_("卡片版本"), default=1)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"))
    user_agent = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    scope_rule = ByEnterprise(enterprise="risk_point__enterprise", unit_users_see_unplaced=True)

    class Meta:
        verbose_name = _("岗位风险确认")
        verbose_name_plural = _("岗位风险确认")
        ordering = ["-confirmed_at"]
        indexes = [models.Index(fields=["risk_point", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.risk_point_id}"
