"""A work permit: applied → approved → closed, or rejected; the kit's tests move it."""

from django.db import models

from safegrid.core.scoping import Public
from safegrid.core.workflow import TransitionLog


class PermitStatus(models.TextChoices):
    APPLIED = "applied", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    CLOSED = "closed", "已关闭"


class Permit(models.Model):
    title = models.CharField("作业名称", max_length=64)
    enterprise_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=PermitStatus.choices, default=PermitStatus.APPLIED
    )
    approved_by = models.CharField("批准人", max_length=32, blank=True)
    score = models.PositiveSmallIntegerField("得分", default=0)
    note = models.CharField("备注", max_length=64, blank=True)
    snapshot = models.JSONField("快照", default=dict, blank=True)

    workflow_fields = ("status",)
    derived_fields = ("score",)
    scope_rule = Public()

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.status == PermitStatus.APPROVED and not self.approved_by:
            raise ValidationError({"approved_by": "批准时须填写批准人"})


class PermitTransition(TransitionLog):
    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionLog.Meta):
        verbose_name = "作业许可流转记录"
