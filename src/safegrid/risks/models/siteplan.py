"""An enterprise's site plan (厂区平面图): the picture its risk points are placed on (plan_x/plan_y)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise
from safegrid.enterprises.models import Enterprise

SITE_PLAN_EXTENSIONS = ["png", "jpg", "jpeg"]
SITE_PLAN_MAX_BYTES = 5 * 1024 * 1024


class EnterpriseSitePlan(models.Model):
    """One site plan per enterprise; risk points sit on it at fractions (0–1) of its width and height."""

    enterprise = models.OneToOneField(
        Enterprise, on_delete=models.CASCADE, related_name="site_plan", verbose_name=_("企业")
    )
    image = models.FileField(
        _("厂区平面图"),
        upload_to="risks/site-plans/%Y/",
        validators=[FileExtensionValidator(SITE_PLAN_EXTENSIONS)],
    )
    width = models.PositiveIntegerField(_("宽度（像素）"))
    height = models.PositiveIntegerField(_("高度（像素）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now=True)

    scope_rule = ByEnterprise(unit_users_see_unplaced=True)

    class Meta:
        verbose_name = _("厂区平面图")
        verbose_name_plural = _("厂区平面图")

    def __str__(self) -> str:
        return f"{self.enterprise_id} 厂区平面图"
