"""一企一册: the enterprise's risk register, compiled, signed, filed with the regulator and reviewed.

A filing is a frozen, versioned snapshot of the register (points, factors, assessments, both lists) plus its
PDF book. `RegisterRevision` counts every change to an enterprise's register, so a filing made at revision
r is *outdated* as soon as the count moves past r — a cheap comparison for a county of 18,000 enterprises.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise, Public
from safegrid.core.workflow import TransitionLog
from safegrid.enterprises.models import Enterprise
from safegrid.jobs.models import Job
from safegrid.regions.models import Department, Division, Sector

from ..choices import FilingReviewerKind, FilingStatus
from ..rules.filing import signed_as_text


class RegisterRevision(models.Model):
    """How many times an enterprise's register has changed (bumped by every risks service write)."""

    enterprise = models.OneToOneField(Enterprise, on_delete=models.CASCADE, related_name="register_revision")
    revision = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    # The most dangerous level among the enterprise's active risk points, kept with the counter so the
    # county map reads 19,000 enterprises' colours without aggregating 130,000 risk points per request.
    risk_level = models.PositiveSmallIntegerField(_("企业风险等级"), null=True, blank=True)
    # Counts of the enterprise's risk points, kept with the counter by `services.revision.bump` (same
    # transaction as the change), so the map and the lists sum 19,000 rows instead of 140,000.
    points_total = models.PositiveIntegerField(default=0)  # active and inactive
    points_level1 = models.PositiveIntegerField(default=0)  # active points per level
    points_level2 = models.PositiveIntegerField(default=0)
    points_level3 = models.PositiveIntegerField(default=0)
    points_level4 = models.PositiveIntegerField(default=0)
    points_unrated = models.PositiveIntegerField(default=0)  # active points not yet graded
    # The newest filing a regulator received (filed/accepted/returned), kept by `services.revision`
    # on every filing save, so the filing-status list reads one row per enterprise.
    submitted_filing_pk = models.PositiveBigIntegerField(null=True, blank=True)
    submitted_status = models.CharField(max_length=12, blank=True, default="")
    submitted_version = models.PositiveIntegerField(null=True, blank=True)
    submitted_revision = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    scope_rule = ByEnterprise()
    derived_fields = ("revision", "changed_at", "risk_level")  # kept by services.revision only

    class Meta:
        verbose_name = _("风险清单版本计数")
        verbose_name_plural = _("风险清单版本计数")
        indexes = [models.Index(fields=["submitted_status", "enterprise"], name="register_rev_submitted_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}@{self.revision}"


class RiskRegisterFiling(models.Model):
    """One version of the enterprise's register book and where it is in sign → file → review."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="register_filings")
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(
        _("状态"), max_length=12, choices=FilingStatus.choices, default=FilingStatus.COMPILED
    )
    register_revision = models.PositiveIntegerField(_("编制时清单版本"))
    snapshot = models.JSONField(_("清单快照"))
    summary = models.JSONField(_("等级统计"), default=dict)
    fingerprint = models.CharField(_("内容摘要 SHA-256"), max_length=64)
    pdf = models.FileField(_("册子 PDF"), upload_to="risks/registers/%Y/", blank=True)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    compiled_at = models.DateTimeField(_("编制时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交签署时间"), null=True, blank=True)
    sent_back_comment = models.TextField(_("签署人退回意见"), blank=True)
    signer_name = models.CharField(_("签署人"), max_length=32, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    # Set when the signer signed under a written delegation of the legal representative.
    signed_delegation = models.ForeignKey(
        "risks.SigningDelegation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signed_filings",
        verbose_name=_("签署委托"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="register_filings", verbose_name=_("备案部门")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("替代版本")
    )
    # The background job rendering the book for the current status; the PDF is ready when it succeeded.
    book_job = models.ForeignKey(
        Job,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("册子生成任务"),
    )

    scope_rule = ByEnterprise()
    # Moved only by the filing workflow (risks/workflows.py) ...
    workflow_fields = (
        "status",
        "submitted_by",
        "submitted_at",
        "sent_back_comment",
        "signer_name",
        "signed_by",
        "signed_at",
        "signed_delegation",
        "filed_by",
        "filed_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        "superseded_by",
    )
    # ... or computed when the book is compiled and rendered.
    derived_fields = (
        "enterprise",
        "version",
        "register_revision",
        "snapshot",
        "summary",
        "fingerprint",
        "compiled_by",
        "compiled_at",
        "pdf",
        "book_job",
    )

    class Meta:
        verbose_name = _("一企一册备案")
        verbose_name_plural = _("一企一册备案")
        ordering = ["enterprise_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "version"], name="register_filing_version_unique")
        ]
        indexes = [models.Index(fields=["status", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} v{self.version} {self.get_status_display()}"

    @property
    def signed_as(self) -> str:
        """Who signed, as the record says it: "张甲", or "王五（受张甲委托）" under a delegation."""
        delegation = self.signed_delegation if self.signed_delegation_id else None
        return signed_as_text(self.signer_name, delegation.delegator_name if delegation else "")


class FilingTransition(TransitionLog):
    """Who moved a filing from which status to which, when, and why (written by the workflow kit)."""

    filing = models.ForeignKey(RiskRegisterFiling, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("原状态"), max_length=32, choices=FilingStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=32, choices=FilingStatus.choices)

    scope_rule = ByEnterprise(enterprise="filing__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("备案流转记录")
        verbose_name_plural = _("备案流转记录")
        ordering = ["filing_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class FilingReviewer(models.Model):
    """Who reviews (accepts or returns) the filings of one sector's enterprises in a county.

    No row means the sector's regulator department, as 管行业必须管安全 has it; a county may delegate the
    review of a sector to the towns (属地管理), which then accept or return their enterprises' books.
    """

    county = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="+", verbose_name=_("县（市、区）")
    )
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="+", verbose_name=_("行业领域"))
    reviewer = models.CharField(
        _("审核单位"),
        max_length=12,
        choices=FilingReviewerKind.choices,
        default=FilingReviewerKind.DEPARTMENT,
    )
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = Public()

    class Meta:
        verbose_name = _("备案审核单位设置")
        verbose_name_plural = _("备案审核单位设置")
        ordering = ["county_id", "sector_id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "sector"], name="filing_reviewer_county_sector_unique")
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.sector_id} {self.reviewer}"
