"""The demo county's hidden hazards, made through the hazards services (so every move is logged,
audited and notified as in real use): most closed on time, some open in each state, some overdue and
escalated, a few major ones under listed supervision (挂牌督办), one escalated up to the county.

A fixed showcase set (44 hazards) whatever the scale: the services' audit and notifications cost
a few milliseconds per move, and the volume for the benchmarks is not built here yet.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from PIL import Image

from safegrid.core.audit import SystemActor
from safegrid.core.models import User
from safegrid.enterprises.models import Enterprise, Person
from safegrid.hazards import deadline_watch, services, supervision
from safegrid.hazards.config import deadlines
from safegrid.hazards.models import (
    HazardNotice,
    HazardPhoto,
    HazardTransition,
    HiddenHazard,
    ListedSupervision,
)
from safegrid.hazards.services import PhotoIn
from safegrid.regions.models import Department

ACTOR = SystemActor("demo")

FINDINGS = [
    ("配电箱未接地", "车间配电室", 4, 3),
    ("消防通道堆放杂物", "仓库东侧通道", 4, 1),
    ("灭火器压力不足", "办公楼二层", 4, 1),
    ("安全警示标志缺失", "有限空间入口", 4, 6),
    ("防护栏杆松动", "二层作业平台", 4, 4),
    ("特种作业人员证书过期", "维修班组", 1, 2),
    ("应急照明失效", "生产车间", 4, 1),
    ("可燃气体报警器未校验", "罐区", 3, 3),
]
MAJOR = ("储罐区可燃气体报警器失效未修复", "罐区 T-201", 3, 3)


def _photo(colour: str, kind: str) -> PhotoIn:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, format="JPEG")
    return PhotoIn(out.getvalue(), f"{kind}.jpg", kind)


def _person(enterprise: Enterprise) -> Person | None:
    return Person.objects.filter(enterprise=enterprise, active=True).order_by("pk").first()


def _report(enterprise: Enterprise, finding: Sequence[Any], *, major: bool = False) -> HiddenHazard:
    title, location, source, hazard_type = finding
    return services.hazard_report(
        actor=ACTOR,
        enterprise=enterprise,
        data={
            "title": title,
            "location": location,
            "description": f"{location}：{title}",
            "source": source,
            "hazard_type": hazard_type,
            "level": "major" if major else "general",
        },
        photos=[_photo("orange", "before")],
    )


def _assign(hazard: HiddenHazard, *, start: dt.date, days: int) -> HiddenHazard:
    hazard = services.hazard_confirm(
        actor=ACTOR, hazard=hazard, level=hazard.level, interim_measures="撤出作业人员，设置警戒区，停用设备"
    )
    return services.hazard_assign(
        actor=ACTOR,
        hazard=hazard,
        responsible_person=_person(hazard.enterprise),
        measures="按规范整改并复查",
        funds=Decimal(500 + 100 * (hazard.pk % 20)),
        deadline=start + dt.timedelta(days=days),
        plan="专项应急预案",
        today=start,
    )


def _close(hazard: HiddenHazard, acceptor: Any) -> HiddenHazard:
    hazard = services.hazard_submit(
        actor=ACTOR, hazard=hazard, note="已整改完毕", photos=[_photo("green", "after")]
    )
    return services.hazard_accept(actor=acceptor, hazard=hazard, comment="验收合格")


def _escalate(hazard: HiddenHazard, today: dt.date, steps: int) -> None:
    for n in range(steps):
        day = today - dt.timedelta(days=steps - 1 - n)
        deadline_watch.hazard_escalate(hazard=hazard, today=day, deadlines=deadlines(), actor=ACTOR)


def build(*, enterprises: Sequence[Enterprise], today: dt.date, seed: int) -> dict[str, int]:
    """Hazards in every state at a sample of `enterprises`; counts by outcome."""
    rng = random.Random(seed)
    county = User.objects.get(username="county_admin")
    sample = rng.sample(list(enterprises), min(40, len(enterprises)))
    counts = dict.fromkeys(("closed", "open", "overdue", "major_listed", "rejected"), 0)
    for i, enterprise in enumerate(sample):
        finding = FINDINGS[i % len(FINDINGS)]
        hazard = _report(enterprise, finding)
        kind = i % 10
        if kind < 6:  # most: closed on time
            _close(_assign(hazard, start=today, days=7 + kind), county)
            counts["closed"] += 1
        elif kind == 6:
            services.hazard_reject(
                actor=county, hazard=hazard, reason="duplicate", comment="与已登记隐患重复"
            )
            counts["rejected"] += 1
        elif kind == 7:
            counts["open"] += 1  # reported, waiting for the enterprise to confirm
        elif kind == 8:
            _assign(hazard, start=today, days=10)
            counts["open"] += 1
        else:  # overdue five days: escalated one step a day, so far up to the principal
            hazard = _assign(hazard, start=today - dt.timedelta(days=20), days=15)
            _escalate(hazard, today, 2)
            counts["overdue"] += 1
    departments = list(Department.objects.filter(is_safety_office=False).order_by("pk"))
    chemicals = [e for e in sample if e.sectors.filter(code="hazardous_chemicals").exists()] or list(sample)
    for n, enterprise in enumerate(chemicals[:4]):
        hazard = _report(enterprise, MAJOR, major=True)
        start = today - dt.timedelta(days=40)
        hazard = _assign(hazard, start=start, days=30 if n else 25)
        if n == 0:  # long overdue: escalated up to the county's sector regulator
            _escalate(hazard, today, 4)
        row = supervision.supervision_list_hazard(
            actor=county,
            hazard=hazard,
            data={
                "level": "county",
                "authority": "桓台县安全生产委员会",
                "department": departments[n % len(departments)] if departments else None,
                "document_number": f"桓安委督〔{today.year}〕{n + 1}号",
                "listed_on": start + dt.timedelta(days=2),
                "planned_completion": start + dt.timedelta(days=35 + 10 * n),
                "requirements": "停用相关设施，限期整改，整改完成后书面报告",
            },
            today=today,
        )
        if n == 3:  # one closed and signed off
            hazard = _close(hazard, county)
            supervision.supervision_sign_off(actor=county, supervision=row, comment="整改到位，同意解除督办")
        counts["major_listed"] += 1
    return counts


def _delete(qs: QuerySet[Any]) -> int:
    _total, per_model = qs.delete()
    return per_model.get(qs.model._meta.label, 0)


def reset(county_code: str) -> dict[str, int]:
    """Delete the county's hazards (before its enterprises, which they protect)."""
    where = {"hazard__enterprise__division__code__startswith": county_code}
    models: list[type[Model]] = [ListedSupervision, HazardNotice, HazardPhoto, HazardTransition]
    for model in models:
        _delete(model._default_manager.filter(**where))
    return {
        "hazards": _delete(HiddenHazard.objects.filter(enterprise__division__code__startswith=county_code))
    }
