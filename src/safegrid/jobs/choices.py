from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("执行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
