"""The enterprise and people imports, declared on the Excel kit (`core.excel`).

This module says what the two workbooks hold (columns), who may import what (`Reach`), how a
checked row maps to the enterprise services' data, and what the template lists. Reading,
checking, progress, all-or-nothing and error reporting are the kit's (`run_import`); the jobs
that run an upload in the background are in `import_jobs`.

Checking: everything a row refers to (divisions, grids, sectors, existing USCCs, enterprises in
scope, org units, certificates) is prefetched into dicts, so checking makes no per-row queries.
Writing: `services.enterprise_create_many` / `person_create_many` insert in batches with one
audit entry per created object; one summary entry (action *import*) closes the transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from safegrid.core import audit
from safegrid.core.bulk import BulkRefused
from safegrid.core.choices import AuditAction
from safegrid.core.excel import (
    EXAMPLE_MARK,
    CodeList,
    Column,
    HelpText,
    Kind,
    Row,
    RowChecker,
    RowError,
    RowsRefused,
    SheetData,
    SheetSpec,
    TemplateLines,
    build_workbook,
    cell_text,
    validation_errors,
)
from safegrid.core.models import User
from safegrid.core.text import phone_problem
from safegrid.regions.choices import DivisionLevel
from safegrid.regions.models import Division, Sector
from safegrid.regions.selectors import division_list, grid_list, sector_list

from . import rules, services
from .choices import CertificateKind, ChemicalPark, EnterpriseScale, EnterpriseStatus, OrgUnitKind
from .models import Certificate, Enterprise, OrgUnit, Person
from .models_import import ImportKind
from .permissions import Reach, reach_for
from .selectors import enterprise_list

MAX_ROWS = 50_000
WRITE_BATCH = 1000
_PATH_SPLIT = re.compile(r"\s*[/／]\s*")
_DIVISION_CODE = re.compile(r"^\s*(\d{12}|\d{9}|\d{6})(?!\d)")
# China's extreme points, rounded outwards: a coordinate outside is a typo or swapped lat/lon.
CHINA_LAT = (3.8, 53.6)
CHINA_LON = (73.4, 135.1)


# ---------------------------------------------------------------------------------------------
# Columns: the Excel contract.


def _length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


def _division_code(text: str) -> str:
    match = _DIVISION_CODE.match(text)
    return match.group(1) if match else text


def _division_problem(value: str) -> str | None:
    if not _DIVISION_CODE.fullmatch(value):
        return _("区划代码应为 9 或 12 位数字（镇/街道或村/社区）")
    return rules.enterprise_division_problem(value)


def _uscc(text: str) -> str:
    return re.sub(r"\s", "", text).upper()


def _text(
    key: str, header: str, model: Any, width: int = 16, *, required: bool = False, note: str = ""
) -> Column:
    return Column(key, header, required=required, width=width, note=note, max_length=_length(model, key))


def _phone(key: str, header: str) -> Column:
    return Column(key, header, width=16, text_format=True, check=phone_problem)


ENTERPRISES = SheetSpec(
    "企业",
    (
        _text("name", "企业名称", Enterprise, 30, required=True, note="营业执照上的全称"),
        Column(
            "uscc",
            "统一社会信用代码",
            Kind.REFERENCE,
            True,
            22,
            "18 位，按 GB 32100-2015 校验",
            code=True,
            normalise=_uscc,
            check=rules.uscc_problem,
        ),
        Column(
            "sectors",
            "行业领域",
            Kind.REFERENCE,
            True,
            22,
            "见代码表；可填多个，用“、”或“,”分隔",
            many=True,
            codes="sectors",
            strict=False,
        ),
        Column(
            "division",
            "所属区划代码",
            Kind.REFERENCE,
            True,
            26,
            "见代码表，须在您的管辖范围内；可只填代码",
            codes="division",
            normalise=_division_code,
            check=_division_problem,
        ),
        Column(
            "grid", "所属网格编号", Kind.REFERENCE, False, 16, "可空；须在所属区划的镇/街道内", codes="grid"
        ),
        Column(
            "status",
            "经营状态",
            Kind.CHOICE,
            False,
            14,
            "见代码表；空为“正常生产经营”",
            choices=EnterpriseStatus.choices,
            default=EnterpriseStatus.OPERATING,
        ),
        Column(
            "scale",
            "规模",
            Kind.CHOICE,
            False,
            10,
            "见代码表；空为“小型”",
            choices=EnterpriseScale.choices,
            default=EnterpriseScale.SMALL,
        ),
        Column(
            "employees",
            "从业人数",
            Kind.INT,
            False,
            10,
            "非负整数；空为 0",
            default=0,
            low=0,
            high=10_000_000,
        ),
        _text("industry", "国民经济行业", Enterprise, 18),
        _text("address", "地址", Enterprise, 30),
        Column("lat", "纬度", Kind.FLOAT, False, 12, "十进制度，如 36.95；与经度同时填写或同时留空"),
        Column("lon", "经度", Kind.FLOAT, False, 12, "十进制度，如 118.08"),
        Column(
            "chemical_park",
            "化工园区",
            Kind.CHOICE,
            False,
            20,
            "见代码表；空为“不在化工园区”",
            choices=ChemicalPark.choices,
            default=ChemicalPark.NONE,
        ),
        _text("legal_rep", "法定代表人", Enterprise, 12, required=True),
        _phone("legal_rep_phone", "法定代表人电话"),
        _text("principal", "主要负责人", Enterprise, 12),
        _phone("principal_phone", "主要负责人电话"),
        _text("safety_manager", "安全管理员", Enterprise, 12),
        _phone("safety_manager_phone", "安全管理员电话"),
    ),
    max_rows=MAX_ROWS,
)

PEOPLE = SheetSpec(
    "人员",
    (
        Column(
            "enterprise",
            "企业统一社会信用代码",
            Kind.REFERENCE,
            True,
            22,
            "须为您管辖范围内、已在系统中的企业",
            code=True,
            normalise=_uscc,
            check=rules.uscc_problem,
            codes="enterprise",
        ),
        _text("name", "姓名", Person, 12, required=True),
        _text("job_title", "职务", Person, 14),
        _phone("phone", "电话"),
        Column(
            "org_unit",
            "岗位/部门路径",
            Kind.REFERENCE,
            False,
            36,
            "公司以下各级名称用“/”连接，如：合成车间/甲班/反应釜操作岗",
            codes="org_unit",
            strict=False,
        ),
        Column(
            "cert_kind",
            "证书类型",
            Kind.CHOICE,
            False,
            26,
            "见代码表；有证书时与证书编号同时填写",
            choices=CertificateKind.choices,
            default="",
        ),
        Column(
            "cert_number",
            "证书编号",
            Kind.TEXT,
            False,
            20,
            "证书类型 + 编号在系统内唯一",
            max_length=_length(Certificate, "number"),
            text_format=True,
            default="",
        ),
        Column("cert_expires", "证书有效期至", Kind.DATE, False, 14, "日期，如 2027-06-30"),
    ),
    max_rows=MAX_ROWS,
)

SHEETS: dict[str, SheetSpec] = {ImportKind.ENTERPRISES: ENTERPRISES, ImportKind.PEOPLE: PEOPLE}
COLUMNS: dict[str, tuple[Column, ...]] = {kind: spec.columns for kind, spec in SHEETS.items()}
DATA_SHEET: dict[str, str] = {kind: spec.name for kind, spec in SHEETS.items()}


# ---------------------------------------------------------------------------------------------
# Who may import what: `permissions.Reach`.


def allowed_kinds(user: Any) -> list[str]:
    reach = reach_for(user)
    return [kind for kind in IMPORTERS if reach.may_import(kind)]


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


def _chunks(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _in_china(lat: float, lon: float) -> bool:
    return CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LON[0] <= lon <= CHINA_LON[1]


# ---------------------------------------------------------------------------------------------
# Enterprises.


@dataclass
class EnterpriseRow:
    number: int
    data: dict[str, Any]
    sectors: list[Sector]


def _coordinates(c: RowChecker) -> tuple[float | None, float | None]:
    """Latitude and longitude: numeric, both or neither, not swapped, in range and inside China."""
    lat, lon = c.value("lat"), c.value("lon")
    if c.failed:
        return None, None
    if (lat is None) != (lon is None):
        c.error("lon" if lat is not None else "lat", _("经度和纬度须同时填写或同时留空"))
    elif lat is not None and lon is not None:
        if _in_china(lon, lat):
            c.error("lat", _("纬度 %(lat)s、经度 %(lon)s 看起来填反了") % {"lat": lat, "lon": lon})
        elif not -90 <= lat <= 90:
            c.error("lat", _("应在 -90 到 90 之间"))
        elif not -180 <= lon <= 180:
            c.error("lon", _("应在 -180 到 180 之间"))
        elif not _in_china(lat, lon):
            c.error(
                "lat", _("坐标不在中国境内（纬度 %(lat)s，经度 %(lon)s），请检查") % {"lat": lat, "lon": lon}
            )
        else:
            return lat, lon
    return None, None


class EnterpriseImporter:
    sheets = (ENTERPRISES,)

    def __init__(self, user: User, reach: Reach, file: Mapping[str, Any]) -> None:
        self.user, self.reach, self.file = user, reach, file

    def _lookups(self, rows: Sequence[Row]) -> None:
        self.divisions = {d.code: d for d in importable_divisions(self.user, self.reach)}
        self.grids = {g.code: g for g in grid_list(self.user)}
        self.sectors: dict[str, Sector] = {}
        for sector in sector_list(self.user):
            self.sectors[sector.name] = self.sectors[sector.code] = sector
        usccs = sorted({_uscc(cell_text(r.values.get("uscc"))) for r in rows} - {""})
        # A plain uniqueness probe across the county: the USCC is unique whoever regulates it.
        self.existing: set[str] = set()
        for chunk in _chunks(usccs):
            self.existing.update(Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", flat=True))

    def check(
        self, rows: Mapping[str, list[Row]], errors: list[RowError], on_row: Callable[[int], None]
    ) -> list[EnterpriseRow]:
        sheet = rows[ENTERPRISES.name]
        self._lookups(sheet)
        seen: dict[str, int] = {}
        good: list[EnterpriseRow] = []
        for index, row in enumerate(sheet, start=1):
            c = RowChecker(ENTERPRISES, row, errors)
            item = self._row(c, seen)
            if not c.failed:
                good.append(item)
            on_row(index)
        return good

    def _row(self, c: RowChecker, seen: dict[str, int]) -> EnterpriseRow:
        data = c.values(
            "name", "legal_rep", "industry", "address", "principal", "safety_manager",
            "legal_rep_phone", "principal_phone", "safety_manager_phone",
            "status", "scale", "chemical_park", "employees",
        )  # fmt: skip
        uscc = c.value("uscc")
        if uscc and not c.duplicate("uscc", uscc, seen) and uscc in self.existing:
            c.error("uscc", _("该统一社会信用代码已在系统中登记，不能重复导入"))
        sectors = c.lookup_many("sectors", self.sectors, _("没有名为“%(name)s”的行业领域，请按代码表填写"))
        division = c.lookup("division", self.divisions, _("区划代码不存在或不在您的管辖范围内"))
        grid = c.lookup("grid", self.grids, _("网格编号不存在或不在您的管辖范围内"))
        if grid is not None and division is not None and not grid.division_id.startswith(division.code[:9]):
            c.error("grid", _("网格不在所属区划的镇/街道内"))
        data["lat"], data["lon"] = _coordinates(c)
        data.update(uscc=uscc or "", division=division, grid=grid)
        return EnterpriseRow(c.row.number, data, sectors)

    def write(self, plan: list[EnterpriseRow], on_rows: Callable[[int], None]) -> int:
        for start in range(0, len(plan), WRITE_BATCH):
            batch = plan[start : start + WRITE_BATCH]
            try:
                services.enterprise_create_many(actor=self.user, rows=[(r.data, r.sectors) for r in batch])
            except BulkRefused as exc:
                columns = {"kind": "name"} if exc.model is OrgUnit else None
                raise RowsRefused(
                    validation_errors(ENTERPRISES, batch[exc.index].number, exc.error, columns)
                ) from None
            on_rows(start + len(batch))
        _summary(self.user, self.file, len(plan))
        return len(plan)


# ---------------------------------------------------------------------------------------------
# People with an optional certificate each.


@dataclass
class PersonRow:
    number: int
    enterprise: Enterprise
    person: dict[str, Any]
    certificate: dict[str, Any] | None


_CERT_FIELD_COLUMN = {"kind": "cert_kind", "number": "cert_number", "expires_on": "cert_expires"}


class PeopleImporter:
    sheets = (PEOPLE,)

    def __init__(self, user: User, reach: Reach, file: Mapping[str, Any]) -> None:
        self.user, self.reach, self.file = user, reach, file

    def _lookups(self, rows: Sequence[Row]) -> None:
        usccs = sorted({_uscc(cell_text(r.values.get("enterprise"))) for r in rows} - {""})
        allowed = importable_enterprises(self.user, self.reach)
        self.enterprises: dict[str, Enterprise] = {}
        for chunk in _chunks(usccs):
            self.enterprises.update({e.uscc: e for e in allowed.filter(uscc__in=chunk)})
        self.units: dict[int, dict[tuple[str, ...], OrgUnit]] = {}
        self.company_names: dict[int, str] = {}
        ids = sorted(e.pk for e in self.enterprises.values())
        for chunk in _chunks(ids):
            names: dict[int, tuple[str, ...]] = {}
            # Ordered by path, so a parent always comes before its children.
            for unit in OrgUnit.objects.filter(enterprise_id__in=chunk).order_by("path"):
                if unit.parent_id is None:
                    names[unit.pk] = ()
                    self.company_names[unit.enterprise_id] = unit.name
                else:
                    names[unit.pk] = (*names.get(unit.parent_id, ()), unit.name)
                self.units.setdefault(unit.enterprise_id, {})[names[unit.pk]] = unit
        numbers = sorted({cell_text(r.values.get("cert_number")) for r in rows} - {""})
        # The (kind, number) pair is unique across the county, whoever holds the certificate.
        self.certificates: set[tuple[str, str]] = set()
        for chunk in _chunks(numbers):
            self.certificates.update(
                Certificate.objects.filter(number__in=chunk).values_list("kind", "number")
            )

    def unit_for(self, enterprise_id: int, path: str) -> OrgUnit | None:
        names = tuple(n for n in _PATH_SPLIT.split(path.strip()) if n)
        tree = self.units.get(enterprise_id, {})
        if names in tree:
            return tree[names]
        if names and names[0] == self.company_names.get(enterprise_id):
            return tree.get(names[1:])
        return None

    def check(
        self, rows: Mapping[str, list[Row]], errors: list[RowError], on_row: Callable[[int], None]
    ) -> list[PersonRow]:
        sheet = rows[PEOPLE.name]
        self._lookups(sheet)
        seen: dict[tuple[str, str], int] = {}
        good: list[PersonRow] = []
        for index, row in enumerate(sheet, start=1):
            c = RowChecker(PEOPLE, row, errors)
            item = self._row(c, seen)
            if not c.failed and item is not None:
                good.append(item)
            on_row(index)
        return good

    def _row(self, c: RowChecker, seen: dict[tuple[str, str], int]) -> PersonRow | None:
        enterprise = c.lookup(
            "enterprise",
            self.enterprises,
            _("系统中没有该统一社会信用代码的企业，或该企业不在您的管辖范围内"),
        )
        person = c.values("name", "job_title", "phone")
        person["org_unit"] = None
        if enterprise is not None:
            person["org_unit"] = c.lookup(
                "org_unit",
                lambda path: self.unit_for(enterprise.pk, path),
                _("该企业没有这个岗位/部门，请先在组织架构中建立，或检查名称和层级"),
            )
        certificate = self._certificate(c, seen)
        return PersonRow(c.row.number, enterprise, person, certificate) if enterprise is not None else None

    def _certificate(self, c: RowChecker, seen: dict[tuple[str, str], int]) -> dict[str, Any] | None:
        if not (c.text("cert_kind") or c.text("cert_number") or c.text("cert_expires")):
            return None
        kind, number, expires = c.value("cert_kind"), c.value("cert_number"), c.value("cert_expires")
        if not c.text("cert_kind"):
            c.error("cert_kind", _("填写了证书信息时，证书类型必填"))
        if not number:
            c.error("cert_number", _("填写了证书信息时，证书编号必填"))
        elif kind:
            first = seen.setdefault((kind, number), c.row.number)
            if first != c.row.number:
                c.error("cert_number", _("与本文件第 %(row)s 行的证书重复") % {"row": first})
            elif (kind, number) in self.certificates:
                c.error("cert_number", _("该类型、编号的证书已在系统中登记"))
        return {"kind": kind, "number": number, "expires_on": expires}

    def write(self, plan: list[PersonRow], on_rows: Callable[[int], None]) -> int:
        for start in range(0, len(plan), WRITE_BATCH):
            batch = plan[start : start + WRITE_BATCH]
            try:
                services.person_create_many(
                    actor=self.user, rows=[(r.enterprise, r.person, r.certificate) for r in batch]
                )
            except BulkRefused as exc:
                columns = _CERT_FIELD_COLUMN if exc.model is Certificate else None
                raise RowsRefused(
                    validation_errors(PEOPLE, batch[exc.index].number, exc.error, columns)
                ) from None
            on_rows(start + len(batch))
        _summary(self.user, self.file, len(plan))
        return len(plan)


def _summary(user: User, file: Mapping[str, Any], rows: int) -> None:
    """The one entry that closes an import: which file (name, SHA-256, job) produced the rows."""
    audit.record(
        actor=user,
        action=AuditAction.IMPORT,
        object_type="enterprises.import",
        object_id=str(file["job_id"]),
        after={"kind": file["kind"], "file_name": file["file_name"], "sha256": file["sha256"], "rows": rows},
        comment=_("Excel 导入%(kind)s %(n)s 行：%(file)s")
        % {"kind": ImportKind(file["kind"]).label, "n": rows, "file": file["file_name"]},
    )


IMPORTERS: dict[str, type[EnterpriseImporter] | type[PeopleImporter]] = {
    ImportKind.ENTERPRISES: EnterpriseImporter,
    ImportKind.PEOPLE: PeopleImporter,
}


# ---------------------------------------------------------------------------------------------
# The downloadable template: the data sheet with an example row, code lists of the user's scope.


def _enterprise_codes(user: Any, reach: Reach) -> tuple[list[CodeList], dict[str, Any]]:
    # Enterprises belong to towns and villages, never to the county itself (rules.enterprise_division_problem).
    places = importable_divisions(user, reach).exclude(level=DivisionLevel.COUNTY)
    divisions = [f"{d.code} {d.name}" for d in places]
    grids = list(grid_list(user).filter(division__in=importable_divisions(user, reach)))
    lists = [
        CodeList("sectors", "行业领域", [s.name for s in sector_list(user)]),
        CodeList("division", "区划（代码 名称）", divisions),
        CodeList("grid", "网格编号", [g.code for g in grids]),
        CodeList("grid_name", "网格名称", [g.name for g in grids]),
        CodeList("grid_division", "网格所属区划", [g.division_id for g in grids]),
    ]
    example = {
        "name": f"{EXAMPLE_MARK}某某化工有限公司（本行不会导入，可删除）",
        "uscc": rules.make_uscc(f"91{settings.SAFEGRID_COUNTY_CODE[:6]:0<6}MA00EXAM1"),
        "sectors": "危险化学品、特种设备",
        "division": divisions[0] if divisions else "",
        "status": EnterpriseStatus.OPERATING, "scale": EnterpriseScale.SMALL, "employees": 45,
        "industry": "化学原料和化学制品制造业", "address": "某某路 1 号", "lat": 36.95, "lon": 118.08,
        "chemical_park": ChemicalPark.NONE, "legal_rep": "张三", "legal_rep_phone": "13800000000",
        "principal": "李四", "principal_phone": "13900000000",
        "safety_manager": "王五", "safety_manager_phone": "0533-8000000",
    }  # fmt: skip
    return lists, example


def _people_codes(user: Any, reach: Reach) -> tuple[list[CodeList], dict[str, Any]]:
    enterprises = list(importable_enterprises(user, reach).values_list("pk", "uscc", "name"))
    lists = [
        CodeList("enterprise", "企业统一社会信用代码", [uscc for _pk, uscc, _name in enterprises]),
        CodeList("enterprise_name", "企业名称", [name for _pk, _uscc, name in enterprises]),
    ]
    ids = [pk for pk, _uscc, _name in enterprises]
    if len(ids) <= 500:
        usccs = {pk: uscc for pk, uscc, _name in enterprises}
        paths: dict[int, tuple[str, ...]] = {}
        unit_usccs: list[str] = []
        unit_paths: list[str] = []
        for unit in OrgUnit.objects.filter(enterprise_id__in=ids).order_by("path"):
            paths[unit.pk] = () if unit.parent_id is None else (*paths.get(unit.parent_id, ()), unit.name)
            if unit.kind != OrgUnitKind.COMPANY:
                unit_usccs.append(usccs[unit.enterprise_id])
                unit_paths.append("/".join(paths[unit.pk]))
        lists += [
            CodeList("unit_enterprise", "岗位所属企业", unit_usccs),
            CodeList("org_unit", "岗位/部门路径", unit_paths),
        ]
    example = {
        "enterprise": enterprises[0][1] if enterprises else "",
        "name": f"{EXAMPLE_MARK}张三（本行不会导入，可删除）",
        "job_title": "操作工", "phone": "13800000000", "org_unit": "合成车间/甲班/反应釜操作岗",
        "cert_kind": CertificateKind.HAZCHEM, "cert_number": "T000000000000",
        "cert_expires": dt.date(timezone.localdate().year + 3, 6, 30),
    }  # fmt: skip
    return lists, example


def build_template(user: Any, kind: str) -> bytes:
    """The import template for `kind`: data sheet with drop-downs, code lists of the user's scope, 说明."""
    reach = reach_for(user)
    spec = SHEETS[kind]
    with translation.override("zh-hans"):
        lists, example = (_enterprise_codes if kind == ImportKind.ENTERPRISES else _people_codes)(user, reach)
    lines = TemplateLines([spec.name], MAX_ROWS, ["6. 区划、网格、企业只列出您有权导入的范围。"]).lines()
    return build_workbook(
        [SheetData(spec, example=example)], code_lists=lists, help_text=HelpText(lines=lines)
    )
