"""The demo county's special-work filings (特殊作业报备) and daily safety commitments (安全承诺公告).

For every demo enterprise with a unit identified as a major hazard source (HazardUnit.is_major, created by
the grading stage before this one): a month of special work through the real services under `demo_clock`
(hot work of every grade, confined-space entries, work at height, lifting, blind plates; gas analyses,
a pause, completed or cancelled; today's high-risk works in progress with coordinates near the enterprise)
and a month of daily commitments posted through `services.work.commitment_post` — most by 09:30, a few late,
one with its counts explained, and today one enterprise that has not posted (the regulator's missing list).
Deterministic for a seed. `reset` deletes these rows before the enterprises and units they point at.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from safegrid.core.audit import SystemActor
from safegrid.enterprises.models import Enterprise
from safegrid.majorhazards.models import (
    CommitmentBoard,
    CommitmentNotice,
    GasAnalysis,
    HazardUnit,
    SafetyCommitment,
    SpecialWork,
    SpecialWorkTransition,
    WorkPause,
)
from safegrid.majorhazards.services import work as services

from .filings import demo_clock

ACTOR = SystemActor("demo")
DAYS = 30
ANALYSTS = ["王化验", "刘分析", "赵检测", "孙化验"]
WATCHERS = ["李监护", "张监护", "陈监护", "周监护", "吴监护", "郑监护"]
# (type, grade, content, place, hours)
PLAN = [
    ("hot", "1", "进料管线法兰更换焊接", "罐区东侧管廊", 6),
    ("hot", "2", "检修平台护栏切割", "装置区二层平台", 24),
    ("confined", "", "储罐内部清洗检查", "{unit}内", 5),
    ("height", "2", "管廊保温层修复", "管廊 8 m 处", 6),
    ("lifting", "3", "换热器管束吊装", "装置区南侧", 4),
    ("blind_plate", "", "检修前盲板隔离", "{unit}进出口", 2),
    ("hot", "special", "带压不置换动火封堵", "{unit}出料管线", 4),
    ("temp_power", "", "检修临时照明接电", "装置区配电箱", 10),
]


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _near(value: Any, rng: random.Random) -> float | None:
    return None if value is None else round(float(value) + rng.uniform(-0.0015, 0.0015), 6)


def _file(
    ent: Enterprise,
    unit: HazardUnit,
    day: dt.date,
    n: int,
    plan: tuple[str, str, str, str, int],
    rng: random.Random,
    clock: Any,
) -> SpecialWork:
    work_type, grade, content, place, hours = plan
    start = _local(day, rng.choice([7, 8, 9, 13]), rng.choice([0, 30]))
    clock.now = start - dt.timedelta(hours=1)
    return services.special_work_file(
        actor=ACTOR,
        enterprise=ent,
        data={
            "unit": unit,
            "work_type": work_type,
            "grade": grade,
            "content": content,
            "place": place.format(unit=unit.name),
            "latitude": _near(unit.latitude if unit.latitude is not None else ent.lat, rng),
            "longitude": _near(unit.longitude if unit.longitude is not None else ent.lon, rng),
            "start": start,
            "end": start + dt.timedelta(hours=hours),
            "permit_number": f"{'DH' if work_type == 'hot' else 'TS'}-{day:%Y%m%d}-{n:02d}",
            "watcher_name": rng.choice(WATCHERS),
            "watcher_phone": f"139{rng.randint(10000000, 99999999)}",
            "video_channel": f"{unit.name} {rng.randint(1, 6)} 号摄像机",
        },
    )


def _analyse(work: SpecialWork, clock: Any, rng: random.Random, qualified: bool = True) -> None:
    services.gas_analysis_record(
        actor=ACTOR,
        work=work,
        at=clock.now - dt.timedelta(minutes=rng.randint(5, 20)),
        location=work.place,
        result=f"可燃气体 {rng.choice(['0', '0.1', '0.2'])}%LEL，氧气 20.{rng.randint(6, 9)}%，硫化氢 0 mg/m³",
        qualified=qualified,
        analyst=rng.choice(ANALYSTS),
    )


def _run(work: SpecialWork, clock: Any, rng: random.Random, counts: Counter[str], finish: bool) -> None:
    """Start at its start time (after an analysis where needed), maybe pause, then complete."""
    clock.now = work.start
    if work.gas_analysed:
        _analyse(work, clock, rng)
    work = services.special_work_start(actor=ACTOR, work=work)
    if work.gas_analysed and rng.random() < 0.3:
        clock.now = work.start + dt.timedelta(hours=1)
        work = services.special_work_pause(actor=ACTOR, work=work, reason="作业人员轮换休息")
        clock.now += dt.timedelta(minutes=45)
        _analyse(work, clock, rng)
        work = services.special_work_resume(actor=ACTOR, work=work)
        counts["pauses"] += 1
    if finish:
        clock.now = work.end - dt.timedelta(minutes=rng.randint(0, 40))
        services.special_work_complete(actor=ACTOR, work=work)
        counts["completed"] += 1
    else:
        counts["in_progress"] += 1


def build(*, today: dt.date, seed: int) -> dict[str, int]:
    rng = random.Random(seed * 7919 + 10)
    counts: Counter[str] = Counter()
    units_by_ent: dict[int, list[HazardUnit]] = {}
    for unit in HazardUnit.objects.filter(is_major=True).order_by("enterprise_id", "code"):
        units_by_ent.setdefault(unit.enterprise_id, []).append(unit)
    enterprises = list(Enterprise.objects.filter(pk__in=units_by_ent).order_by("pk"))
    if not enterprises:
        return dict(counts)
    real_now = timezone.now()
    with demo_clock(_local(today - dt.timedelta(days=DAYS), 8)) as clock:
        for index, ent in enumerate(enterprises):
            units = units_by_ent[ent.pk]
            for back in range(DAYS - 1, -1, -1):
                day = today - dt.timedelta(days=back)
                n = 0
                if back == 0 or rng.random() < 0.35:
                    todays = [PLAN[0], PLAN[2]] if back == 0 else [rng.choice(PLAN)]
                    for plan in todays:
                        n += 1
                        work = _file(ent, rng.choice(units), day, n, plan, rng, clock)
                        counts["filed"] += 1
                        if back == 0:
                            if work.start <= real_now:
                                _run(work, clock, rng, counts, finish=False)
                        elif rng.random() < 0.08:
                            clock.now = work.start - dt.timedelta(minutes=30)
                            services.special_work_cancel(
                                actor=ACTOR, work=work, comment="作业计划调整，改期进行"
                            )
                            counts["cancelled"] += 1
                        else:
                            _run(work, clock, rng, counts, finish=True)
                _commit(ent, day, back, index, rng, clock, real_now, counts)
            services.board_issue(actor=ACTOR, enterprise=ent)
    return dict(counts)


def _commit(
    ent: Enterprise,
    day: dt.date,
    back: int,
    index: int,
    rng: random.Random,
    clock: Any,
    real_now: dt.datetime,
    counts: Counter[str],
) -> None:
    if back == 0 and index == 0:
        counts["missing_today"] += 1  # the regulator's missing list has one today
        return
    late = back > 0 and rng.random() < 0.07
    posted = (
        _local(day, 10, rng.randint(20, 59))
        if late
        else _local(day, rng.choice([7, 8, 9]), rng.randint(0, 29))
    )
    if back == 0:
        posted = min(posted, real_now - dt.timedelta(minutes=1))
        if timezone.localtime(posted).date() != day:
            return  # too early in the day to have posted
    clock.now = posted
    data = services.commitment_prefill(ent, day)
    if back == 3 and index == 1:
        # one explained difference: a hot-work permit filed late, counted by the principal
        data["hot_two"] += 1
        data["explanation"] = "二级动火作业一项的作业票由承包商补办，报备已于当日下午补录"
        counts["explained"] += 1
    if rng.random() < 0.05 and data["units_total"] > 1:
        data["units_running"] -= 1
        data["units_maintenance"] += 1
    services.commitment_post(actor=ACTOR, enterprise=ent, day=day, data=data)
    counts["commitments"] += 1
    counts["late"] += int(late)


def _delete(qs: QuerySet[Any]) -> int:
    return qs._raw_delete(qs.db)  # type: ignore[attr-defined]  # no row loaded: nothing points at these


def reset(county_code: str) -> dict[str, int]:
    """Delete the county's filings and commitments first (they protect the enterprises and units)."""
    where = {"work__enterprise__division__code__startswith": county_code}
    in_county = {"enterprise__division__code__startswith": county_code}
    models: list[type[Model]] = [GasAnalysis, WorkPause, SpecialWorkTransition]
    for model in models:
        _delete(model._default_manager.filter(**where))
    counts = {
        "special_works": _delete(SpecialWork.objects.filter(**in_county)),
        "commitments": _delete(SafetyCommitment.objects.filter(**in_county)),
    }
    _delete(CommitmentNotice.objects.filter(**in_county))
    _delete(CommitmentBoard.objects.filter(**in_county))
    return counts
