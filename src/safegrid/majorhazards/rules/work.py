"""Special-work filing (特殊作业报备, GB 30871-2022) and the daily safety commitment (安全承诺公告): pure rules.

No ORM, no settings: the services pass the county's `WorkLimits` (config in `majorhazards.work_config`, read
from `SAFEGRID_SPECIAL_WORK`) and plain values.

**The eight types and their grades (GB 30871-2022 §5–§12).** Hot work (动火) 特级 / 一级 / 二级 (§5.1);
work at height (高处) 一级 2–5 m, 二级 5–15 m, 三级 15–30 m, 四级 > 30 m (§8.1, after GB/T 3608); lifting
(吊装) 一级 > 100 t, 二级 40–100 t, 三级 < 40 t (§9.1). Confined space (受限空间), blind plates (盲板抽堵),
temporary electricity (临时用电), excavation (动土) and road closure (断路) have no grade: they are filed
without one. A type/grade pair outside this table is refused.

**Validity.** A hot-work permit of 特级 or 一级 is valid at most 8 h, one of 二级 at most 72 h (GB 30871-2022
§5.3.10; REFERENCE §5 marks 8 h **M** and 72 h **L**). The other types' own limits (e.g. a temporary
electricity connection's 15 days) are not checked here: only "end after start". Every limit is a default the
county may override (`WorkLimits`).

**Gas analysis.** Hot work and confined-space entry need a qualified gas analysis before they start
(taken no longer than `analysis_max_age_minutes` before, 30 min by default, GB 30871-2022 §5.3.3/§6.3.3),
and again after a pause longer than `pause_reanalysis_minutes` (30 min: REFERENCE §5, **M**): a pause of
exactly 30 min resumes without one, 31 min does not. `may_resume` decides from the pauses and analyses.

**The regulator's layer** shows the high-risk works: 特级 and 一级 hot work and every confined-space entry.

**The commitment's special-work counts** are derived from the filings: a filing counts on every county day
its interval [start, end) touches (a filing from 23:00 to 02:00 counts on both days; one ending exactly at
midnight does not count on the next), cancelled filings not at all. `count_differences` names the count
fields an enterprise's entry changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final


class WorkType(StrEnum):
    HOT = "hot"  # 动火作业
    CONFINED = "confined"  # 受限空间作业
    BLIND_PLATE = "blind_plate"  # 盲板抽堵作业
    HEIGHT = "height"  # 高处作业
    LIFTING = "lifting"  # 吊装作业
    TEMP_POWER = "temp_power"  # 临时用电作业
    EXCAVATION = "excavation"  # 动土作业
    ROAD_CLOSURE = "road_closure"  # 断路作业


class WorkGrade(StrEnum):
    SPECIAL = "special"  # 特级
    ONE = "1"  # 一级
    TWO = "2"  # 二级
    THREE = "3"  # 三级
    FOUR = "4"  # 四级
    NONE = ""  # no grade (the type has none)


W, G = WorkType, WorkGrade

# The grades each type has (GB 30871-2022); a type without grades is filed with WorkGrade.NONE only.
GRADES: Final[Mapping[WorkType, tuple[WorkGrade, ...]]] = {
    W.HOT: (G.SPECIAL, G.ONE, G.TWO),
    W.CONFINED: (G.NONE,),
    W.BLIND_PLATE: (G.NONE,),
    W.HEIGHT: (G.ONE, G.TWO, G.THREE, G.FOUR),
    W.LIFTING: (G.ONE, G.TWO, G.THREE),
    W.TEMP_POWER: (G.NONE,),
    W.EXCAVATION: (G.NONE,),
    W.ROAD_CLOSURE: (G.NONE,),
}

# Types that need a qualified gas analysis before they start and after a long pause.
GAS_ANALYSED: Final = frozenset({W.HOT, W.CONFINED})


@dataclass(frozen=True)
class WorkLimits:
    # Hot-work permit validity, hours, by grade (GB 30871-2022 §5.3.10).
    hot_special_hours: int = 8
    hot_one_hours: int = 8
    hot_two_hours: int = 72
    # A pause longer than this needs a new qualified gas analysis before work resumes (REFERENCE §5).
    pause_reanalysis_minutes: int = 30
    # The analysis that allows the start may be at most this old (GB 30871-2022 §5.3.3, §6.3.3).
    analysis_max_age_minutes: int = 30
    # How far from the enterprise's registered location a filed place may be (county setting; 0 = no check).
    place_max_km: float = 5.0
    # The daily commitment is due by this local time (county setting, "HH:MM").
    commitment_deadline: str = "10:00"


SOURCES: Final[Mapping[str, str]] = {
    "hot_special_hours": "GB 30871-2022 5.3.10：特级、一级动火安全作业票有效期不应超过8 h（REFERENCE §5，M）",
    "hot_one_hours": "GB 30871-2022 5.3.10：特级、一级动火安全作业票有效期不应超过8 h（REFERENCE §5，M）",
    "hot_two_hours": "GB 30871-2022 5.3.10：二级动火安全作业票有效期不应超过72 h（REFERENCE §5，L）",
    "pause_reanalysis_minutes": "REFERENCE §5：作业中断超过30 min 应重新进行气体分析（M）",
    "analysis_max_age_minutes": "GB 30871-2022 5.3.3、6.3.3：气体分析与作业开始时间间隔不应超过30 min",
    "place_max_km": "县级设置：作业地点与企业登记位置的最大距离（km），0 为不检查",
    "commitment_deadline": "县级设置（非法定）：每日安全承诺公告发布截止时间（当地时间）",
}


def limits_from(overrides: Mapping[str, Any] | None) -> WorkLimits:
    """The defaults with `overrides` applied; an unknown name or a bad value is refused (ValueError)."""
    if not overrides:
        return WorkLimits()
    names = {f.name for f in dataclasses.fields(WorkLimits)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ValueError(f"unknown special-work settings: {', '.join(unknown)}")
    limits = dataclasses.replace(WorkLimits(), **dict(overrides))
    for name in names - {"commitment_deadline"}:
        if float(getattr(limits, name)) < 0:
            raise ValueError(f"special-work setting {name} must not be negative")
    parse_deadline(limits.commitment_deadline)
    return limits


def parse_deadline(text: str) -> dt.time:
    """ "HH:MM" → time (ValueError when not a time of day)."""
    hours, _, minutes = str(text).partition(":")
    return dt.time(int(hours), int(minutes or 0))


# ---- a filing's validity -----------------------------------------------------------------------------


def grade_allowed(work_type: str, grade: str) -> bool:
    try:
        return WorkGrade(grade) in GRADES[WorkType(work_type)]
    except ValueError:
        return False


def max_duration(work_type: str, grade: str, limits: WorkLimits) -> dt.timedelta | None:
    """The longest interval a permit of this type and grade may cover (None: no limit checked here)."""
    if work_type != W.HOT:
        return None
    hours = {
        G.SPECIAL: limits.hot_special_hours,
        G.ONE: limits.hot_one_hours,
        G.TWO: limits.hot_two_hours,
    }.get(WorkGrade(grade) if grade in {g.value for g in WorkGrade} else G.NONE)
    return dt.timedelta(hours=hours) if hours else None


# Field → message; the services raise them as a ValidationError naming the field.
TYPE_UNKNOWN: Final = "未知的作业类型"
GRADE_UNKNOWN: Final = "该作业类型没有「%(grade)s」这一级别（可选：%(allowed)s）"
GRADE_REQUIRED: Final = "该作业类型须选择级别（可选：%(allowed)s）"
END_BEFORE_START: Final = "结束时间须晚于开始时间"
TOO_LONG: Final = "%(grade)s%(type)s作业票有效期不应超过 %(hours)s 小时（本次 %(given)s）"
COORDS_PAIR: Final = "纬度和经度须同时填写"
COORDS_RANGE: Final = "坐标超出范围（纬度 -90～90，经度 -180～180）"
TOO_FAR: Final = "作业地点距企业登记位置 %(km)s km，超过 %(max)s km，请核对坐标"

TYPE_LABELS: Final[Mapping[WorkType, str]] = {
    W.HOT: "动火",
    W.CONFINED: "受限空间",
    W.BLIND_PLATE: "盲板抽堵",
    W.HEIGHT: "高处",
    W.LIFTING: "吊装",
    W.TEMP_POWER: "临时用电",
    W.EXCAVATION: "动土",
    W.ROAD_CLOSURE: "断路",
}
GRADE_LABELS: Final[Mapping[WorkGrade, str]] = {
    G.SPECIAL: "特级",
    G.ONE: "一级",
    G.TWO: "二级",
    G.THREE: "三级",
    G.FOUR: "四级",
    G.NONE: "无分级",
}


def _hours_text(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours} 小时 {rest} 分" if rest else f"{hours} 小时"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius 6371 km)."""
    from math import asin, cos, radians, sin, sqrt

    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lon2 - lon1)
    h = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(h))


def filing_problems(
    *,
    work_type: str,
    grade: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    lat: float | None,
    lon: float | None,
    home: tuple[float, float] | None,
    limits: WorkLimits,
) -> dict[str, str]:
    """Every problem of a filing, field → message (empty: it may be filed). `home` is the enterprise's
    registered location (None: the distance is not checked)."""
    problems: dict[str, str] = {}
    try:
        kind = WorkType(work_type)
    except ValueError:
        problems["work_type"] = TYPE_UNKNOWN
        kind = None
    if kind is not None and not grade_allowed(kind, grade):
        allowed = "、".join(GRADE_LABELS[g] for g in GRADES[kind])
        if grade in {"", None} and G.NONE not in GRADES[kind]:
            problems["grade"] = GRADE_REQUIRED % {"allowed": allowed}
        else:
            problems["grade"] = GRADE_UNKNOWN % {"grade": grade, "allowed": allowed}
    if start is not None and end is not None:
        if end <= start:
            problems["end"] = END_BEFORE_START
        elif kind is not None and "grade" not in problems:
            longest = max_duration(kind, grade, limits)
            if longest is not None and end - start > longest:
                problems["end"] = TOO_LONG % {
                    "grade": GRADE_LABELS[WorkGrade(grade)],
                    "type": TYPE_LABELS[kind],
                    "hours": int(longest.total_seconds() // 3600),
                    "given": _hours_text(end - start),
                }
    if (lat is None) != (lon is None):
        problems["latitude" if lat is None else "longitude"] = COORDS_PAIR
    elif lat is not None and lon is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            problems["latitude"] = COORDS_RANGE
        elif home is not None and limits.place_max_km > 0:
            km = distance_km(lat, lon, home[0], home[1])
            if km > limits.place_max_km:
                problems["latitude"] = TOO_FAR % {"km": f"{km:.1f}", "max": f"{limits.place_max_km:g}"}
    return problems


def is_high_risk(work_type: str, grade: str) -> bool:
    """On the regulator's "today's high-risk work" layer: 特级/一级 hot work and confined-space entry."""
    return (work_type == W.HOT and grade in {G.SPECIAL, G.ONE}) or work_type == W.CONFINED


# ---- gas analysis, pauses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    at: dt.datetime
    qualified: bool


@dataclass(frozen=True)
class Pause:
    start: dt.datetime
    end: dt.datetime | None = None


NEEDS_ANALYSIS: Final = "动火和受限空间作业开始前须有 %(minutes)s 分钟内的合格气体分析"
LAST_UNQUALIFIED: Final = "最近一次气体分析不合格，不得作业"
RESUME_NEEDS_ANALYSIS: Final = (
    "作业中断 %(paused)s 分钟，超过 %(limit)s 分钟，须在中断后重新进行气体分析且合格后方可恢复作业"
)


def _latest(analyses: Iterable[Analysis], before: dt.datetime) -> Analysis | None:
    taken = [a for a in analyses if a.at <= before]
    return max(taken, key=lambda a: a.at) if taken else None


def start_problem(
    work_type: str, analyses: Sequence[Analysis], now: dt.datetime, limits: WorkLimits
) -> str | None:
    """Why the work may not start now (None: it may). Only hot work and confined space are analysed."""
    if work_type not in GAS_ANALYSED:
        return None
    latest = _latest(analyses, now)
    if latest is None or now - latest.at > dt.timedelta(minutes=limits.analysis_max_age_minutes):
        return NEEDS_ANALYSIS % {"minutes": limits.analysis_max_age_minutes}
    if not latest.qualified:
        return LAST_UNQUALIFIED
    return None


def resume_problem(
    work_type: str, pause: Pause, analyses: Sequence[Analysis], now: dt.datetime, limits: WorkLimits
) -> str | None:
    """Why paused work may not resume at `now` (None: it may).

    A pause of at most `pause_reanalysis_minutes` resumes freely (unless the latest analysis failed); a
    longer one needs a qualified analysis taken after the pause began, the latest one qualified."""
    if work_type not in GAS_ANALYSED:
        return None
    latest = _latest(analyses, now)
    if latest is not None and not latest.qualified:
        return LAST_UNQUALIFIED
    paused = now - pause.start
    if paused <= dt.timedelta(minutes=limits.pause_reanalysis_minutes):
        return None
    if latest is None or latest.at < pause.start:
        return RESUME_NEEDS_ANALYSIS % {
            "paused": int(paused.total_seconds() // 60),
            "limit": limits.pause_reanalysis_minutes,
        }
    return None


def may_resume(
    work_type: str, pause: Pause, analyses: Sequence[Analysis], now: dt.datetime, limits: WorkLimits
) -> bool:
    return resume_problem(work_type, pause, analyses, now, limits) is None


# ---- the commitment's counts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    work_type: str
    grade: str
    start: dt.datetime
    end: dt.datetime


COUNT_FIELDS: Final = ("hot_special", "hot_one", "hot_two", "confined_space", "other_special")
COUNT_LABELS: Final[Mapping[str, str]] = {
    "hot_special": "特级动火作业",
    "hot_one": "一级动火作业",
    "hot_two": "二级动火作业",
    "confined_space": "受限空间作业",
    "other_special": "其他特殊作业",
}


@dataclass(frozen=True)
class WorkCounts:
    hot_special: int = 0
    hot_one: int = 0
    hot_two: int = 0
    confined_space: int = 0
    other_special: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_FIELDS}


def day_bounds(day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """[00:00, next 00:00) of the county day, as aware datetimes."""
    start = dt.datetime.combine(day, dt.time.min, tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tz)


def touches(interval: Interval, day: dt.date, tz: dt.tzinfo) -> bool:
    lo, hi = day_bounds(day, tz)
    return interval.start < hi and interval.end > lo


def count_field(work_type: str, grade: str) -> str:
    if work_type == W.HOT:
        return {G.SPECIAL: "hot_special", G.ONE: "hot_one"}.get(WorkGrade(grade), "hot_two")
    if work_type == W.CONFINED:
        return "confined_space"
    return "other_special"


def day_counts(intervals: Iterable[Interval], day: dt.date, tz: dt.tzinfo) -> WorkCounts:
    """The counts of the (not cancelled) filings whose interval touches `day` in `tz`."""
    counts = dict.fromkeys(COUNT_FIELDS, 0)
    for interval in intervals:
        if touches(interval, day, tz):
            counts[count_field(interval.work_type, interval.grade)] += 1
    return WorkCounts(**counts)


def count_differences(derived: WorkCounts, entered: Mapping[str, int]) -> list[str]:
    """The count fields whose entered value differs from the filings' (in COUNT_FIELDS order)."""
    return [name for name in COUNT_FIELDS if int(entered.get(name, 0)) != getattr(derived, name)]


DIFFERENCE_NEEDS_EXPLANATION: Final = "以下数量与当日特殊作业报备不一致，须填写说明：%(fields)s"


def difference_text(derived: WorkCounts, entered: Mapping[str, int], fields: Sequence[str]) -> str:
    return "、".join(
        f"{COUNT_LABELS[name]}（填报 {int(entered.get(name, 0))}，报备 {getattr(derived, name)}）"
        for name in fields
    )


UNITS_INCONSISTENT: Final = "运行、停用、检修的单元数之和须等于单元总数（%(total)s）"


def units_problem(total: int, running: int, stopped: int, maintenance: int) -> str | None:
    if min(total, running, stopped, maintenance) < 0:
        return "单元数不能为负数"
    if running + stopped + maintenance != total:
        return UNITS_INCONSISTENT % {"total": total}
    return None


def is_late(posted_at_local: dt.datetime, day: dt.date, deadline: dt.time) -> bool:
    """Posted after the deadline of its day (a later day is late too)."""
    return posted_at_local.replace(tzinfo=None) > dt.datetime.combine(day, deadline)


def deadline_passed(now_local: dt.datetime, day: dt.date, deadline: dt.time) -> bool:
    """Whether `day`'s commitment is due by now (a day before today always is)."""
    return now_local.replace(tzinfo=None) > dt.datetime.combine(day, deadline)
