"""The points workbook (监测点位及限值), in and out, on the platform's Excel kit (`core.excel`).

One file is one enterprise's points (chosen on the upload page). Each row is a point matched by its code:
a new code creates the point with its limits (gas detectors without limits get the REFERENCE §6 defaults);
an existing code updates its description, and when its limits differ it files a *limit change request*
(permanent, the file's version and source, "Excel 导入" as the reason) that waits for another person's
approval — an import never writes limits directly. All or nothing: every row is checked first and any
problem is reported as sheet/row/column/value/message. The export writes the same sheet with the current
points, so an export imports back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from safegrid.core import audit
from safegrid.core.choices import AuditAction
from safegrid.core.excel import (
    EXAMPLE_MARK,
    CodeList,
    Column,
    HelpText,
    ImportResult,
    Kind,
    ProgressSink,
    Row,
    RowChecker,
    RowError,
    RowsRefused,
    SheetData,
    SheetSpec,
    TemplateLines,
    build_workbook,
    run_import,
    validation_errors,
)
from safegrid.core.models import User
from safegrid.enterprises import import_jobs
from safegrid.enterprises.models import Enterprise
from safegrid.enterprises.models_import import ImportJob, ImportKind
from safegrid.majorhazards.models import HazardUnit
from safegrid.risks.models import RiskPoint

from ..choices import PointKindChoices
from ..models import MonitoringPoint
from ..rules.limits import ChangeKind, LimitSet
from ..rules.points import Limits, PointKind, limit_errors
from ..workflows_points import can_edit_points
from . import limits as limit_services
from . import points as point_services

MAX_ROWS = 5_000
JOB_KIND = "monitoring.import_points"
SHEET = "监测点位"


def _float(key: str, header: str, note: str = "", *, low: float | None = None) -> Column:
    return Column(key, header, Kind.FLOAT, False, 10, note, low=low)


POINTS = SheetSpec(
    SHEET,
    (
        Column(
            "code", "点位编码", Kind.TEXT, True, 18, "企业内唯一，与网关上报一致", max_length=64, code=True
        ),
        Column("name", "点位名称", Kind.TEXT, True, 24, max_length=100),
        Column("kind", "监测类型", Kind.CHOICE, True, 12, "见代码表", choices=PointKindChoices.choices),
        Column(
            "unit",
            "重大危险源单元编码",
            Kind.REFERENCE,
            False,
            16,
            "可空；本企业的辨识单元编码",
            codes="unit",
        ),
        Column(
            "risk_point",
            "风险分析单元编号",
            Kind.REFERENCE,
            False,
            16,
            "可空；本企业在用的风险点编号，该风险点停用检修时本点位暂停报警",
            codes="risk_point",
        ),
        Column("measure_unit", "计量单位", Kind.TEXT, False, 10, "空为该类型的默认单位", max_length=16),
        Column("location", "安装位置", Kind.TEXT, False, 20, max_length=200),
        _float("ll", "低低限LL"),
        _float("l", "低限L"),
        _float("h", "高限H"),
        _float("hh", "高高限HH", "须满足 LL < L < H < HH（空的不参与比较）"),
        _float("rate_limit", "变化速率限值（每分钟）", low=0),
        _float("deadband", "死区", "空为 0", low=0),
        Column(
            "limits_version",
            "限值版本",
            Kind.TEXT,
            False,
            12,
            "填写限值时必填；修改已有点位的限值须用新版本号",
            max_length=40,
        ),
        Column("limits_source", "限值来源", Kind.TEXT, False, 28, "工艺控制指标文件名称", max_length=200),
        _float("oel_ppm", "职业接触限值（ppm）", "有毒气体探测器", low=0),
        Column(
            "expected_interval_s",
            "上报周期（秒）",
            Kind.INT,
            False,
            10,
            "空为 10",
            default=10,
            low=1,
            high=86_400,
        ),
        Column(
            "offline_timeout_s",
            "离线判定（秒）",
            Kind.INT,
            False,
            10,
            "空为 300",
            default=300,
            low=1,
            high=864_000,
        ),
    ),
    max_rows=MAX_ROWS,
)
LIMIT_KEYS = ("ll", "l", "h", "hh", "rate_limit", "deadband")
FIELD_COLUMNS = {
    "version": "limits_version",
    "source": "limits_source",
    "reason": "code",
    "effective_from": "code",
}


@dataclass
class PointRow:
    number: int
    data: dict[str, Any]
    point: MonitoringPoint | None = None  # an existing point (matched by code)
    changes: dict[str, Any] = field(default_factory=dict)  # description fields that change
    limits: LimitSet | None = None  # new limits to request approval for


@dataclass
class Plan:
    rows: list[PointRow]

    def counts(self) -> dict[str, int]:
        return {
            "created": sum(1 for r in self.rows if r.point is None),
            "updated": sum(1 for r in self.rows if r.point is not None and r.changes),
            "limit_changes": sum(1 for r in self.rows if r.limits is not None),
        }


def _limit_set(data: Mapping[str, Any]) -> LimitSet:
    return LimitSet(
        ll=data["ll"],
        l=data["l"],
        h=data["h"],
        hh=data["hh"],
        rate_limit=data["rate_limit"],
        deadband=data["deadband"] or 0.0,
        version=data["limits_version"] or "",
        source=data["limits_source"] or "",
    )


class PointsImporter:
    sheets = (POINTS,)

    def __init__(self, user: User, enterprise: Enterprise, file: Mapping[str, Any]) -> None:
        self.user, self.enterprise, self.file = user, enterprise, file

    def check(
        self, rows: Mapping[str, list[Row]], errors: list[RowError], on_row: Callable[[int], None]
    ) -> Plan:
        self.units = {u.code: u for u in HazardUnit.objects.filter(enterprise=self.enterprise)}
        self.risk_points = {r.code: r for r in RiskPoint.objects.filter(enterprise=self.enterprise)}
        self.points = {p.code: p for p in MonitoringPoint.objects.filter(enterprise=self.enterprise)}
        seen: dict[str, int] = {}
        plan = Plan([])
        for index, row in enumerate(rows[POINTS.name], start=1):
            c = RowChecker(POINTS, row, errors)
            item = self._row(c, seen)
            if not c.failed and item is not None:
                plan.rows.append(item)
            on_row(index)
        return plan

    def _row(self, c: RowChecker, seen: dict[str, int]) -> PointRow | None:
        data = c.values(
            "code", "name", "kind", "measure_unit", "location", *LIMIT_KEYS,
            "limits_version", "limits_source", "oel_ppm", "expected_interval_s", "offline_timeout_s",
        )  # fmt: skip
        data["unit"] = c.lookup("unit", self.units, _("本企业没有这个重大危险源单元编码"))
        data["risk_point"] = c.lookup("risk_point", self.risk_points, _("本企业没有这个风险点编号"))
        code = data["code"]
        if not code or c.duplicate("code", code, seen):
            return None
        for name, message in limit_errors(Limits(data["ll"], data["l"], data["h"], data["hh"])):
            c.error(name, _(message))
        given = any(data[k] is not None for k in ("ll", "l", "h", "hh"))
        if given and not data["limits_version"]:
            c.error("limits_version", _("填写限值时须注明限值版本"))
        if given and not data["limits_source"]:
            c.error("limits_source", _("填写限值时须注明限值来源（如工艺控制指标文件名称）"))
        point = self.points.get(code)
        if point is None:
            return PointRow(c.row.number, data)
        return self._existing(c, point, data)

    def _existing(self, c: RowChecker, point: MonitoringPoint, data: dict[str, Any]) -> PointRow:
        if data["kind"] and data["kind"] != point.kind:
            c.error("kind", _("已有点位不能通过导入修改监测类型"))
        changes = {
            name: data[name]
            for name in (
                "name",
                "measure_unit",
                "location",
                "oel_ppm",
                "expected_interval_s",
                "offline_timeout_s",
            )
            if data[name] not in (None, "") and data[name] != getattr(point, name)
        }
        if data["unit"] is not None and data["unit"].pk != point.unit_id:
            changes["unit"] = data["unit"]
        if data["risk_point"] is not None and data["risk_point"].pk != point.risk_point_id:
            changes["risk_point"] = data["risk_point"]
        wanted = _limit_set(data)
        current = limit_services.current_set(point)
        limits = None
        if not wanted.same_values(current):
            if not wanted.version or wanted.version == current.version:
                c.error(
                    "limits_version",
                    _("限值有变化，须填写新的限值版本号（现行版本：%(v)s）") % {"v": current.version or "—"},
                )
            limits = wanted
        return PointRow(c.row.number, data, point, changes, limits)

    def write(self, plan: Plan, on_rows: Callable[[int], None]) -> int:
        reason = _("Excel 导入：%(file)s") % {"file": self.file["file_name"]}
        for done, row in enumerate(plan.rows, start=1):
            try:
                if row.point is None:
                    values = {k: v for k, v in row.data.items() if v is not None and v != ""}
                    values.setdefault("unit", None)
                    values.setdefault("risk_point", None)
                    point_services.point_create(actor=self.user, enterprise=self.enterprise, data=values)
                else:
                    if row.changes:
                        point_services.point_update(actor=self.user, point=row.point, data=row.changes)
                    if row.limits is not None:
                        limit_services.limit_change_request(
                            actor=self.user,
                            point=row.point,
                            kind=ChangeKind.PERMANENT,
                            values=row.limits,
                            reason=reason,
                            import_job=int(self.file["job_id"]),
                        )
            except ValidationError as exc:
                raise RowsRefused(validation_errors(POINTS, row.number, exc, FIELD_COLUMNS)) from None
            on_rows(done)
        counts = plan.counts()
        audit.record(
            actor=self.user,
            action=AuditAction.IMPORT,
            object_type="monitoring.import_points",
            object_id=str(self.file["job_id"]),
            after={"file_name": self.file["file_name"], "sha256": self.file["sha256"], **counts},
            comment=_(
                "Excel 导入监测点位：新建 %(created)s，修改 %(updated)s，限值变更待审批 %(limit_changes)s"
            )
            % counts,
        )
        self.counts = counts
        return len(plan.rows)


def upload_start(*, user: User, enterprise: Enterprise, file_name: str, content: bytes) -> ImportJob:
    """Keep the upload and queue its import (the caller has read the enterprise through a selector)."""
    if not can_edit_points(user, enterprise.pk):
        raise PermissionDenied(_(point_services.DENIED))
    upload = import_jobs.upload_store(
        user=user,
        kind=ImportKind.MONITORING_POINTS,
        file_name=file_name,
        content=content,
        enterprise=enterprise,
    )
    title = _("导入监测点位：%(file)s") % {"file": upload.file_name}
    return import_jobs.upload_enqueue(upload, job_kind=JOB_KIND, title=title)


def upload_url(upload: ImportJob) -> str:
    return reverse("monitoring:import_detail", args=[upload.pk])


def run_upload(ctx: ProgressSink, upload_id: int) -> dict[str, Any]:
    """The job body: check the uploader's permission again, import all or nothing, store the outcome."""
    upload = import_jobs.upload_for_job(upload_id)
    if upload is None:
        done = ImportJob.objects.get(pk=upload_id)
        return import_jobs.upload_outcome(done, upload_url(done))
    enterprise = upload.enterprise
    if enterprise is None or not can_edit_points(upload.created_by, enterprise.pk):
        result = ImportResult(False, message=_(point_services.DENIED))
        summary: dict[str, Any] = {}
    else:
        file = {"job_id": upload.pk, "file_name": upload.file_name, "sha256": upload.sha256}
        importer = PointsImporter(upload.created_by, enterprise, file)
        result = run_import(
            ctx, import_jobs.MarkDone(importer, upload), bytes(upload.content), first_sheet_fallback=True
        )
        summary = getattr(importer, "counts", {})
    import_jobs.upload_finish(upload, result, summary=summary, url=upload_url(upload))
    return import_jobs.upload_outcome(upload, upload_url(upload))


# ---- the template and the export ------------------------------------------------------------------------


def _row_of(point: MonitoringPoint) -> dict[str, Any]:
    return {
        "code": point.code,
        "name": point.name,
        "kind": point.kind,
        "unit": point.unit.code if point.unit else "",
        "risk_point": point.risk_point.code if point.risk_point else "",
        "measure_unit": point.measure_unit,
        "location": point.location,
        **{k: getattr(point, k) for k in LIMIT_KEYS},
        "limits_version": point.limits_version,
        "limits_source": point.limits_source,
        "oel_ppm": point.oel_ppm,
        "expected_interval_s": point.expected_interval_s,
        "offline_timeout_s": point.offline_timeout_s,
    }


def workbook(enterprise: Enterprise, points: Iterable[MonitoringPoint] = ()) -> bytes:
    """The points workbook of `enterprise`: a template (no points) or an export that imports back unchanged."""
    units = list(
        HazardUnit.objects.filter(enterprise=enterprise).order_by("code").values_list("code", flat=True)
    )
    risk_points = list(
        RiskPoint.objects.filter(enterprise=enterprise, active=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    example = {
        "code": f"{EXAMPLE_MARK}T101-LT-01",
        "name": "甲醇储罐T101液位（本行不会导入，可删除）",
        "kind": PointKind.LEVEL,
        "unit": units[0] if units else "",
        "risk_point": risk_points[0] if risk_points else "",
        "measure_unit": "m",
        "location": "罐区T101",
        "ll": 0.8, "l": 1.5, "h": 8.5, "hh": 9.2, "deadband": 0.05,
        "limits_version": "V2", "limits_source": "甲醇罐区工艺控制指标（2025版）",
        "expected_interval_s": 10, "offline_timeout_s": 300,
    }  # fmt: skip
    extra = [
        "6. 一个文件只导入一家企业的监测点位（上传时选择企业）；按点位编码匹配已有点位。",
        "7. 已有点位的限值不同于现行限值时，不会直接修改，而是生成限值变更申请，经本企业另一名负责人审批后生效。",
        "8. 可燃气体、有毒气体（填职业接触限值）、氧含量探测器未填限值时，采用 GB/T 50493-2019 默认报警值。",
    ]
    with translation.override("zh-hans"):
        return build_workbook(
            [SheetData(POINTS, rows=[_row_of(p) for p in points], example=example)],
            code_lists=[
                CodeList("unit", "重大危险源单元编码", units),
                CodeList("risk_point", "风险分析单元编号", risk_points),
            ],
            help_text=HelpText(
                pairs=[("企业", enterprise.name), ("统一社会信用代码", enterprise.uscc)],
                lines=TemplateLines([SHEET], MAX_ROWS, extra).lines(),
            ),
        )
