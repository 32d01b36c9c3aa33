"""Labels and code lists of hidden-hazard governance (the national codes themselves live in rules.codes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import codes

DANGER_SOURCE_CHOICES = [(code, label) for code, label in codes.DANGER_SOURCES]
HAZARD_TYPE_CHOICES = [(code, label) for code, label in codes.HAZARD_TYPES]


class HazardStatus(models.TextChoices):
    REPORTED = "reported", _("已登记待确认")
    CONFIRMED = "confirmed", _("已确认待落实")
    REJECTED = "rejected", _("已驳回")
    RECTIFYING = "rectifying", _("整改中")
    EXTENSION_REQUESTED = "extension", _("延期待审批")
    AWAITING_ACCEPTANCE = "awaiting", _("待验收")
    CLOSED = "closed", _("已销号")


OPEN_STATUSES = frozenset(
    {
        HazardStatus.REPORTED,
        HazardStatus.CONFIRMED,
        HazardStatus.RECTIFYING,
        HazardStatus.EXTENSION_REQUESTED,
        HazardStatus.AWAITING_ACCEPTANCE,
    }
)
# States in which the rectification deadline runs (a hazard can be overdue only in these).
DEADLINE_STATUSES = frozenset(
    {HazardStatus.RECTIFYING, HazardStatus.EXTENSION_REQUESTED, HazardStatus.AWAITING_ACCEPTANCE}
)


class HazardLevel(models.TextChoices):
    GENERAL = codes.GENERAL, _("一般隐患")
    MAJOR = codes.MAJOR, _("重大隐患")


class Handling(models.TextChoices):
    ON_THE_SPOT = codes.ON_THE_SPOT, _("即查即改")
    BY_DEADLINE = codes.BY_DEADLINE, _("限期整改")


class Origin(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业自查")
    GRID = "grid", _("网格员巡查")
    REGULATOR = "regulator", _("监管部门检查")
    PUBLIC = "public", _("群众举报")


class RejectReason(models.TextChoices):
    INVALID = "invalid", _("不构成隐患")
    DUPLICATE = "duplicate", _("重复登记")


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("整改前")
    AFTER = "after", _("整改后")
    EVIDENCE = "evidence", _("其他佐证")


class SupervisionLevel(models.TextChoices):
    """The government level that lists a major hazard for supervision (挂牌督办)."""

    COUNTY = "county", _("县级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
