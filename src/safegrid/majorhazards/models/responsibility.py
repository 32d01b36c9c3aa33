"""The three responsible persons of a major hazard source (安全包保, 应急厅〔2021〕12号): who, since when,
their duties and phone, and the hazards app's inspection task that carries their checks. Written by
`services.responsibility` only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise

from ..rules.lifecycle import ResponsibleRole

_USER = settings.AUTH_USER_MODEL


class ResponsibleRoleChoices(models.IntegerChoices):
    """National `workType` 1/2/3 (rules.lifecycle.ResponsibleRole)."""

    PRINCIPAL = ResponsibleRole.PRINCIPAL.value, _("主要负责人")
    TECHNICAL = ResponsibleRole.TECHNICAL.value, _("技术负责人")
    OPERATIONAL = ResponsibleRole.OPERATIONAL.value, _("操作负责人")


class ResponsiblePerson(models.Model):
    """One person in one of the three roles for a unit, for a term (`valid_to` empty: now in office).

    Name, job title and phone are kept as they were when named (the notice board shows them even if the
    person's record changes later). Every holder of a role shares the role's one inspection task, so the
    task's history stays whole; the task is handed to whoever holds the role now.
    """

    unit = models.ForeignKey(
        "majorhazards.HazardUnit",
        on_delete=models.PROTECT,
        related_name="responsible_persons",
        verbose_name=_("单元"),
    )
    role = models.PositiveSmallIntegerField(_("包保责任"), choices=ResponsibleRoleChoices.choices)
    person = models.ForeignKey(
        "enterprises.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("人员")
    )
    name = models.CharField(_("姓名"), max_length=32)
    job_title = models.CharField(_("职务"), max_length=32, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32)
    duties = models.TextField(_("包保职责"))
    valid_from = models.DateField(_("任职起始日期"))
    valid_to = models.DateField(_("任职截止日期"), null=True, blank=True)
    task = models.ForeignKey(
        "hazards.InspectionTask",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("排查任务"),
    )
    recorded_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))

    scope_rule = ByEnterprise(enterprise="unit__enterprise")

    class Meta:
        verbose_name = _("重大危险源包保责任人")
        verbose_name_plural = _("重大危险源包保责任人")
        ordering = ["unit_id", "role", "-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "role"],
                condition=models.Q(valid_to__isnull=True),
                name="mh_responsible_one_current_per_role",
            ),
            models.CheckConstraint(
                name="mh_responsible_term",
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"
