"""Excel import of enterprises and of people (with their certificates): all or nothing.

The flow, for both kinds:

1. `job_create` stores the uploaded workbook as an `ImportJob` (status *queued*) and hands its id
   to a starter after the transaction commits.
2. `process_job` claims the job with a conditional UPDATE (so a job is never run twice), reads
   every row, prefetches what the rows refer to (divisions, grids, sectors, existing USCCs,
   enterprises in scope, org units, certificates) into dicts, and checks EVERY row — required
   fields, formats, codes, scope, duplicates in the file and against the database — while it
   counts progress (*validating x/N*).
3. Any error: nothing is written; the job ends *failed* with one entry per problem
   (Excel row, Chinese column header, value, message).
4. No error: every row is written in ONE transaction through the enterprise services
   (`enterprise_create`, `person_create`, `certificate_create`), so each row is validated once
   more and audited; one summary audit entry (action *import*) closes the transaction
   (*importing x/N*). Anything refused at that stage rolls the whole file back.

Background work: the embedded deployment runs `process_job` in a `threading.Thread` started
on commit (`start_in_thread`). With a task queue (the architecture's `django-tasks` database
backend and the `safegrid worker` command), `process_job` becomes a task and the starter becomes
``transaction.on_commit(lambda: process_import_task.enqueue(job.pk))``; nothing else changes,
because the claim by conditional UPDATE makes a duplicate delivery harmless and a job that a
dead worker left running is marked failed by `import_job_get` after `STALE_AFTER`. Tests run
the job inline (`settings.PROFILE == "test"`, or pass `starter=`).

Progress: while validating, `processed_rows` is written every `PROGRESS_EVERY` rows with a
conditional UPDATE. While importing, the rows are inside one open transaction, so progress is
written through a second database connection where the database allows concurrent writers
(PostgreSQL); SQLite has a single writer, so there the counter jumps from 0 to N at commit and
the page shows an indeterminate bar for that phase. For the same reason, on SQLite every other
write (a session save included) waits for the import's commit and fails after the busy timeout:
18,000 enterprise rows hold the lock for minutes, so load files that large on PostgreSQL or
when nobody else is working.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import hashlib
import io
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from safegrid.core import audit
from safegrid.core.choices import COUNTY_ROLES, ENTERPRISE_ROLES, AuditAction, Role
from safegrid.core.models import User
from safegrid.regions.models import Division, Grid, Sector
from safegrid.regions.selectors import division_list, grid_list, sector_list

from . import rules, services
from .choices import CertificateKind, ChemicalPark, EnterpriseScale, EnterpriseStatus, OrgUnitKind
from .models import Certificate, Enterprise, OrgUnit, Person
from .models_import import RUNNING_STATUSES, ImportJob, ImportKind, ImportStatus
from .selectors import enterprise_list

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_STORED_ERRORS = 500
PROGRESS_EVERY = 200
STALE_AFTER = dt.timedelta(hours=2)
TEMPLATE_VALIDATION_ROWS = 20_000
EXAMPLE_MARK = "【示例】"
CODES_SHEET = "代码表"
HELP_SHEET = "填写说明"

# China's extreme points, rounded outwards: a coordinate outside is a typo or swapped lat/lon.
CHINA_LAT = (3.8, 53.6)
NUMERIC_CODE_MESSAGE = gettext_lazy(
    "该单元格被 Excel 当作数字保存，18 位代码会丢失精度；请把这一列设为“文本”格式后重新填写"
)
CHINA_LON = (73.4, 135.1)


_LIST_SPLIT = re.compile(r"[、,，;；\s]+")
_PATH_SPLIT = re.compile(r"\s*[/／]\s*")
_DIVISION_CODE = re.compile(r"^\s*(\d{12}|\d{9}|\d{6})(?!\d)")
_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,30}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


# ---------------------------------------------------------------------------------------------
# Columns: the Excel contract. Headers are fixed Chinese text (a data format, like a code list),
# so a file filled in under one UI language imports under the other.


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 16
    note: str = ""

    @property
    def is_text(self) -> bool:
        """Columns Excel must keep as text (long codes, phone numbers with a leading 0)."""
        return self.key in {"uscc", "enterprise", "division", "grid", "cert_number"} or self.key.endswith(
            "phone"
        )


ENTERPRISE_COLUMNS: tuple[Column, ...] = (
    Column("name", "企业名称", True, 30, "营业执照上的全称"),
    Column("uscc", "统一社会信用代码", True, 22, "18 位，按 GB 32100-2015 校验"),
    Column("sectors", "行业领域", True, 22, "见代码表；可填多个，用“、”或“,”分隔"),
    Column("division", "所属区划代码", True, 26, "见代码表，须在您的管辖范围内；可只填代码"),
    Column("grid", "所属网格编号", False, 16, "可空；须在所属区划的镇/街道内"),
    Column("status", "经营状态", False, 14, "见代码表；空为“正常生产经营”"),
    Column("scale", "规模", False, 10, "见代码表；空为“小型”"),
    Column("employees", "从业人数", False, 10, "非负整数；空为 0"),
    Column("industry", "国民经济行业", False, 18, ""),
    Column("address", "地址", False, 30, ""),
    Column("lat", "纬度", False, 12, "十进制度，如 36.95；与经度同时填写或同时留空"),
    Column("lon", "经度", False, 12, "十进制度，如 118.08"),
    Column("chemical_park", "化工园区", False, 20, "见代码表；空为“不在化工园区”"),
    Column("legal_rep", "法定代表人", True, 12, ""),
    Column("legal_rep_phone", "法定代表人电话", False, 16, ""),
    Column("principal", "主要负责人", False, 12, ""),
    Column("principal_phone", "主要负责人电话", False, 16, ""),
    Column("safety_manager", "安全管理员", False, 12, ""),
    Column("safety_manager_phone", "安全管理员电话", False, 16, ""),
)

PEOPLE_COLUMNS: tuple[Column, ...] = (
    Column("enterprise", "企业统一社会信用代码", True, 22, "须为您管辖范围内、已在系统中的企业"),
    Column("name", "姓名", True, 12, ""),
    Column("job_title", "职务", False, 14, ""),
    Column("phone", "电话", False, 16, ""),
    Column(
        "org_unit", "岗位/部门路径", False, 36, "公司以下各级名称用“/”连接，如：合成车间/甲班/反应釜操作岗"
    ),
    Column("cert_kind", "证书类型", False, 26, "见代码表；有证书时与证书编号同时填写"),
    Column("cert_number", "证书编号", False, 20, "证书类型 + 编号在系统内唯一"),
    Column("cert_expires", "证书有效期至", False, 14, "日期，如 2027-06-30"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.ENTERPRISES: ENTERPRISE_COLUMNS,
    ImportKind.PEOPLE: PEOPLE_COLUMNS,
}
DATA_SHEET: dict[str, str] = {ImportKind.ENTERPRISES: "企业", ImportKind.PEOPLE: "人员"}

# Where a service's field-named ValidationError lands in the sheet.
_PERSON_FIELD_COLUMN = {"name": "name", "job_title": "job_title", "phone": "phone", "org_unit": "org_unit"}
_CERT_FIELD_COLUMN = {"kind": "cert_kind", "number": "cert_number", "expires_on": "cert_expires"}


def _header(kind: str, key: str) -> str:
    for column in COLUMNS[kind]:
        if column.key == key:
            return column.header
    return ""


# ---------------------------------------------------------------------------------------------
# Who may import what.


@dataclass(frozen=True)
class Reach:
    """Where a user may import: everything (county), some town subtrees, their own enterprises."""

    everything: bool = False
    division_prefixes: tuple[str, ...] = ()
    own_enterprise_ids: frozenset[int] = frozenset()

    def may_import(self, kind: str) -> bool:
        government = self.everything or bool(self.division_prefixes)
        if kind == ImportKind.ENTERPRISES:
            return government
        return government or bool(self.own_enterprise_ids)


def reach_for(user: Any) -> Reach:
    if user is None or not user.is_authenticated or not user.is_active:
        return Reach()
    everything = bool(user.is_superuser)
    prefixes: set[str] = set()
    own: set[int] = set()
    for role, division_id, enterprise_id in user.role_assignments.values_list(
        "role", "division_id", "enterprise_id"
    ):
        if role in COUNTY_ROLES:
            everything = True
        elif role == Role.TOWN_OFFICER and division_id:
            prefixes.add(division_id)
        elif role in ENTERPRISE_ROLES and enterprise_id:
            own.add(enterprise_id)
    return Reach(everything, tuple(sorted(prefixes)), frozenset(own))


def allowed_kinds(user: Any) -> list[str]:
    reach = reach_for(user)
    return [kind for kind in ImportKind.values if reach.may_import(kind)]


def importable_divisions(user: Any, reach: Reach) -> QuerySet[Division]:
    """Divisions the user may put an enterprise in: their scope, narrowed to the importing roles."""
    qs = division_list(user)
    if reach.everything:
        return qs
    q = Q(pk__in=[])
    for prefix in reach.division_prefixes:
        q |= Q(code__startswith=prefix)
    return qs.filter(q)


def importable_enterprises(user: Any, reach: Reach) -> QuerySet[Enterprise]:
    """Enterprises the user may add people to."""
    qs = enterprise_list(user)
    if reach.everything:
        return qs
    q = Q(pk__in=sorted(reach.own_enterprise_ids))
    for prefix in reach.division_prefixes:
        q |= Q(division__code__startswith=prefix)
    return qs.filter(q)


# ---------------------------------------------------------------------------------------------
# Reading cells.


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


class SheetError(Exception):
    """The workbook as a whole cannot be read (not an xlsx, no header, too many rows)."""


@dataclass
class SheetRow:
    number: int  # the Excel row number, as the user sees it
    values: dict[str, Any]


def cell_text(value: Any) -> str:
    """A cell as the user meant it: integral floats without '.0', dates as ISO, text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def _normal_header(value: Any) -> str:
    return re.sub(r"[\s*＊]", "", cell_text(value))


def read_sheet(content: bytes, kind: str) -> tuple[list[SheetRow], list[RowError]]:
    """The data rows of the workbook (blank rows and the example row skipped) and header problems."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not an xlsx
        raise SheetError(_("文件无法读取，请上传由模板填写的 .xlsx 格式 Excel 文件")) from exc
    try:
        name = DATA_SHEET[kind]
        sheet = workbook[name] if name in workbook.sheetnames else workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise SheetError(_("工作表“%(sheet)s”是空的") % {"sheet": sheet.title})
        positions: dict[str, int] = {}
        problems: list[RowError] = []
        by_header = {column.header: column for column in COLUMNS[kind]}
        for index, raw in enumerate(header):
            text = _normal_header(raw)
            column = by_header.get(text)
            if column is None:
                continue
            if column.key in positions:
                problems.append(RowError(1, column.header, text, _("列重复出现")))
            positions[column.key] = index
        for column in COLUMNS[kind]:
            if column.required and column.key not in positions:
                problems.append(RowError(1, column.header, "", _("缺少必填列，请使用导入模板")))
        if problems:
            return [], problems
        rows: list[SheetRow] = []
        for number, line in enumerate(lines, start=2):
            if line is None or all(cell_text(v) == "" for v in line):
                continue
            if any(isinstance(v, str) and v.strip().startswith(EXAMPLE_MARK) for v in line):
                continue
            values = {key: (line[pos] if pos < len(line) else None) for key, pos in positions.items()}
            rows.append(SheetRow(number, values))
            if len(rows) > MAX_ROWS:
                raise SheetError(
                    _("一次最多导入 %(max)s 行，请拆分文件后分批导入（每个文件仍是全部成功或全部不导入）")
                    % {"max": MAX_ROWS}
                )
        return rows, []
    finally:
        workbook.close()


class RowChecker:
    """Collects the problems of one row, each named by its column."""

    def __init__(self, kind: str, row: SheetRow, errors: list[RowError]) -> None:
        self.kind = kind
        self.row = row
        self.errors = errors
        self.failed = False

    def raw(self, key: str) -> Any:
        return self.row.values.get(key)

    def text(self, key: str) -> str:
        return cell_text(self.raw(key))

    def error(self, key: str, message: str, value: Any = None) -> None:
        shown = cell_text(self.raw(key) if value is None else value)
        self.errors.append(RowError(self.row.number, _header(self.kind, key), shown[:100], message))
        self.failed = True

    def string(self, key: str, max_length: int, *, required: bool = False) -> str:
        value = self.text(key)
        if required and not value:
            self.error(key, _("必填项不能为空"))
        elif len(value) > max_length:
            self.error(key, _("不能超过 %(n)s 个字（实际 %(m)s 个）") % {"n": max_length, "m": len(value)})
        return value

    def phone(self, key: str) -> str:
        value = self.text(key)
        if value and (len(value) > 32 or not _PHONE.match(value)):
            self.error(key, _("电话号码格式不正确（只允许数字、空格、“-”和开头的“+”）"))
        return value

    def choice(self, key: str, by_label: Mapping[str, str], default: str) -> str:
        value = self.text(key)
        if not value:
            return default
        if value in by_label:
            return by_label[value]
        if value in by_label.values():
            return value
        self.error(key, _("不是有效选项，可选：%(options)s") % {"options": "、".join(by_label)})
        return default

    def number(self, key: str, low: float, high: float) -> float | None:
        raw = self.raw(key)
        if raw is None or cell_text(raw) == "":
            return None
        try:
            value = float(raw) if isinstance(raw, int | float) else float(cell_text(raw))
        except ValueError:
            self.error(key, _("应为数字"))
            return None
        if not (low <= value <= high):
            self.error(key, _("应在 %(low)s 到 %(high)s 之间") % {"low": low, "high": high})
            return None
        return value

    def date(self, key: str) -> dt.date | None:
        raw = self.raw(key)
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        text = cell_text(raw)
        if not text:
            return None
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.error(key, _("日期格式不正确，请填写如 2027-06-30 的日期"))
        return None


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Chinese label -> stored value, whatever the active UI language."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices}


def _max_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


def _in_china(lat: float, lon: float) -> bool:
    return CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LON[0] <= lon <= CHINA_LON[1]


def _float_or_none(value: Any) -> float | None:
    try:
        return float(value) if isinstance(value, int | float) else float(cell_text(value))
    except ValueError:
        return None


def _coordinates(c: RowChecker) -> tuple[float | None, float | None]:
    """Latitude and longitude: numeric, both or neither, in range and inside China."""
    lat_given, lon_given = c.text("lat") != "", c.text("lon") != ""
    if lat_given != lon_given:
        c.error("lon" if lat_given else "lat", _("经度和纬度须同时填写或同时留空"))
        return None, None
    if not lat_given:
        return None, None
    raw_lat, raw_lon = _float_or_none(c.raw("lat")), _float_or_none(c.raw("lon"))
    if raw_lat is not None and raw_lon is not None and _in_china(raw_lon, raw_lat):
        c.error("lat", _("纬度 %(lat)s、经度 %(lon)s 看起来填反了") % {"lat": raw_lat, "lon": raw_lon})
        return None, None
    lat, lon = c.number("lat", -90, 90), c.number("lon", -180, 180)
    if lat is not None and lon is not None and not _in_china(lat, lon):
        c.error(
            "lat",
            _("坐标不在中国境内（纬度 %(lat)s，经度 %(lon)s），请检查") % {"lat": lat, "lon": lon},
        )
        return None, None
    return lat, lon


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# ---------------------------------------------------------------------------------------------
# Checking enterprise rows.


@dataclass
class EnterpriseRow:
    number: int
    data: dict[str, Any]
    sectors: list[Sector]


@dataclass
class EnterpriseLookups:
    divisions: dict[str, Division]
    grids: dict[str, Grid]
    sectors: dict[str, Sector]  # by Chinese name and by code
    existing_usccs: set[str]

    @classmethod
    def load(cls, user: Any, reach: Reach, rows: Sequence[SheetRow]) -> EnterpriseLookups:
        divisions = {d.code: d for d in importable_divisions(user, reach)}
        grids = {g.code: g for g in grid_list(user)}
        sectors: dict[str, Sector] = {}
        for sector in sector_list(user):
            sectors[sector.name] = sector
            sectors[sector.code] = sector
        usccs = sorted({cell_text(r.values.get("uscc")).upper() for r in rows} - {""})
        existing: set[str] = set()
        # A plain uniqueness probe across the county: the USCC is unique whoever regulates it.
        for chunk in _chunks(usccs):
            existing.update(Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", flat=True))
        return cls(divisions, grids, sectors, existing)


def check_enterprise_rows(
    rows: Sequence[SheetRow], lookups: EnterpriseLookups, on_row: Callable[[int], None] | None = None
) -> tuple[list[EnterpriseRow], list[RowError]]:
    kind = ImportKind.ENTERPRISES
    statuses = _labels(EnterpriseStatus.choices)
    scales = _labels(EnterpriseScale.choices)
    parks = _labels(ChemicalPark.choices)
    errors: list[RowError] = []
    good: list[EnterpriseRow] = []
    seen_usccs: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        c = RowChecker(kind, row, errors)
        data: dict[str, Any] = {}
        for key in ("name", "legal_rep"):
            data[key] = c.string(key, _max_length(Enterprise, key), required=True)
        for key in ("industry", "address", "principal", "safety_manager"):
            data[key] = c.string(key, _max_length(Enterprise, key))
        for key in ("legal_rep_phone", "principal_phone", "safety_manager_phone"):
            data[key] = c.phone(key)

        uscc = re.sub(r"\s", "", c.text("uscc")).upper()
        if not uscc:
            c.error("uscc", _("必填项不能为空"))
        elif isinstance(c.raw("uscc"), int | float):
            c.error("uscc", str(NUMERIC_CODE_MESSAGE))
        elif problem := rules.uscc_problem(uscc):
            c.error("uscc", problem)
        elif uscc in seen_usccs:
            c.error("uscc", _("与本文件第 %(row)s 行重复") % {"row": seen_usccs[uscc]})
        elif uscc in lookups.existing_usccs:
            c.error("uscc", _("该统一社会信用代码已在系统中登记，不能重复导入"))
        if uscc and uscc not in seen_usccs:
            seen_usccs[uscc] = row.number
        data["uscc"] = uscc

        sectors: list[Sector] = []
        names = [n for n in _LIST_SPLIT.split(c.text("sectors")) if n]
        if not names:
            c.error("sectors", _("必填项不能为空"))
        for name in names:
            sector = lookups.sectors.get(name)
            if sector is None:
                c.error("sectors", _("没有名为“%(name)s”的行业领域，请按代码表填写") % {"name": name})
            elif sector not in sectors:
                sectors.append(sector)

        division: Division | None = None
        match = _DIVISION_CODE.match(c.text("division"))
        if not c.text("division"):
            c.error("division", _("必填项不能为空"))
        elif match is None:
            c.error("division", _("区划代码应为 6、9 或 12 位数字"))
        else:
            division = lookups.divisions.get(match.group(1))
            if division is None:
                c.error("division", _("区划代码不存在或不在您的管辖范围内"))
        data["division"] = division

        grid: Grid | None = None
        grid_code = c.text("grid")
        if grid_code:
            grid = lookups.grids.get(grid_code)
            if grid is None:
                c.error("grid", _("网格编号不存在或不在您的管辖范围内"))
            elif division is not None and not grid.division_id.startswith(division.code[:9]):
                c.error("grid", _("网格不在所属区划的镇/街道内"))
        data["grid"] = grid

        data["status"] = c.choice("status", statuses, EnterpriseStatus.OPERATING)
        data["scale"] = c.choice("scale", scales, EnterpriseScale.SMALL)
        data["chemical_park"] = c.choice("chemical_park", parks, ChemicalPark.NONE)

        employees = c.number("employees", 0, 10_000_000)
        if employees is not None and not float(employees).is_integer():
            c.error("employees", _("应为整数"))
        data["employees"] = int(employees or 0)

        lat, lon = _coordinates(c)
        data["lat"], data["lon"] = lat, lon

        if not c.failed:
            good.append(EnterpriseRow(row.number, data, sectors))
        if on_row is not None:
            on_row(index)
    return good, errors


# ---------------------------------------------------------------------------------------------
# Checking people rows.


@dataclass
class PersonRow:
    number: int
    enterprise: Enterprise
    person: dict[str, Any]
    certificate: dict[str, Any] | None


@dataclass
class PeopleLookups:
    enterprises: dict[str, Enterprise]  # in scope, by USCC
    units: dict[int, dict[tuple[str, ...], OrgUnit]]  # enterprise id -> names below the company -> unit
    company_names: dict[int, str]
    existing_certificates: set[tuple[str, str]]

    @classmethod
    def load(cls, user: Any, reach: Reach, rows: Sequence[SheetRow]) -> PeopleLookups:
        usccs = sorted(
            {re.sub(r"\s", "", cell_text(r.values.get("enterprise"))).upper() for r in rows} - {""}
        )
        enterprises: dict[str, Enterprise] = {}
        allowed = importable_enterprises(user, reach)
        for chunk in _chunks(usccs):
            enterprises.update({e.uscc: e for e in allowed.filter(uscc__in=chunk)})
        units: dict[int, dict[tuple[str, ...], OrgUnit]] = {}
        company_names: dict[int, str] = {}
        ids = sorted(e.pk for e in enterprises.values())
        for start in range(0, len(ids), 500):
            batch = OrgUnit.objects.filter(enterprise_id__in=ids[start : start + 500]).order_by("path")
            by_id: dict[int, OrgUnit] = {}
            names: dict[int, tuple[str, ...]] = {}
            for unit in batch:  # ordered by path, so a parent always comes before its children
                by_id[unit.pk] = unit
                if unit.parent_id is None:
                    names[unit.pk] = ()
                    company_names[unit.enterprise_id] = unit.name
                else:
                    names[unit.pk] = (*names.get(unit.parent_id, ()), unit.name)
                units.setdefault(unit.enterprise_id, {})[names[unit.pk]] = unit
        numbers = sorted({cell_text(r.values.get("cert_number")) for r in rows} - {""})
        existing: set[tuple[str, str]] = set()
        # The (kind, number) pair is unique across the county, whoever holds the certificate.
        for chunk in _chunks(numbers):
            existing.update(Certificate.objects.filter(number__in=chunk).values_list("kind", "number"))
        return cls(enterprises, units, company_names, existing)

    def unit_for(self, enterprise_id: int, path: str) -> OrgUnit | None:
        names = tuple(n for n in _PATH_SPLIT.split(path.strip()) if n)
        tree = self.units.get(enterprise_id, {})
        if names in tree:
            return tree[names]
        if names and names[0] == self.company_names.get(enterprise_id):
            return tree.get(names[1:])
        return None


def check_people_rows(
    rows: Sequence[SheetRow], lookups: PeopleLookups, on_row: Callable[[int], None] | None = None
) -> tuple[list[PersonRow], list[RowError]]:
    kind = ImportKind.PEOPLE
    cert_kinds = _labels(CertificateKind.choices)
    errors: list[RowError] = []
    good: list[PersonRow] = []
    seen_certs: dict[tuple[str, str], int] = {}
    for index, row in enumerate(rows, start=1):
        c = RowChecker(kind, row, errors)
        uscc = re.sub(r"\s", "", c.text("enterprise")).upper()
        enterprise: Enterprise | None = None
        if not uscc:
            c.error("enterprise", _("必填项不能为空"))
        elif isinstance(c.raw("enterprise"), int | float):
            c.error("enterprise", str(NUMERIC_CODE_MESSAGE))
        elif problem := rules.uscc_problem(uscc):
            c.error("enterprise", problem)
        else:
            enterprise = lookups.enterprises.get(uscc)
            if enterprise is None:
                c.error("enterprise", _("系统中没有该统一社会信用代码的企业，或该企业不在您的管辖范围内"))
        person: dict[str, Any] = {
            "name": c.string("name", _max_length(Person, "name"), required=True),
            "job_title": c.string("job_title", _max_length(Person, "job_title")),
            "phone": c.phone("phone"),
            "org_unit": None,
        }
        path = c.text("org_unit")
        if path and enterprise is not None:
            unit = lookups.unit_for(enterprise.pk, path)
            if unit is None:
                c.error("org_unit", _("该企业没有这个岗位/部门，请先在组织架构中建立，或检查名称和层级"))
            person["org_unit"] = unit

        certificate: dict[str, Any] | None = None
        kind_text = c.text("cert_kind")
        number = c.string("cert_number", _max_length(Certificate, "number"))
        expires = c.date("cert_expires")
        if kind_text or number or expires:
            cert_kind = ""
            if not kind_text:
                c.error("cert_kind", _("填写了证书信息时，证书类型必填"))
            elif kind_text in cert_kinds or kind_text in cert_kinds.values():
                cert_kind = cert_kinds.get(kind_text, kind_text)
            else:
                c.error("cert_kind", _("不是有效的证书类型，请按代码表填写"))
            if not number:
                c.error("cert_number", _("填写了证书信息时，证书编号必填"))
            elif cert_kind:
                key = (cert_kind, number)
                if key in seen_certs:
                    c.error("cert_number", _("与本文件第 %(row)s 行的证书重复") % {"row": seen_certs[key]})
                elif key in lookups.existing_certificates:
                    c.error("cert_number", _("该类型、编号的证书已在系统中登记"))
                seen_certs.setdefault(key, row.number)
            certificate = {"kind": cert_kind, "number": number, "expires_on": expires}

        if not c.failed and enterprise is not None:
            good.append(PersonRow(row.number, enterprise, person, certificate))
        if on_row is not None:
            on_row(index)
    return good, errors


# ---------------------------------------------------------------------------------------------
# Running a job.


class _RowRefused(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


def _validation_errors(
    kind: str, number: int, exc: ValidationError, columns: Mapping[str, str] | None = None
) -> list[RowError]:
    found: list[RowError] = []
    if hasattr(exc, "error_dict"):
        for field_name, messages in exc.message_dict.items():
            key = (columns or {}).get(field_name, field_name)
            header = "" if field_name == NON_FIELD_ERRORS else (_header(kind, key) or field_name)
            found.extend(RowError(number, header, "", str(m)) for m in messages)
    else:
        found.extend(RowError(number, "", "", str(m)) for m in exc.messages)
    return found


class _Progress:
    """Writes processed_rows every PROGRESS_EVERY rows with a conditional UPDATE.

    Outside a transaction the UPDATE goes through the worker's own connection and commits at
    once. Inside the import transaction it goes through a second connection, so the page sees
    it before the rows commit; SQLite allows one writer only, so there it waits for the commit.
    """

    def __init__(self, job_id: int, status: str, total: int, *, in_open_transaction: bool = False) -> None:
        self.job_id = job_id
        self.status = status
        self.total = total
        self.last = 0
        self.direct = not in_open_transaction
        self.side: BaseDatabaseWrapper | None = None
        if in_open_transaction and connection.vendor != "sqlite":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, done: int) -> None:
        if done - self.last < PROGRESS_EVERY and done != self.total:
            return
        self.last = done
        if self.direct:
            ImportJob.objects.filter(pk=self.job_id, status=self.status).update(processed_rows=done)
        elif self.side is not None:
            table = self.side.ops.quote_name(ImportJob._meta.db_table)
            try:
                with self.side.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} SET processed_rows = %s WHERE id = %s AND status = %s",  # noqa: S608
                        [done, self.job_id, self.status],
                    )
            except DatabaseError:
                logger.warning("import job %s: progress not written", self.job_id, exc_info=True)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _finish(job_id: int, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(finished_at=timezone.now(), **fields)


_COLUMN_ORDER = {c.header: i for columns in COLUMNS.values() for i, c in enumerate(columns)}


def _fail(job_id: int, errors: list[RowError], total: int, message: str = "") -> None:
    errors = sorted(errors, key=lambda e: (e.row, _COLUMN_ORDER.get(e.column, -1)))
    _finish(
        job_id,
        status=ImportStatus.FAILED,
        errors=[e.as_dict() for e in errors[:MAX_STORED_ERRORS]],
        error_count=len(errors),
        processed_rows=total,
        created_count=0,
        message=message[:500],
    )


def _write_enterprises(user: User, rows: Sequence[EnterpriseRow], on_row: Callable[[int], None]) -> None:
    for index, item in enumerate(rows, start=1):
        try:
            services.enterprise_create(actor=user, data=item.data, sectors=item.sectors)
        except ValidationError as exc:
            raise _RowRefused(_validation_errors(ImportKind.ENTERPRISES, item.number, exc))
        on_row(index)


def _write_people(user: User, rows: Sequence[PersonRow], on_row: Callable[[int], None]) -> None:
    for index, item in enumerate(rows, start=1):
        try:
            person = services.person_create(actor=user, enterprise=item.enterprise, data=item.person)
        except ValidationError as exc:
            raise _RowRefused(_validation_errors(ImportKind.PEOPLE, item.number, exc, _PERSON_FIELD_COLUMN))
        if item.certificate is not None:
            try:
                services.certificate_create(
                    actor=user, enterprise=item.enterprise, data={**item.certificate, "person": person}
                )
            except ValidationError as exc:
                raise _RowRefused(_validation_errors(ImportKind.PEOPLE, item.number, exc, _CERT_FIELD_COLUMN))
        on_row(index)


def process_job(job_id: int) -> None:
    """Check and import one queued job; safe to call twice (the second call finds it claimed)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, started_at=timezone.now(), processed_rows=0
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    user = job.created_by
    total = 0
    try:
        reach = reach_for(user)
        if not reach.may_import(job.kind):
            _fail(job_id, [], 0, _("您没有导入此类数据的权限"))
            return
        try:
            rows, header_errors = read_sheet(bytes(job.content), job.kind)
        except SheetError as exc:
            _fail(job_id, [], 0, str(exc))
            return
        if header_errors:
            _fail(job_id, header_errors, 0, _("表头与模板不一致"))
            return
        total = len(rows)
        if not total:
            _fail(job_id, [], 0, _("文件中没有数据行（示例行不会导入）"))
            return
        ImportJob.objects.filter(pk=job_id).update(total_rows=total)

        progress = _Progress(job_id, ImportStatus.VALIDATING, total)
        write: Callable[[Callable[[int], None]], None]
        if job.kind == ImportKind.ENTERPRISES:
            companies, errors = check_enterprise_rows(
                rows, EnterpriseLookups.load(user, reach, rows), progress
            )
            write = functools.partial(_write_enterprises, user, companies)
        else:
            people, errors = check_people_rows(rows, PeopleLookups.load(user, reach, rows), progress)
            write = functools.partial(_write_people, user, people)
        if errors:
            _fail(job_id, errors, total, _("发现 %(n)s 处错误，未导入任何数据") % {"n": len(errors)})
            return

        ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.IMPORTING, processed_rows=0)
        writer = _Progress(job_id, ImportStatus.IMPORTING, total, in_open_transaction=True)
        try:
            with transaction.atomic():
                write(writer)
                audit.record(
                    actor=user,
                    action=AuditAction.IMPORT,
                    object_type="enterprises.import",
                    object_id=str(job_id),
                    after={
                        "kind": job.kind,
                        "file_name": job.file_name,
                        "sha256": job.sha256,
                        "rows": total,
                    },
                    comment=_("Excel 导入%(kind)s %(n)s 行：%(file)s")
                    % {"kind": job.get_kind_display(), "n": total, "file": job.file_name},
                )
        finally:
            writer.close()
        _finish(job_id, status=ImportStatus.DONE, processed_rows=total, created_count=total)
    except _RowRefused as exc:
        _fail(job_id, exc.errors, total, _("写入时被拒绝，已全部回滚，未导入任何数据"))
    except Exception:
        logger.exception("import job %s failed", job_id)
        _fail(
            job_id, [], total, _("导入过程中出现系统错误，已全部回滚，未导入任何数据；请稍后重试或联系管理员")
        )


# ---------------------------------------------------------------------------------------------
# Creating, starting and reading jobs.

JobStarter = Callable[[int], object]


def run_inline(job_id: int) -> None:
    process_job(job_id)


def _thread_main(job_id: int) -> None:
    try:
        process_job(job_id)
    finally:
        connections.close_all()  # this thread's connections only


def start_in_thread(job_id: int) -> threading.Thread:
    """Run the job in a daemon thread, carrying the request id into the audit entries."""
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(_thread_main, job_id), name=f"safegrid-import-{job_id}", daemon=True
    )
    thread.start()
    return thread


def default_starter() -> JobStarter:
    return run_inline if getattr(settings, "PROFILE", "") == "test" else start_in_thread


def job_create(
    *, user: User, kind: str, file_name: str, content: bytes, starter: JobStarter | None = None
) -> ImportJob:
    """Store the upload and start processing it once the row is committed."""
    if not reach_for(user).may_import(kind):
        raise PermissionError(kind)
    job = ImportJob.objects.create(
        kind=kind,
        file_name=file_name[:200],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=user,
    )
    start = starter or default_starter()
    if start is run_inline:
        start(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: start(job.pk))
    return job


def import_job_list(user: Any) -> QuerySet[ImportJob]:
    """The user's own jobs (without the file bytes)."""
    if user is None or not user.is_authenticated:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by=user).defer("content", "errors")


def import_job_get(user: Any, pk: Any) -> ImportJob:
    """One of the user's own jobs, or 404. A job left running by a dead worker is closed as failed."""
    if user is None or not user.is_authenticated:
        raise Http404
    job = ImportJob.objects.defer("content").filter(pk=pk, created_by=user).first()
    if job is None:
        raise Http404("不存在或无权查看")
    if job.status in RUNNING_STATUSES and timezone.now() - (job.started_at or job.created_at) > STALE_AFTER:
        stale = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            message=_("导入任务意外中断（服务可能已重启），未导入任何数据，请重新上传"),
        )
        if stale:
            job.refresh_from_db()
    return job


# ---------------------------------------------------------------------------------------------
# The downloadable template.

_HEADER_FILL = PatternFill("solid", fgColor="DCE7F5")
_EXAMPLE_FONT = Font(italic=True, color="808080")


@dataclass
class _CodeList:
    header: str
    values: list[str] = field(default_factory=list)


def _list_validation(
    sheet: Worksheet, column: int, codes_col: int, count: int, *, strict: bool = True
) -> None:
    if count == 0:
        return
    letter = get_column_letter(codes_col)
    validation = DataValidation(
        type="list",
        formula1=f"'{CODES_SHEET}'!${letter}$2:${letter}${count + 1}",
        allow_blank=True,
        showErrorMessage=strict,
        errorTitle="输入有误" if strict else None,
        error="请从下拉列表中选择" if strict else None,
    )
    target = get_column_letter(column)
    validation.add(f"{target}2:{target}{TEMPLATE_VALIDATION_ROWS + 1}")
    sheet.add_data_validation(validation)


def _example(kind: str, user: Any, reach: Reach, lists: Mapping[str, _CodeList]) -> dict[str, Any]:
    if kind == ImportKind.ENTERPRISES:
        division = lists["division"].values[0] if lists["division"].values else ""
        return {
            "name": f"{EXAMPLE_MARK}某某化工有限公司（本行不会导入，可删除）",
            "uscc": rules.make_uscc(f"91{settings.SAFEGRID_COUNTY_CODE[:6]:0<6}MA00EXAM1"),
            "sectors": "危险化学品、特种设备",
            "division": division,
            "grid": "",
            "status": str(EnterpriseStatus.OPERATING.label),
            "scale": str(EnterpriseScale.SMALL.label),
            "employees": 45,
            "industry": "化学原料和化学制品制造业",
            "address": "某某路 1 号",
            "lat": 36.95,
            "lon": 118.08,
            "chemical_park": str(ChemicalPark.NONE.label),
            "legal_rep": "张三",
            "legal_rep_phone": "13800000000",
            "principal": "李四",
            "principal_phone": "13900000000",
            "safety_manager": "王五",
            "safety_manager_phone": "0533-8000000",
        }
    enterprise = importable_enterprises(user, reach).first()
    return {
        "enterprise": enterprise.uscc if enterprise else "",
        "name": f"{EXAMPLE_MARK}张三（本行不会导入，可删除）",
        "job_title": "操作工",
        "phone": "13800000000",
        "org_unit": "合成车间/甲班/反应釜操作岗",
        "cert_kind": str(CertificateKind.HAZCHEM.label),
        "cert_number": "T000000000000",
        "cert_expires": dt.date(timezone.localdate().year + 3, 6, 30),
    }


def _code_lists(kind: str, user: Any, reach: Reach) -> dict[str, _CodeList]:
    lists: dict[str, _CodeList] = {}
    if kind == ImportKind.ENTERPRISES:
        lists["sectors"] = _CodeList("行业领域", [s.name for s in sector_list(user)])
        lists["division"] = _CodeList(
            "区划（代码 名称）", [f"{d.code} {d.name}" for d in importable_divisions(user, reach)]
        )
        grids = list(grid_list(user).filter(division__in=importable_divisions(user, reach)))
        lists["grid"] = _CodeList("网格编号", [g.code for g in grids])
        lists["grid_name"] = _CodeList("网格名称", [g.name for g in grids])
        lists["grid_division"] = _CodeList("网格所属区划", [g.division_id for g in grids])
        lists["status"] = _CodeList("经营状态", list(_labels(EnterpriseStatus.choices)))
        lists["scale"] = _CodeList("规模", list(_labels(EnterpriseScale.choices)))
        lists["chemical_park"] = _CodeList("化工园区", list(_labels(ChemicalPark.choices)))
    else:
        enterprises = list(importable_enterprises(user, reach).values_list("pk", "uscc", "name"))
        lists["enterprise"] = _CodeList("企业统一社会信用代码", [uscc for _pk, uscc, _name in enterprises])
        lists["enterprise_name"] = _CodeList("企业名称", [name for _pk, _uscc, name in enterprises])
        lists["cert_kind"] = _CodeList("证书类型", list(_labels(CertificateKind.choices)))
        ids = [pk for pk, _uscc, _name in enterprises]
        if len(ids) <= 500:
            names = {pk: uscc for pk, uscc, _name in enterprises}
            paths: dict[int, tuple[str, ...]] = {}
            unit_usccs: list[str] = []
            unit_paths: list[str] = []
            units = OrgUnit.objects.filter(enterprise_id__in=ids).order_by("path")
            for unit in units:
                if unit.parent_id is None:
                    paths[unit.pk] = ()
                    continue
                paths[unit.pk] = (*paths.get(unit.parent_id, ()), unit.name)
                if unit.kind != OrgUnitKind.COMPANY:
                    unit_usccs.append(names[unit.enterprise_id])
                    unit_paths.append("/".join(paths[unit.pk]))
            lists["unit_enterprise"] = _CodeList("岗位所属企业", unit_usccs)
            lists["org_unit"] = _CodeList("岗位/部门路径", unit_paths)
    return lists


def build_template(user: Any, kind: str) -> bytes:
    """The import template for `kind`: data sheet with drop-downs, code lists of the user's scope, help."""
    reach = reach_for(user)
    columns = COLUMNS[kind]
    with translation.override("zh-hans"):
        lists = _code_lists(kind, user, reach)
        example = _example(kind, user, reach, lists)
    workbook = Workbook()
    data = workbook.worksheets[0]
    data.title = DATA_SHEET[kind]
    codes = workbook.create_sheet(CODES_SHEET)
    help_sheet = workbook.create_sheet(HELP_SHEET)

    for index, column in enumerate(columns, start=1):
        cell = data.cell(row=1, column=index, value=f"{column.header}*" if column.required else column.header)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        data.column_dimensions[get_column_letter(index)].width = column.width
        if column.is_text:
            data.column_dimensions[get_column_letter(index)].number_format = "@"
        value = example.get(column.key)
        example_cell = data.cell(row=2, column=index, value=value)
        example_cell.font = _EXAMPLE_FONT
        if isinstance(value, dt.date):
            example_cell.number_format = "yyyy-mm-dd"
    data.freeze_panes = "A2"

    code_columns: dict[str, int] = {}
    for index, (key, code_list) in enumerate(lists.items(), start=1):
        code_columns[key] = index
        head = codes.cell(row=1, column=index, value=code_list.header)
        head.font = Font(bold=True)
        head.fill = _HEADER_FILL
        codes.column_dimensions[get_column_letter(index)].width = 24
        for offset, value in enumerate(code_list.values, start=2):
            codes.cell(row=offset, column=index, value=value)
    codes.freeze_panes = "A2"

    strict_lists = {"division", "status", "scale", "chemical_park", "cert_kind", "grid", "enterprise"}
    for index, column in enumerate(columns, start=1):
        if column.key in lists:
            _list_validation(
                data,
                index,
                code_columns[column.key],
                len(lists[column.key].values),
                strict=column.key in strict_lists,
            )

    lines = [
        "导入说明",
        f"1. 在“{DATA_SHEET[kind]}”工作表填写数据，第 1 行为表头，请勿修改表头文字；红色带 * 的列为必填。",
        f"2. 第 2 行为示例（以“{EXAMPLE_MARK}”开头的行不会导入），可保留或删除。",
        f"3. 可选值见“{CODES_SHEET}”工作表；区划、网格、企业只列出您有权导入的范围。",
        "4. 全部行校验通过才会导入；任何一行有错，都不会导入任何数据，并列出每处错误的行号、列名和原因。",
        f"5. 每个文件最多 {MAX_ROWS} 行；大文件在后台处理，页面显示进度。",
        "",
        "列说明",
    ]
    lines += [
        f"{column.header}{'（必填）' if column.required else ''}：{column.note or '—'}" for column in columns
    ]
    for offset, line in enumerate(lines, start=1):
        cell = help_sheet.cell(row=offset, column=1, value=line)
        if line in {"导入说明", "列说明"}:
            cell.font = Font(bold=True, size=12)
    help_sheet.column_dimensions["A"].width = 110

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
