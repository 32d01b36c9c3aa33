"""A written delegation of the legal representative's signature on the 一企一册 (签署委托书).

The legal representative signs the book with their own login; an enterprise may instead delegate the
signature in writing to one of its managers for a period. The delegation is recorded with the scanned
letter, and a book signed under it says so ("王五（受张甲委托）").
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.enterprises.models import Enterprise

from ..rules.filing import DELEGATION_DOCUMENT_EXTENSIONS, DELEGATION_DOCUMENT_MAX_BYTES


def validate_document_size(value: FieldFile) -> None:
    if value and value.size > DELEGATION_DOCUMENT_MAX_BYTES:
        raise ValidationError(_("委托书扫描件不能超过 10 MB"))


class SigningDelegation(models.Model):
    """签署委托: the legal representative (`delegator`) lets `delegate` sign the book from/until a date."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="signing_delegations", verbose_name=_("企业")
    )
    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("委托人")
    )
    delegator_name = models.CharField(_("委托人（法定代表人）"), max_length=32)
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("受托人")
    )
    delegate_name = models.CharField(_("受托人"), max_length=32)
    valid_from = models.DateField(_("委托起始日期"))
    valid_until = models.DateField(_("委托截止日期"))
    document = models.FileField(
        _("委托书扫描件"),
        upload_to="risks/delegations/%Y/",
        validators=[FileExtensionValidator(list(DELEGATION_DOCUMENT_EXTENSIONS)), validate_document_size],
        help_text=_("PDF、JPG 或 PNG，不超过 10 MB"),
    )
    note = models.CharField(_("委托事项说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("撤销人"),
    )

    scope_rule = ByEnterprise()
    # Written by services.delegation only (who delegated, and the revocation): never from request data.
    derived_fields = (
        "enterprise",
        "delegator",
        "delegator_name",
        "delegate_name",
        "created_by",
        "revoked_at",
        "revoked_by",
    )

    class Meta:
        verbose_name = _("签署委托")
        verbose_name_plural = _("签署委托")
        ordering = ["enterprise_id", "-valid_until", "-id"]
        indexes = [models.Index(fields=["enterprise", "delegate", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                name="signing_delegation_dates_in_order",
                condition=models.Q(valid_until__gte=models.F("valid_from")),
            ),
            models.CheckConstraint(
                name="signing_delegation_not_to_oneself", condition=~models.Q(delegate=models.F("delegator"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegator_name} → {self.delegate_name}"

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("截止日期不能早于起始日期")})
