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


class CycleUnit(models.TextChoices):
    """A task's cycle unit: the national `checkCycleUnit` words, plus 周 for ad-hoc tasks."""

    HOUR = "小时", _("小时")
    DAY = "天", _("天")
    WEEK = "周", _("周")
    MONTH = "月", _("月")
    YEAR = "年", _("年")


class WorkType(models.IntegerChoices):
    """A task's national `workType` when it is a major hazard source's responsible person's check (包保,
    应急厅〔2021〕12号); empty for routine tasks (national 0). The hazards its checks find carry the same
    number as `hazardCategory`."""

    PRINCIPAL = 1, _("主要负责人")
    TECHNICAL = 2, _("技术负责人")
    OPERATIONAL = 3, _("操作负责人")


class OccurrenceStatus(models.TextChoices):
    DUE = "due", _("待检查")
    DONE = "done", _("已检查")
    MISSED = "missed", _("漏检")
    SUSPENDED = "suspended", _("停用检修暂停")


class CheckResult(models.TextChoices):
    NO_FINDING = "ok", _("未发现隐患")
    FINDING = "finding", _("发现隐患")


class Presence(models.TextChoices):
    """How the check's presence is known: the checkpoint's QR code / NFC tag was opened (proof), only a
    GPS distance to the risk point (a soft signal), or nothing."""

    SCANNED = "scanned", _("扫码到位")
    GPS = "gps", _("GPS 定位")
    NONE = "none", _("未验证")


class TrustFlag(models.TextChoices):
    """What the system flags on a check record for the regulator (USERS.md, fake check-ins)."""

    PHOTO_SEEN = "photo_seen", _("照片重复使用")
    FAR = "far", _("远离风险点")
    BATCH = "batch", _("集中补录")


class ChecklistOwner(models.TextChoices):
    COUNTY = "county", _("县级检查表")
    ENTERPRISE = "enterprise", _("企业检查表")


class MajorReportStatus(models.TextChoices):
    """The report of a major hazard to the regulator (16号令 art. 14): sent, then signed for."""

    SUBMITTED = "submitted", _("已报送待签收")
    ACKNOWLEDGED = "acknowledged", _("监管部门已签收")


class SuspensionStatus(models.TextChoices):
    """A suspension order (责令停产停业整改) on a major hazard and its close-out (16号令 art. 23)."""

    ORDERED = "ordered", _("停产停业整改中")
    EVALUATED = "evaluated", _("已提交评估报告")
    APPLIED = "applied", _("已申请恢复生产，待现场审查")
    PASSED = "passed", _("现场审查合格，待核销")
    RESUMED = "resumed", _("已核销，恢复生产")


class ReviewResult(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
