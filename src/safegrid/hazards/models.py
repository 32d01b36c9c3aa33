"""Hidden hazards (隐患), their photos and their status log; the major-hazard criteria as county data."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from safegrid.core.scoping import ByEnterprise, Public
from safegrid.core.workflow import TransitionLog
from safegrid.enterprises.models import Enterprise, OrgUnit, Person
from safegrid.regions.models import Department
from safegrid.risks.choices import WorkDayType
from safegrid.risks.models import ControlMeasure, RiskPoint
from safegrid.risks.models.points import point_scope

from .choices import (
    DANGER_SOURCE_CHOICES,
    HAZARD_TYPE_CHOICES,
    ChecklistOwner,
    CheckResult,
    CycleUnit,
    Handling,
    HazardLevel,
    HazardStatus,
    OccurrenceStatus,
    Origin,
    PhotoKind,
    Presence,
    RejectReason,
    SupervisionLevel,
    TrustFlag,
    WorkType,
)
from .rules import inspection as inspection_rules

_USER = settings.AUTH_USER_MODEL


class MajorCriterion(models.Model):
    """One item of a sector's major-hidden-hazard criteria (shipped: 安监总管三〔2017〕121号; county-extensible)."""

    code = models.CharField(_("代码"), max_length=16, unique=True)
    sector_code = models.CharField(_("适用行业"), max_length=32, db_index=True)
    number = models.PositiveSmallIntegerField(_("条目号"))
    text = models.TextField(_("判定标准"))
    standard = models.CharField(_("依据"), max_length=64)
    active = models.BooleanField(_("在用"), default=True)

    scope_rule = Public()

    class Meta:
        verbose_name = _("重大隐患判定标准")
        verbose_name_plural = _("重大隐患判定标准")
        ordering = ["sector_code", "number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class HiddenHazard(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="hidden_hazards")
    risk_point = models.ForeignKey(
        RiskPoint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hidden_hazards",
        verbose_name=_("风险点"),
    )
    origin = models.CharField(_("来源"), max_length=12, choices=Origin.choices)
    source = models.PositiveSmallIntegerField(_("排查类型"), choices=DANGER_SOURCE_CHOICES)
    hazard_type = models.PositiveSmallIntegerField(_("隐患类别"), choices=HAZARD_TYPE_CHOICES)
    # National `hazardCategory`: found by the principal / technical / operational responsible person of a
    # major hazard source (the check task's `work_type`); empty for every other finding (national 0).
    hazard_category = models.PositiveSmallIntegerField(
        _("包保责任人发现"), choices=WorkType.choices, null=True, blank=True
    )
    title = models.CharField(_("隐患名称"), max_length=100)
    location = models.CharField(_("隐患位置"), max_length=200)
    description = models.TextField(_("隐患描述"))
    cause = models.TextField(_("隐患原因"), blank=True)
    level = models.CharField(
        _("隐患等级"), max_length=8, choices=HazardLevel.choices, default=HazardLevel.GENERAL
    )
    major_criteria = models.JSONField(_("符合的重大隐患判定标准"), default=list, blank=True)
    major_proposed = models.BooleanField(_("系统建议为重大隐患"), default=False)
    handling = models.CharField(
        _("治理方式"), max_length=12, choices=Handling.choices, default=Handling.BY_DEADLINE
    )
    status = models.CharField(_("状态"), max_length=12, choices=HazardStatus.choices)
    reported_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    reporter_name = models.CharField(_("登记人"), max_length=150)
    reported_at = models.DateTimeField(_("登记时间"))
    confirmed_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reject_reason = models.CharField(_("驳回原因"), max_length=12, choices=RejectReason.choices, blank=True)
    # The five in place (五落实)
    responsible_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改责任人"),
    )
    measures = models.TextField(_("整改措施"), blank=True)
    funds = models.DecimalField(
        _("整改资金（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    plan = models.TextField(_("应急预案"), blank=True)
    interim_measures = models.TextField(_("临时管控措施"), blank=True)  # major: withdrawn, cordoned, stopped
    extension_deadline = models.DateField(_("申请延期至"), null=True, blank=True)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    extension_requested_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    rectified_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    rectification_note = models.TextField(_("整改情况"), blank=True)
    accepted_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    acceptance_comment = models.TextField(_("验收意见"), blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    days_to_close = models.PositiveIntegerField(_("整改用时（天）"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重新打开次数"), default=0)
    escalation_step = models.SmallIntegerField(_("逾期升级级别"), default=-1)
    # A hazard found by an inspection: the check, its task and the control measure that failed.
    check_record = models.ForeignKey(
        "CheckRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
        verbose_name=_("排查记录"),
    )
    inspection_task = models.ForeignKey(
        "InspectionTask",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
        verbose_name=_("排查任务"),
    )
    control_measure = models.ForeignKey(
        ControlMeasure,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hidden_hazards",
        verbose_name=_("管控措施"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = ByEnterprise()
    # Moved only by the hazard workflow (hazards/workflows.py) and its services.
    workflow_fields = (
        "status",
        "level",
        "major_criteria",
        "confirmed_by",
        "confirmed_at",
        "reject_reason",
        "responsible_person",
        "measures",
        "funds",
        "deadline",
        "plan",
        "interim_measures",
        "extension_deadline",
        "extension_reason",
        "extension_requested_by",
        "rectified_by",
        "rectified_at",
        "rectification_note",
        "accepted_by",
        "accepted_at",
        "acceptance_comment",
        "closed_at",
        "reopen_count",
    )
    derived_fields = (
        "major_proposed",
        "days_to_close",
        "escalation_step",
        "check_record",
        "inspection_task",
        "control_measure",
    )

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        indexes = [
            models.Index(fields=["enterprise", "status", "id"], name="hazard_ent_status_idx"),
            models.Index(fields=["status", "deadline", "id"], name="hazard_status_deadline_idx"),
            models.Index(fields=["level", "status", "id"], name="hazard_level_status_idx"),
            models.Index(fields=["-reported_at", "id"], name="hazard_reported_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class HazardPhoto(models.Model):
    hazard = models.ForeignKey(HiddenHazard, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("照片类型"), max_length=8, choices=PhotoKind.choices)
    image = models.ImageField(_("照片"), upload_to="hazards/%Y/%m/")
    sha256 = models.CharField(_("照片摘要 SHA-256"), max_length=64, db_index=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    server_time = models.DateTimeField(_("上传时间（服务器）"))
    device_time = models.DateTimeField(_("拍摄时间（设备）"), null=True, blank=True)

    scope_rule = ByEnterprise(enterprise="hazard__enterprise")

    class Meta:
        verbose_name = _("隐患照片")
        verbose_name_plural = _("隐患照片")
        ordering = ["server_time", "id"]

    def __str__(self) -> str:
        return f"{self.hazard_id}:{self.kind}"


class HazardTransition(TransitionLog):
    hazard = models.ForeignKey(HiddenHazard, on_delete=models.CASCADE, related_name="transitions")

    scope_rule = ByEnterprise(enterprise="hazard__enterprise")

    class Meta(TransitionLog.Meta):
        verbose_name = _("隐患流转记录")
        verbose_name_plural = _("隐患流转记录")


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("整改期限提醒")
    ESCALATION = "escalation", _("逾期升级")


class HazardNotice(models.Model):
    """One deadline reminder or escalation sent by the daily scan: the record that makes it happen once.

    Unique per (hazard, kind, deadline, number) — number is the days-before of a reminder or the step of
    an escalation — so a new deadline (an approved extension) starts afresh; and at most one escalation
    per hazard per county day, so a second run the same day escalates nothing.
    """

    hazard = models.ForeignKey(HiddenHazard, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("类型"), max_length=12, choices=NoticeKind.choices)
    deadline = models.DateField(_("整改期限"))
    number = models.SmallIntegerField(_("提前天数或升级级别"))
    day = models.DateField(_("发送日期"))
    recipients = models.PositiveIntegerField(_("通知人数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"))

    scope_rule = ByEnterprise(enterprise="hazard__enterprise")

    class Meta:
        verbose_name = _("隐患期限通知")
        verbose_name_plural = _("隐患期限通知")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "kind", "deadline", "number"], name="hazard_notice_once"
            ),
            models.UniqueConstraint(
                fields=["hazard", "day"],
                condition=models.Q(kind="escalation"),
                name="hazard_escalation_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id}:{self.kind}:{self.number}@{self.day}"


class ListedSupervision(models.Model):
    """A major hazard listed for supervision (挂牌督办) by a government level, until it is signed off.

    Signed off (解除督办) only once the hazard is closed; the actual completion is the hazard's close-out
    day. Written by `supervision.py` only.
    """

    hazard = models.OneToOneField(
        HiddenHazard, on_delete=models.PROTECT, related_name="supervision", verbose_name=_("隐患")
    )
    level = models.CharField(_("督办层级"), max_length=12, choices=SupervisionLevel.choices)
    authority = models.CharField(_("督办单位"), max_length=100)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("督办部门（本县）"),
    )
    document_number = models.CharField(_("督办文号"), max_length=64, unique=True)
    listed_on = models.DateField(_("挂牌日期"))
    planned_completion = models.DateField(_("要求完成日期"))
    actual_completion = models.DateField(_("实际完成日期"), null=True, blank=True)
    requirements = models.TextField(_("督办要求"), blank=True)
    listed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    listed_at = models.DateTimeField(_("登记时间"))
    signed_off_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True, verbose_name=_("销号人")
    )
    signed_off_at = models.DateTimeField(_("解除督办时间"), null=True, blank=True)
    sign_off_comment = models.TextField(_("解除督办意见"), blank=True)

    scope_rule = ByEnterprise(enterprise="hazard__enterprise")
    derived_fields = ("actual_completion", "signed_off_by", "signed_off_at", "sign_off_comment")

    class Meta:
        verbose_name = _("挂牌督办")
        verbose_name_plural = _("挂牌督办")
        ordering = ["-listed_on", "-id"]
        indexes = [models.Index(fields=["signed_off_at", "planned_completion"], name="supervision_open_idx")]

    def __str__(self) -> str:
        return self.document_number

    @property
    def is_open(self) -> bool:
        return self.signed_off_at is None


class ShutdownRecord(models.Model):
    """A recorded shutdown for maintenance (停用检修, national `stopStartTime`/`stopEndTime`).

    While it lasts the tasks of its risk point (of the whole enterprise when no point is given) are
    suspended: their occurrences are neither due nor missed. It lasts until `end`, entered when the unit
    is back in service (the planned end is what was approved; past it, the shutdown is shown as overrunning).
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="shutdowns")
    risk_point = models.ForeignKey(
        RiskPoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shutdowns",
        verbose_name=_("风险分析单元"),
    )
    start = models.DateTimeField(_("停用开始时间"))
    end = models.DateTimeField(_("停用结束时间"), null=True, blank=True)  # actual end; None: still shut down
    planned_end = models.DateTimeField(_("计划恢复时间"), null=True, blank=True)
    reason = models.CharField(_("停用原因"), max_length=200)
    approver = models.CharField(_("批准人"), max_length=50, blank=True)
    recorded_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))
    ended_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    ended_at = models.DateTimeField(_("结束登记时间"), null=True, blank=True)

    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("停用检修记录")
        verbose_name_plural = _("停用检修记录")
        ordering = ["-start", "id"]
        constraints = [
            models.CheckConstraint(
                name="shutdown_end_after_start",
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}:{self.start:%Y-%m-%d}"


class ChecklistTemplate(models.Model):
    """A checklist (检查表) that ad-hoc, seasonal, holiday, before-restart, specialist and expert inspections
    are built from. Owned by the county (`enterprise` empty: every user reads it) or by one enterprise
    (read by it and its regulators). Shipped lists (`shipped_code`) are read-only."""

    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
        verbose_name=_("所属企业"),
    )
    name = models.CharField(_("检查表名称"), max_length=100)
    sector_code = models.CharField(_("适用行业"), max_length=32, blank=True)
    kind = models.PositiveSmallIntegerField(_("排查类型"), choices=DANGER_SOURCE_CHOICES, default=3)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    shipped_code = models.CharField(_("内置编号"), max_length=32, blank=True)
    active = models.BooleanField(_("在用"), default=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Enterprise-owned rows by enterprise; the selector adds the county's (enterprise empty) for everyone.
    scope_rule = ByEnterprise()

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["enterprise_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipped_code"], condition=~models.Q(shipped_code=""), name="checklist_shipped_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner(self) -> str:
        return ChecklistOwner.COUNTY if self.enterprise_id is None else ChecklistOwner.ENTERPRISE


class ChecklistItem(models.Model):
    """One check of a checklist; `criterion` when ticking it "not OK" means a major hidden hazard."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(_("编号"), max_length=32)
    text = models.CharField(_("检查内容"), max_length=500)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    criterion = models.ForeignKey(
        MajorCriterion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklist_items",
        verbose_name=_("重大隐患判定标准"),
    )

    scope_rule = ByEnterprise(enterprise="template__enterprise")

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["template_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="checklist_item_code_once"),
            models.UniqueConstraint(fields=["template", "text"], name="checklist_item_text_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Checkpoint(models.Model):
    """The checkpoint of a risk point: a secret token printed as a QR code (or written to an NFC tag as a
    URL) at the point. Opening its URL proves presence for the point's checks; reissuing revokes the old."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    risk_point = models.OneToOneField(
        RiskPoint, on_delete=models.CASCADE, related_name="checkpoint", verbose_name=_("风险点")
    )
    token = models.CharField(max_length=43, unique=True)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)

    scope_rule = point_scope("risk_point__")

    class Meta:
        verbose_name = _("巡检点")
        verbose_name_plural = _("巡检点")

    def __str__(self) -> str:
        return str(self.risk_point_id)


class InspectionTask(models.Model):
    """A recurring inspection (隐患排查任务): from a control measure of the register, or ad-hoc with a kind.

    The cycle is the national one (`checkCycle`, `checkCycleUnit`, `workDayType`, `workStartTime`/
    `workEndTime` for hourly tasks); `rules.inspection.windows_on` turns it into the day's occurrences.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="inspection_tasks")
    measure = models.ForeignKey(
        ControlMeasure,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_tasks",
        verbose_name=_("管控措施"),
    )
    risk_point = models.ForeignKey(
        RiskPoint,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_tasks",
        verbose_name=_("风险点"),
    )
    kind = models.PositiveSmallIntegerField(_("排查类型"), choices=DANGER_SOURCE_CHOICES, default=1)
    # National `workType`: a major hazard source's responsible person's check (包保); empty = routine (0).
    work_type = models.PositiveSmallIntegerField(
        _("包保责任类型"), choices=WorkType.choices, null=True, blank=True
    )
    title = models.CharField(_("任务名称"), max_length=200)
    check_content = models.TextField(_("排查内容"))
    check_items = models.JSONField(_("检查项"), default=list, blank=True)
    cycle_every = models.PositiveIntegerField(_("排查周期"), validators=[MinValueValidator(1)])
    cycle_unit = models.CharField(_("周期单位"), max_length=4, choices=CycleUnit.choices)
    work_day_type = models.PositiveSmallIntegerField(_("工作日类型"), choices=WorkDayType.choices, default=0)
    work_start = models.TimeField(_("作业开始时间"), null=True, blank=True)
    work_end = models.TimeField(_("作业结束时间"), null=True, blank=True)
    start_date = models.DateField(_("任务开始日期"))
    # Monthly/yearly tasks: the day of the month (and, yearly, the month) they fall on; empty: the start's.
    anchor_day = models.PositiveSmallIntegerField(
        _("每期排查日"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("1–31；该月没有这一天时为当月最后一天"),
    )
    anchor_month = models.PositiveSmallIntegerField(
        _("每年排查月份"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    responsible_post = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_tasks",
        verbose_name=_("责任岗位"),
    )
    responsible_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_tasks",
        verbose_name=_("责任人"),
    )
    active = models.BooleanField(_("在用"), default=True)
    # Ad-hoc inspections from a checklist: one occurrence, never generated again.
    checklist = models.ForeignKey(
        ChecklistTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("检查表"),
    )
    one_off = models.BooleanField(_("一次性排查"), default=False)
    item_criteria = models.JSONField(_("检查项对应的重大隐患判定标准"), default=dict, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rule = ByEnterprise(org_unit_path="responsible_post__path")

    class Meta:
        verbose_name = _("排查任务")
        verbose_name_plural = _("排查任务")
        ordering = ["enterprise_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure"],
                condition=models.Q(measure__isnull=False),
                name="inspection_task_one_per_measure",
            ),
            models.CheckConstraint(
                name="inspection_task_cycle_positive", condition=models.Q(cycle_every__gte=1)
            ),
            models.CheckConstraint(
                name="inspection_task_anchor_range",
                condition=(
                    models.Q(anchor_day__isnull=True) | models.Q(anchor_day__gte=1, anchor_day__lte=31)
                )
                & (models.Q(anchor_month__isnull=True) | models.Q(anchor_month__gte=1, anchor_month__lte=12)),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if "anchor_day" in inspection_rules.anchor_problems(self.anchor_day, self.anchor_month):
            raise ValidationError({"anchor_day": _("该月份没有这一天")})


class TaskOccurrence(models.Model):
    """One due check of a task: its window [start, end) and what became of it.

    Stored status is due/done/missed/suspended; "overdue" (past the window, grace not over) is read from
    the rules. Unique per task and window start, so a second generation run adds nothing.
    """

    task = models.ForeignKey(InspectionTask, on_delete=models.CASCADE, related_name="occurrences")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    window_start = models.DateTimeField(_("开始时间"))
    window_end = models.DateTimeField(_("截止时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=OccurrenceStatus.choices, default=OccurrenceStatus.DUE
    )
    done_at = models.DateTimeField(_("检查时间（服务器）"), null=True, blank=True)
    device_time = models.DateTimeField(_("检查时间（设备）"), null=True, blank=True)
    done_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, related_name="+", null=True, blank=True)

    scope_rule = ByEnterprise(org_unit_path="task__responsible_post__path")

    class Meta:
        verbose_name = _("排查任务周期")
        verbose_name_plural = _("排查任务周期")
        ordering = ["window_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "window_start"], name="task_occurrence_once"),
            models.CheckConstraint(
                name="task_occurrence_window", condition=models.Q(window_end__gt=models.F("window_start"))
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "window_end", "status"], name="occurrence_ent_end_idx"),
            models.Index(fields=["status", "window_end"], name="occurrence_status_end_idx"),
            # The day's generation reads the day's existing (task, window start) pairs: 20 million rows a year.
            models.Index(fields=["window_start", "task"], name="occurrence_start_task_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}@{self.window_start:%Y-%m-%d %H:%M}"


class CheckRecord(models.Model):
    """What the checker found at one occurrence (隐患排查记录): items ticked, note, result, presence."""

    occurrence = models.OneToOneField(
        TaskOccurrence, on_delete=models.PROTECT, related_name="record", verbose_name=_("排查任务周期")
    )
    task = models.ForeignKey(InspectionTask, on_delete=models.PROTECT, related_name="records")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    items = models.JSONField(_("检查项"), default=list, blank=True)  # [{"item": text, "ok": bool}]
    note = models.TextField(_("检查情况"), blank=True)
    result = models.CharField(_("检查结果"), max_length=8, choices=CheckResult.choices)
    presence = models.CharField(_("到位验证"), max_length=8, choices=Presence.choices, default=Presence.NONE)
    checkpoint = models.ForeignKey(
        Checkpoint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("巡检点"),
    )
    scanned_at = models.DateTimeField(_("扫码时间（服务器）"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    accuracy = models.FloatField(_("定位精度（米）"), null=True, blank=True)
    distance_m = models.FloatField(_("距风险点（米）"), null=True, blank=True)
    device_id = models.CharField(_("设备标识"), max_length=64, blank=True)
    user_agent = models.CharField(_("浏览器/设备"), max_length=300, blank=True)
    flag_photo_seen = models.BooleanField(_("照片重复使用"), default=False)
    flag_far = models.BooleanField(_("远离风险点"), default=False)
    flag_batch = models.BooleanField(_("集中补录"), default=False)
    flag_detail = models.JSONField(_("标记说明"), default=dict, blank=True)
    photo = models.ImageField(_("照片"), upload_to="hazards/checks/%Y/%m/", blank=True)
    photo_sha256 = models.CharField(_("照片摘要 SHA-256"), max_length=64, blank=True, db_index=True)
    checked_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    server_time = models.DateTimeField(_("记录时间（服务器）"))
    device_time = models.DateTimeField(_("检查时间（设备）"), null=True, blank=True)

    scope_rule = ByEnterprise(org_unit_path="task__responsible_post__path")

    class Meta:
        verbose_name = _("排查记录")
        verbose_name_plural = _("排查记录")
        ordering = ["-server_time", "id"]
        indexes = [
            models.Index(fields=["enterprise", "-server_time"], name="check_record_ent_time_idx"),
            models.Index(fields=["checked_by", "-server_time"], name="check_record_user_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}:{self.result}@{self.server_time:%Y-%m-%d %H:%M}"

    @property
    def flags(self) -> list[str]:
        return [
            flag
            for flag, on in (
                (TrustFlag.PHOTO_SEEN, self.flag_photo_seen),
                (TrustFlag.FAR, self.flag_far),
                (TrustFlag.BATCH, self.flag_batch),
            )
            if on
        ]

    def flag_labels(self) -> list[str]:
        return [str(TrustFlag(f).label) for f in self.flags]


# The statistics rollups (written by `rollups` only), the major-hazard records, the self-report (自查自报)
# and the national-format links live in their own modules; imported here so Django registers them.
from .models_calendar import CalendarDay as CalendarDay  # noqa: E402
from .models_major import MajorHazardReport as MajorHazardReport  # noqa: E402
from .models_major import MajorReportTransition as MajorReportTransition  # noqa: E402
from .models_major import SuspensionOrder as SuspensionOrder  # noqa: E402
from .models_major import SuspensionTransition as SuspensionTransition  # noqa: E402
from .models_major import TreatmentPlan as TreatmentPlan  # noqa: E402
from .models_national import NationalLink as NationalLink  # noqa: E402
from .models_selfreport import HazardSelfReport as HazardSelfReport  # noqa: E402
from .models_selfreport import SelfReportNotice as SelfReportNotice  # noqa: E402
from .models_selfreport import SelfReportTransition as SelfReportTransition  # noqa: E402
from .models_stats import HazardDeadlineStat as HazardDeadlineStat  # noqa: E402
from .models_stats import HazardMonthStat as HazardMonthStat  # noqa: E402
from .models_stats import InspectionMonthStat as InspectionMonthStat  # noqa: E402
