from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, Role


class User(AbstractUser):
    """A person who logs in. What they may see comes from their role assignments."""

    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(models.Model):
    """One role a user holds, anchored where the role needs an anchor (a department, a town…)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    department = models.ForeignKey(
        "regions.Department", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("部门")
    )
    division = models.ForeignKey(
        "regions.Division", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("行政区划")
    )
    grid = models.ForeignKey(
        "regions.Grid", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("网格")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("企业")
    )
    org_unit = models.ForeignKey(
        "enterprises.OrgUnit", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("组织单元")
    )

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.CheckConstraint(
                name="role_anchor_present",
                condition=(
                    models.Q(role__in=["county_admin", "county_officer"])
                    | models.Q(role="dept_officer", department__isnull=False)
                    | models.Q(role="town_officer", division__isnull=False)
                    | models.Q(role="grid_worker", grid__isnull=False)
                    | models.Q(
                        role__in=["legal_rep", "ent_admin", "safety_manager", "expert"],
                        enterprise__isnull=False,
                    )
                    | models.Q(role="unit_user", enterprise__isnull=False, org_unit__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        anchor = self.department or self.division or self.grid or self.org_unit or self.enterprise or ""
        return f"{self.get_role_display()} {anchor}".strip()


class ApiToken(models.Model):
    """A revocable bearer token. Only the SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=64, default="api")
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditEntry(models.Model):
    """Append-only, hash-chained record of every change. Never deleted; updated once, when linked.

    A row is inserted "pending" (seq, prev_hash and hash empty) inside the writer's transaction and
    linked into the chain right after that transaction commits (core/audit.py `link_pending`).
    """

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(_("操作人"), max_length=150)
    request_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(_("动作"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    enterprise_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    division_code = models.CharField(max_length=12, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    seq = models.BigIntegerField(_("链序号"), null=True, blank=True, unique=True)  # null: pending
    prev_hash = models.CharField(max_length=64, null=True, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The linker's "what is still pending" scan stays small however long the chain grows.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="core_audit_pending"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The single row holding the chain's tip; locked only while linking, so two linkers never fork it.

    `count` is the seq of the last linked entry (seqs run 1, 2, 3… with no gaps).
    """

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
