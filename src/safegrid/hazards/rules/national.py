"""The national dual-prevention upload format (REFERENCE §9): target profiles, code tables both ways, and
the whole-payload check an import runs before it writes anything.

A payload is one JSON object with a list per entity, parents first:

    units → events (riskUnitId) → measures (riskEventId) → tasks (riskMeasureId) → records (checkTaskId)
    hazards (riskMeasureId, checkRecordId, both optional) · shutdowns (riskUnitId, optional)

Every entity carries `id`, `companyCode`, `deleted` 0/1, `createDate`, `createBy`, `updateDate`, `updateBy`.
Provinces differ in the enterprise code (USCC or the 9-digit hazardous-chemicals registration code), the risk
level numbering (0 = major … 3 = low, or 1–4) and the date format; a `Profile` says which. Inside SafeGrid the
risk level stays 1–4 (1 the most dangerous).

Pure: no ORM. The importer passes in the ids the database already knows (`Known`), gets back every problem
with its path (`hazards[3].riskMeasureId`) or, when there is none, the rows parsed into SafeGrid's values.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

from django.utils.translation import gettext as _

from safegrid.core.text import TextRefused, clean_text

from . import codes

# ---- target profiles ----------------------------------------------------------------------------------

CompanyCodeKind = Literal["uscc", "hazchem"]
LevelNumbering = Literal["zero_major", "one_major"]

DASHED: Final = "yyyy-MM-dd HH:mm:ss"
COMPACT: Final = "yyyyMMddHHmmss"
# The platforms' Java patterns → strftime.
DATE_FORMATS: Final[dict[str, str]] = {DASHED: "%Y-%m-%d %H:%M:%S", COMPACT: "%Y%m%d%H%M%S"}
COMPANY_CODE_KINDS: Final = ("uscc", "hazchem")
LEVEL_NUMBERINGS: Final = ("zero_major", "one_major")


@dataclass(frozen=True)
class Profile:
    """How one upload target spells the same data."""

    key: str
    name: str
    company_code: CompanyCodeKind  # "uscc": 统一社会信用代码; "hazchem": 危险化学品登记信息管理系统 code
    levels: LevelNumbering  # "zero_major": 0 major … 3 low; "one_major": 1 major … 4 low
    date_format: str  # one of DATE_FORMATS
    source: str = ""

    def problems(self) -> list[str]:
        found = []
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,31}", self.key):
            found.append(f"key {self.key!r}: lower-case letters, digits, - and _")
        if self.company_code not in COMPANY_CODE_KINDS:
            found.append(f"company_code must be one of {COMPANY_CODE_KINDS}")
        if self.levels not in LEVEL_NUMBERINGS:
            found.append(f"levels must be one of {LEVEL_NUMBERINGS}")
        if self.date_format not in DATE_FORMATS:
            found.append(f"date_format must be one of {tuple(DATE_FORMATS)}")
        return found


# Shipped targets (REFERENCE §9, "Provinces differ", M: from implementations). A county adds or overrides
# targets with SAFEGRID_NATIONAL_PROFILES (hazards/national/profiles.py).
SHIPPED_PROFILES: Final = (
    Profile(
        key="national",
        name="全国双重预防数字化系统",
        company_code="uscc",
        levels="zero_major",
        date_format=DASHED,
        source="双重预防数字化数据接入规范(2022)",
    ),
    Profile(
        key="hazchem",
        name="按危险化学品登记编号上报的省份",
        company_code="hazchem",
        levels="one_major",
        date_format=COMPACT,
        source="REFERENCE §9: provincial variant (危险化学品登记信息管理系统 codes)",
    ),
)


def profiles_from(overrides: Sequence[Mapping[str, Any]] | None) -> dict[str, Profile]:
    """The shipped profiles with the deployment's added or replaced ones (ValueError when one is invalid)."""
    found = {p.key: p for p in SHIPPED_PROFILES}
    for raw in overrides or ():
        names = set(Profile.__dataclass_fields__)
        unknown = sorted(set(raw) - names)
        if unknown:
            raise ValueError(f"SAFEGRID_NATIONAL_PROFILES: unknown keys {unknown}")
        profile = Profile(**{k: str(v) for k, v in raw.items()})  # type: ignore[arg-type]
        problems = profile.problems()
        if problems:
            raise ValueError(f"SAFEGRID_NATIONAL_PROFILES {profile.key!r}: {'; '.join(problems)}")
        found[profile.key] = profile
    return found


# ---- code tables, both directions -------------------------------------------------------------------

RISK_LEVELS: Final = (1, 2, 3, 4)


def risk_level_out(level: int, profile: Profile) -> int:
    """SafeGrid's 1–4 (1 major) → the target's number."""
    if level not in RISK_LEVELS:
        raise ValueError(f"risk level {level!r} is not 1–4")
    return level - 1 if profile.levels == "zero_major" else level


def risk_level_in(code: int, profile: Profile) -> int:
    """The target's number → SafeGrid's 1–4 (ValueError for a number the target does not use)."""
    level = code + 1 if profile.levels == "zero_major" else code
    if isinstance(code, bool) or level not in RISK_LEVELS:
        raise ValueError(f"risk level code {code!r}")
    return level


def risk_level_codes(profile: Profile) -> tuple[int, ...]:
    return tuple(risk_level_out(level, profile) for level in RISK_LEVELS)


# dangerState (REFERENCE §4): -1 reported/under review (some apps), 0 rectifying, 1 awaiting acceptance,
# 9 accepted. SafeGrid's states are finer; each maps to the national one a regulator would read.
STATE_OUT: Final[dict[str, int]] = {
    "reported": -1,
    "confirmed": 0,
    "rectifying": 0,
    "extension": 0,
    "awaiting": 1,
    "closed": 9,
    "rejected": -1,  # exported with deleted = 1: found not to be a hazard
}
# Imported states: "confirmed" without a deadline is still being planned, so 0 with a deadline is rectifying.
STATE_IN: Final[dict[int, str]] = {-1: "reported", 0: "rectifying", 1: "awaiting", 9: "closed"}

DANGER_LEVEL_OUT: Final = dict(codes.NATIONAL_LEVEL)  # general 0, major 1
DANGER_LEVEL_IN: Final = {v: k for k, v in DANGER_LEVEL_OUT.items()}
MANAGE_TYPE_OUT: Final = dict(codes.NATIONAL_HANDLING)  # on the spot 0, by deadline 1
MANAGE_TYPE_IN: Final = {v: k for k, v in MANAGE_TYPE_OUT.items()}

# checkStatus of a record: 0 normal (no finding), 1 abnormal (a hazard was found).
CHECK_STATUS_OUT: Final = {"ok": 0, "finding": 1}
CHECK_STATUS_IN: Final = {v: k for k, v in CHECK_STATUS_OUT.items()}

CYCLE_UNITS: Final = ("小时", "天", "月", "年")  # checkCycleUnit; SafeGrid's 周 goes out as 7 天
WORK_DAY_TYPES: Final = (0, 1, 2)  # workDayType: every day, working days, non-working days
WORK_TYPES: Final = (0, 1, 2, 3)  # workType: routine, principal, technical, operational (包保)
DATA_SOURCES: Final = (1, 2)  # dataSrc: automated monitoring, inspection
CLASSIFY1: Final = (1, 2, 3, 4)
CLASSIFY2: Final = (
    "1-1", "1-2", "1-3", "1-4", "1-5", "2-1", "2-2", "2-3", "3-1", "3-2", "3-3", "3-4",
    "4-1", "4-2", "4-3", "4-4", "4-5",
)  # fmt: skip
HAZARD_CATEGORIES: Final = (0, 1, 2, 3)  # hazardCategory: other, principal, technical, operational
FLAGS: Final = (0, 1)  # deleted, isDefend

# A new event's GB/T 13861 category: the national format has none; "things" (物的因素) is the commonest for
# the facility-type units an upload describes, and the enterprise corrects it on the register page.
NEW_EVENT_CATEGORY: Final = "things"
# A new measure's kind (the seed's six) from its national class: the national classes are the finer truth.
MEASURE_KIND_OF_CLASSIFY1: Final = {1: "engineering", 2: "engineering", 3: "institutional", 4: "emergency"}


def cycle_out(every: int, unit: str) -> tuple[int, str]:
    """A SafeGrid task cycle → (checkCycle, checkCycleUnit)."""
    if unit == "周":
        return every * 7, "天"
    return every, unit


def format_time(value: dt.datetime | None, profile: Profile, tz: dt.tzinfo) -> str:
    """An aware datetime in the county's time zone in the target's format ("" for none)."""
    if value is None:
        return ""
    return value.astimezone(tz).strftime(DATE_FORMATS[profile.date_format])


def parse_time(text: str, profile: Profile, tz: dt.tzinfo) -> dt.datetime:
    """The target's date-time text (county time) → an aware datetime; ValueError when it does not parse."""
    naive = dt.datetime.strptime(text, DATE_FORMATS[profile.date_format])
    return naive.replace(tzinfo=tz)


def national_id(kind: str, pk: int) -> str:
    """A stable id for an object SafeGrid never received from the platform (same every export)."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{pk}"))


NAMESPACE: Final = uuid.UUID("6f1c1f0e-6a43-5a0f-9d0b-5afe0917d000")

# ---- the payload ------------------------------------------------------------------------------------

UNITS, EVENTS, MEASURES, TASKS, RECORDS, HAZARDS, SHUTDOWNS = (
    "units", "events", "measures", "tasks", "records", "hazards", "shutdowns",
)  # fmt: skip
SECTIONS: Final = (UNITS, EVENTS, MEASURES, TASKS, RECORDS, HAZARDS, SHUTDOWNS)
# Each child's parent field: (field, parent section, required).
PARENTS: Final[dict[str, tuple[tuple[str, str, bool], ...]]] = {
    UNITS: (),
    EVENTS: (("riskUnitId", UNITS, True),),
    MEASURES: (("riskEventId", EVENTS, True),),
    TASKS: (("riskMeasureId", MEASURES, True),),
    RECORDS: (("checkTaskId", TASKS, True),),
    HAZARDS: (("riskMeasureId", MEASURES, False), ("checkRecordId", RECORDS, False)),
    SHUTDOWNS: (("riskUnitId", UNITS, False),),
}
COMMON: Final = ("id", "companyCode", "deleted", "createDate", "createBy", "updateDate", "updateBy")
FIELDS: Final[dict[str, tuple[str, ...]]] = {
    UNITS: (*COMMON, "hazardCode", "riskUnitName", "hazardDep", "hazardLiablePerson"),
    EVENTS: (*COMMON, "riskUnitId", "riskEventName", "initialRiskLevel", "currentRiskLevel"),
    MEASURES: (
        *COMMON, "riskEventId", "dataSrc", "riskMeasureDesc", "classify1", "classify2", "classify3",
        "troubleshootContent",
    ),
    TASKS: (
        *COMMON, "riskMeasureId", "troubleshootContent", "checkCycle", "checkCycleUnit", "taskStartTime",
        "workStartTime", "workEndTime", "workDayType", "workType", "taskNum",
    ),
    RECORDS: (*COMMON, "checkTaskId", "checkTime", "mobileMe", "isDefend", "checkStatus"),
    HAZARDS: (
        *COMMON, "hazardCode", "riskMeasureId", "checkRecordId", "dangerName", "dangerLevel", "registTime",
        "registrant", "dangerSrc", "enforcementId", "dangerManageType", "hazardDangerType", "hazardCategory",
        "dangerDesc", "dangerReason", "controlMeasures", "cost", "liablePerson", "dangerManageDeadline",
        "checkAcceptPerson", "checkAcceptTime", "checkAcceptComment", "dangerState", "attachments1",
        "attachments2",
    ),
    SHUTDOWNS: (*COMMON, "hazardCode", "riskUnitId", "stopStartTime", "stopEndTime", "stopReason"),
}  # fmt: skip
MAX_ROWS: Final = 20_000  # per section: a larger upload is split by the sender
MAX_PHOTOS: Final = 9  # per attachments list
TEXT_LIMITS: Final[dict[str, int]] = {
    "riskUnitName": 100,
    "hazardDep": 100,
    "hazardLiablePerson": 64,
    "hazardCode": 64,
    "riskEventName": 2000,
    "riskMeasureDesc": 2000,
    "classify3": 100,
    "troubleshootContent": 4000,
    "mobileMe": 64,
    "dangerName": 100,
    "registrant": 150,
    "enforcementId": 64,
    "dangerDesc": 4000,
    "dangerReason": 4000,
    "controlMeasures": 4000,
    "liablePerson": 64,
    "checkAcceptPerson": 64,
    "checkAcceptComment": 2000,
    "stopReason": 200,
    "createBy": 64,
    "updateBy": 64,
}
MULTILINE: Final = frozenset(
    {"riskEventName", "riskMeasureDesc", "troubleshootContent", "dangerDesc", "dangerReason", "controlMeasures",
     "checkAcceptComment"}
)  # fmt: skip


@dataclass
class Known:
    """What the database already holds for the target enterprise: national id → SafeGrid pk, per section."""

    ids: dict[str, dict[str, int]] = field(default_factory=lambda: {s: {} for s in SECTIONS})
    company_codes: dict[str, str] = field(default_factory=dict)  # "uscc"/"hazchem" → the enterprise's code


@dataclass
class Row:
    """One checked entity: its place in the payload, its national id, SafeGrid values and the raw fields."""

    section: str
    index: int
    id: str
    deleted: bool
    values: dict[str, Any]
    raw: dict[str, Any]
    parents: dict[str, str]  # parent field → national id
    photos: dict[str, list[str]] = field(default_factory=dict)  # attachments1/2 → base64 or archive paths

    @property
    def path(self) -> str:
        return f"{self.section}[{self.index}]"


@dataclass
class Checked:
    rows: dict[str, list[Row]]
    problems: list[tuple[str, str]]


class _RowCheck:
    """Reads one entity's fields, collecting a problem per bad field under its path."""

    def __init__(self, section: str, index: int, raw: Mapping[str, Any], profile: Profile, tz: dt.tzinfo,
                 problems: list[tuple[str, str]]) -> None:  # fmt: skip
        self.section, self.index, self.raw = section, index, raw
        self.profile, self.tz, self.problems = profile, tz, problems
        self.failed = False

    def fail(self, name: str, message: str) -> None:
        self.failed = True
        self.problems.append((f"{self.section}[{self.index}].{name}" if name else f"{self.section}[{self.index}]",
                              message))  # fmt: skip

    def present(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def text(self, name: str, *, required: bool = False) -> str:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                self.fail(name, _("必填"))
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(name, _("须为文字"))
            return ""
        try:
            return clean_text(str(value), multiline=name in MULTILINE, max_chars=TEXT_LIMITS.get(name, 2000))
        except TextRefused as exc:
            self.fail(name, str(exc.message))
            return ""

    def integer(self, name: str, allowed: Sequence[int] | None = None, *, required: bool = True,
                low: int | None = None) -> int | None:  # fmt: skip
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                self.fail(name, _("必填"))
            return None
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,9}", value.strip()):
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, _("须为整数"))
            return None
        if allowed is not None and value not in allowed:
            self.fail(name, _("代码 %(value)s 无效，可用：%(codes)s")
                      % {"value": value, "codes": "、".join(str(c) for c in allowed)})  # fmt: skip
            return None
        if low is not None and value < low:
            self.fail(name, _("须不小于 %(low)s") % {"low": low})
            return None
        return value

    def time(self, name: str, *, required: bool = False) -> dt.datetime | None:
        value = self.raw.get(name)
        if value in (None, ""):
            if required:
                self.fail(name, _("必填"))
            return None
        try:
            return parse_time(str(value), self.profile, self.tz)
        except ValueError:
            self.fail(name, _("日期时间格式须为 %(format)s") % {"format": self.profile.date_format})
            return None

    def clock(self, name: str) -> dt.time | None:
        value = self.raw.get(name)
        if value in (None, ""):
            return None
        for pattern in ("%H:%M:%S", "%H:%M"):
            try:
                return dt.datetime.strptime(str(value), pattern).time()
            except ValueError:
                continue
        self.fail(name, _("时间格式须为 HH:mm 或 HH:mm:ss"))
        return None

    def money(self, name: str) -> Decimal | None:
        value = self.raw.get(name)
        if value in (None, ""):
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.fail(name, _("须为金额（元）"))
            return None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
            self.fail(name, _("须为 0 到 100 亿之间的金额（元）"))
            return None
        return amount.quantize(Decimal("0.01"))

    def photos(self, name: str) -> list[str]:
        value = self.raw.get(name)
        if value in (None, "", []):
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            self.fail(name, _("须为照片（base64 或压缩包内的文件名）的列表"))
            return []
        if len(items) > MAX_PHOTOS:
            self.fail(name, _("最多 %(n)s 张照片") % {"n": MAX_PHOTOS})
            return []
        return list(items)


def _common(c: _RowCheck, known: Known, seen: set[str]) -> tuple[str, bool]:
    raw_id = c.raw.get("id")
    ident = ""
    if not isinstance(raw_id, str) or not raw_id.strip():
        c.fail("id", _("必填"))
    elif not re.fullmatch(r"[0-9A-Za-z-]{8,64}", raw_id.strip()):
        c.fail("id", _("须为 UUID（8–64 位字母、数字或连字符）"))
    else:
        ident = raw_id.strip()
        if ident in seen:
            c.fail("id", _("与同一部分的另一条重复"))
        seen.add(ident)
    code = c.text("companyCode", required=True)
    expected = known.company_codes.get(c.profile.company_code, "")
    if code and code != expected:
        which = _("统一社会信用代码") if c.profile.company_code == "uscc" else _("危险化学品登记编号")
        c.fail(
            "companyCode",
            _("与目标企业的%(which)s“%(code)s”不符") % {"which": which, "code": expected or "—"},
        )
    deleted = c.integer("deleted", FLAGS, required=False)
    for name in ("createDate", "updateDate"):
        c.time(name)
    for name in ("createBy", "updateBy"):
        c.text(name)
    return ident, deleted == 1


def _unit(c: _RowCheck) -> dict[str, Any]:
    return {
        "name": c.text("riskUnitName", required=True),
        "department": c.text("hazardDep"),
        "liable_person": c.text("hazardLiablePerson"),
        "hazard_code": c.text("hazardCode"),
    }


def _event(c: _RowCheck) -> dict[str, Any]:
    levels = risk_level_codes(c.profile)
    initial = c.integer("initialRiskLevel", levels, required=False)
    current = c.integer("currentRiskLevel", levels, required=False)
    return {
        "description": c.text("riskEventName", required=True),
        "initial_level": risk_level_in(initial, c.profile) if initial is not None else None,
        "current_level": risk_level_in(current, c.profile) if current is not None else None,
    }


def _measure(c: _RowCheck) -> dict[str, Any]:
    classify1 = c.integer("classify1", CLASSIFY1)
    classify2 = c.text("classify2", required=True)
    if classify2 and classify2 not in CLASSIFY2:
        c.fail("classify2", _("代码 %(value)s 无效") % {"value": classify2})
    elif classify2 and classify1 is not None and not classify2.startswith(f"{classify1}-"):
        c.fail("classify2", _("二级分类 %(c2)s 不属于一级分类 %(c1)s") % {"c2": classify2, "c1": classify1})
    return {
        "data_src": c.integer("dataSrc", DATA_SOURCES),
        "description": c.text("riskMeasureDesc", required=True),
        "classify1": classify1,
        "classify2": classify2,
        "classify3": c.text("classify3"),
        "check_content": c.text("troubleshootContent", required=True),
    }


def _task(c: _RowCheck) -> dict[str, Any]:
    unit = c.text("checkCycleUnit", required=True)
    if unit and unit not in CYCLE_UNITS:
        c.fail("checkCycleUnit", _("须为 %(units)s 之一") % {"units": "、".join(CYCLE_UNITS)})
    start, end = c.clock("workStartTime"), c.clock("workEndTime")
    # Hourly tasks usually name their work hours; without them SafeGrid checks around the clock.
    if start is not None and end is not None and end <= start:
        c.fail("workEndTime", _("作业结束时间须晚于开始时间"))
    return {
        "check_content": c.text("troubleshootContent", required=True),
        "cycle_every": c.integer("checkCycle", low=1),
        "cycle_unit": unit,
        "start": c.time("taskStartTime", required=True),
        "work_start": start,
        "work_end": end,
        "work_day_type": c.integer("workDayType", WORK_DAY_TYPES, required=False) or 0,
        "work_type": c.integer("workType", WORK_TYPES, required=False),
        "task_num": c.integer("taskNum", required=False, low=0),
    }


def _record(c: _RowCheck) -> dict[str, Any]:
    status = c.integer("checkStatus", tuple(CHECK_STATUS_IN))
    return {
        "check_time": c.time("checkTime", required=True),
        "device_id": c.text("mobileMe"),
        "is_defend": c.integer("isDefend", FLAGS, required=False),
        "result": CHECK_STATUS_IN.get(status, "") if status is not None else "",
    }


def _hazard(c: _RowCheck) -> dict[str, Any]:
    level = c.integer("dangerLevel", tuple(DANGER_LEVEL_IN))
    manage = c.integer("dangerManageType", tuple(MANAGE_TYPE_IN))
    state = c.integer("dangerState", tuple(STATE_IN))
    values: dict[str, Any] = {
        "title": c.text("dangerName", required=True),
        "level": DANGER_LEVEL_IN.get(level, "") if level is not None else "",
        "reported_at": c.time("registTime", required=True),
        "reporter_name": c.text("registrant", required=True),
        "source": c.integer("dangerSrc", sorted(codes.DANGER_SOURCE_CODES)),
        "enforcement_id": c.text("enforcementId"),
        "handling": MANAGE_TYPE_IN.get(manage, "") if manage is not None else "",
        "hazard_type": c.integer("hazardDangerType", sorted(codes.HAZARD_TYPE_CODES)),
        "hazard_category": c.integer("hazardCategory", HAZARD_CATEGORIES, required=False),
        "description": c.text("dangerDesc", required=True),
        "cause": c.text("dangerReason"),
        "measures": c.text("controlMeasures"),
        "funds": c.money("cost"),
        "liable_person": c.text("liablePerson"),
        "deadline": c.time("dangerManageDeadline"),
        "accept_person": c.text("checkAcceptPerson"),
        "accepted_at": c.time("checkAcceptTime"),
        "acceptance_comment": c.text("checkAcceptComment"),
        "status": STATE_IN.get(state, "") if state is not None else "",
        "hazard_code": c.text("hazardCode"),
    }
    if c.failed:
        return values
    # REFERENCE §4: an accepted hazard names who accepted it and when; one fixed on the spot is created
    # accepted; a major one is never fixed on the spot; a hazard fixed by a deadline has one once it runs.
    if state == 9:
        if not values["accept_person"]:
            c.fail("checkAcceptPerson", _("已验收（dangerState 9）的隐患须填写验收人"))
        if values["accepted_at"] is None:
            c.fail("checkAcceptTime", _("已验收（dangerState 9）的隐患须填写验收时间"))
        elif values["accepted_at"] < values["reported_at"]:
            c.fail("checkAcceptTime", _("验收时间不能早于登记时间"))
    if values["handling"] == codes.ON_THE_SPOT:
        if values["level"] == codes.MAJOR:
            c.fail("dangerManageType", _("重大隐患不能即查即改，须限期整改"))
        elif state != 9:
            c.fail("dangerState", _("即查即改的隐患须为已验收（9）"))
    elif state in (0, 1) and values["deadline"] is None:
        c.fail("dangerManageDeadline", _("限期整改的隐患须填写整改期限"))
    return values


def _shutdown(c: _RowCheck) -> dict[str, Any]:
    start = c.time("stopStartTime", required=True)
    end = c.time("stopEndTime")
    if start is not None and end is not None and end <= start:
        c.fail("stopEndTime", _("结束时间须晚于开始时间"))
    return {
        "start": start,
        "end": end,
        "reason": c.text("stopReason", required=True),
        "hazard_code": c.text("hazardCode"),
    }


READERS: Final = {
    UNITS: _unit, EVENTS: _event, MEASURES: _measure, TASKS: _task, RECORDS: _record, HAZARDS: _hazard,
    SHUTDOWNS: _shutdown,
}  # fmt: skip


def check_payload(payload: Any, profile: Profile, known: Known, tz: dt.tzinfo) -> Checked:
    """Every problem of the payload (path, reason), or its rows parsed; nothing is written here.

    A child's parent id must be in the payload (same or earlier section) or already in the database for
    this enterprise (`known`); an unknown one is refused with "unknown parent id".
    """
    problems: list[tuple[str, str]] = []
    rows: dict[str, list[Row]] = {s: [] for s in SECTIONS}
    if not isinstance(payload, Mapping):
        return Checked(rows, [("", _("数据须为一个 JSON 对象，按 units、events、measures… 分组"))])
    unknown = sorted(str(k) for k in payload if k not in SECTIONS and k != "profile")
    for key in unknown:
        problems.append((key, _("未知的数据分组（可用：%(s)s）") % {"s": "、".join(SECTIONS)}))
    if not any(payload.get(s) for s in SECTIONS) and not unknown:
        problems.append(("", _("数据为空")))
    ids: dict[str, set[str]] = {s: set() for s in SECTIONS}
    for section in SECTIONS:
        items = payload.get(section, [])
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append((section, _("须为列表")))
            continue
        if len(items) > MAX_ROWS:
            problems.append((section, _("一次最多 %(n)s 条") % {"n": MAX_ROWS}))
            continue
        for index, raw in enumerate(items):
            if not isinstance(raw, Mapping):
                problems.append((f"{section}[{index}]", _("须为对象")))
                continue
            c = _RowCheck(section, index, raw, profile, tz, problems)
            for name in sorted(set(raw) - set(FIELDS[section])):
                c.fail(name, _("未知字段"))
            ident, deleted = _common(c, known, ids[section])
            values = READERS[section](c)
            parents: dict[str, str] = {}
            for name, parent, required in PARENTS[section]:
                value = raw.get(name)
                if value in (None, ""):
                    if required:
                        c.fail(name, _("必填"))
                    continue
                text = str(value).strip()
                if text not in ids[parent] and text not in known.ids.get(parent, {}):
                    c.fail(name, _("unknown parent id：%(id)s 不在本次数据中，也不是该企业已有的%(what)s")
                           % {"id": text, "what": SECTION_LABELS[parent]})  # fmt: skip
                parents[name] = text
            photos = {name: c.photos(name) for name in ("attachments1", "attachments2") if section == HAZARDS}
            if not c.failed:
                rows[section].append(Row(section, index, ident, deleted, values, dict(raw), parents, photos))
    _check_links(rows, known, problems)
    return Checked(rows, problems)


SECTION_LABELS: Final = {
    UNITS: "风险分析单元", EVENTS: "风险事件", MEASURES: "管控措施", TASKS: "排查任务", RECORDS: "排查记录",
    HAZARDS: "隐患", SHUTDOWNS: "停用检修记录",
}  # fmt: skip


def _check_links(rows: dict[str, list[Row]], known: Known, problems: list[tuple[str, str]]) -> None:
    """Cross-row rules: a hazard's record must be a check of its measure's task when both are given."""
    seen_checks: set[tuple[str, Any]] = set()
    for check_row in rows[RECORDS]:
        check = (check_row.parents.get("checkTaskId", ""), check_row.values["check_time"])
        if check in seen_checks:
            problems.append((f"{check_row.path}.checkTime", _("同一排查任务在同一时间已有一条排查记录")))
        seen_checks.add(check)
    record_task = {r.id: r.parents.get("checkTaskId", "") for r in rows[RECORDS]}
    task_measure = {t.id: t.parents.get("riskMeasureId", "") for t in rows[TASKS]}
    for hazard in rows[HAZARDS]:
        record, measure = hazard.parents.get("checkRecordId"), hazard.parents.get("riskMeasureId")
        if record and measure and record in record_task:
            task = record_task[record]
            if task in task_measure and task_measure[task] != measure:
                problems.append((f"{hazard.path}.checkRecordId", _("该排查记录不属于所填管控措施的排查任务")))
        on_the_spot = hazard.values["status"] == "closed" and hazard.values["handling"] == codes.ON_THE_SPOT
        if on_the_spot and not (hazard.photos.get("attachments1") and hazard.photos.get("attachments2")):
            problems.append((f"{hazard.path}.attachments2", _("即查即改的隐患须有整改前后照片")))


# ---- fields SafeGrid keeps as received (NationalLink.extra), profile-neutral ---------------------------

TIME_FIELDS: Final = frozenset(
    {"createDate", "updateDate", "taskStartTime", "checkTime", "registTime", "dangerManageDeadline",
     "checkAcceptTime", "stopStartTime", "stopEndTime"}
)  # fmt: skip
LEVEL_FIELDS: Final = frozenset({"initialRiskLevel", "currentRiskLevel"})
NOT_KEPT: Final = frozenset({"id", "companyCode", "attachments1", "attachments2"})
META: Final = ("createDate", "createBy", "updateDate", "updateBy")
# Fields SafeGrid does not model: what goes out when nothing was received.
DEFAULTS: Final[dict[str, Any]] = {"workType": 0, "taskNum": 1, "isDefend": 0, "hazardCategory": 0}


def kept_fields(raw: Mapping[str, Any], profile: Profile, tz: dt.tzinfo) -> dict[str, Any]:
    """A checked entity's fields as stored beside its object: times as ISO 8601, risk levels 1–4, so an
    export to a target with another numbering or date format still gets them right."""
    kept: dict[str, Any] = {}
    for name, value in raw.items():
        if name in NOT_KEPT or value in (None, ""):
            continue
        if name in TIME_FIELDS:
            kept[name] = parse_time(str(value), profile, tz).isoformat()
        elif name in LEVEL_FIELDS:
            kept[name] = risk_level_in(int(value), profile)
        else:
            kept[name] = value
    return kept


def kept_value(name: str, value: Any, profile: Profile, tz: dt.tzinfo) -> Any:
    """A kept field back in the target's spelling."""
    if name in TIME_FIELDS and isinstance(value, str):
        return format_time(dt.datetime.fromisoformat(value), profile, tz)
    if name in LEVEL_FIELDS and isinstance(value, int):
        return risk_level_out(value, profile)
    return value


def merge(section: str, own: Mapping[str, Any], kept: Mapping[str, Any], profile: Profile,
          tz: dt.tzinfo) -> dict[str, Any]:  # fmt: skip
    """One entity for export: SafeGrid's own values, with the kept ones where SafeGrid has none and for the
    origin's metadata (who created it when, on the platform it came from)."""
    out: dict[str, Any] = {}
    for name in FIELDS[section]:
        value = own.get(name)
        if name in kept and (name in META or value in (None, "")):
            value = kept_value(name, kept[name], profile, tz)
        if value is None:
            value = DEFAULTS.get(name, "")
        out[name] = value
    return out
