"""The demo county's major hazard sources' lifecycle and responsible persons, made through the services
under the demo clock (each step on its own day, so records, timelines, audit and notifications read as in
real use).

Every major unit (made by the grading area's demo stage, which must run first) gets an assessment and its
filing — most accepted, a few returned with the reviewer's comment, a few accepted more than three years ago
(re-assessment overdue) and one with a recorded trigger — its three responsible persons (with their check
tasks), drills of both plans (a few overdue) and two facility tests.

Hook: `DemoBuilder.build()` calls `build(today=self.today, seed=self.seed)` after the major hazard units
exist; `reset(COUNTY_CODE)` runs at the very start of the demo reset, before the hazards' reset (the
responsible persons protect their inspection tasks and people).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from django.db.models import Model, QuerySet

from safegrid.core import audit
from safegrid.core.choices import Role
from safegrid.core.models import User
from safegrid.enterprises.models import Person
from safegrid.majorhazards.models import (
    Deregistration,
    DeregistrationTransition,
    DrillRecord,
    FacilityTest,
    FilingTransition,
    HazardUnit,
    LifecycleNotice,
    ReassessmentTrigger,
    ResponsiblePerson,
    SourceFiling,
)
from safegrid.majorhazards.services import lifecycle, responsibility

from .filings import demo_clock

ACTOR = audit.SystemActor("demo")
ORGS = ("山东安泰安全评价有限公司", "淄博正元安全技术咨询有限公司", "山东华鲁安全评价中心")
FACILITIES = (
    "安全阀",
    "可燃气体检测报警器",
    "有毒气体检测报警器",
    "紧急切断阀",
    "SIS 安全仪表系统",
    "防雷防静电接地",
)


def _first_user(q: dict[str, Any]) -> User | None:
    return User.objects.filter(is_active=True, **q).order_by("pk").first()


def _manager(enterprise_id: int) -> Any:
    found = _first_user(
        {
            "role_assignments__enterprise_id": enterprise_id,
            "role_assignments__role__in": [Role.SAFETY_MANAGER, Role.ENT_ADMIN],
        }
    )
    return found or ACTOR


def _reviewer() -> Any:
    found = _first_user({"role_assignments__role": Role.COUNTY_OFFICER}) or _first_user(
        {"role_assignments__role": Role.COUNTY_ADMIN}
    )
    return found or ACTOR


def _phone(rng: random.Random) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def _day(today: dt.date, days_ago: int) -> dt.date:
    return today - dt.timedelta(days=days_ago)


def build(*, today: dt.date, seed: int, county_code: str = "370321") -> Counter[str]:
    """Filings, persons, drills and tests for every major unit of the county; counts by story."""
    rng = random.Random(seed * 31 + 7)
    counts: Counter[str] = Counter()
    reviewer = _reviewer()
    units = list(
        HazardUnit.objects.filter(enterprise__division__code__startswith=county_code, is_major=True)
        .select_related("enterprise")
        .order_by("pk")
    )
    for index, unit in enumerate(units):
        manager = _manager(unit.enterprise_id)
        story = (
            "overdue"
            if index % 9 == 4
            else "returned"
            if index % 11 == 6
            else "trigger"
            if index % 13 == 8
            else "accepted"
        )
        assessed_ago = rng.randint(1100, 1300) if story == "overdue" else rng.randint(40, 900)
        assessed_on = _day(today, assessed_ago)
        with demo_clock(dt.datetime.now(dt.UTC)) as clock:
            clock.at(assessed_on + dt.timedelta(days=rng.randint(2, 9)), rng)
            filing = lifecycle.filing_draft(
                actor=manager,
                unit=unit,
                data={
                    "assessing_org": rng.choice(ORGS),
                    "assessed_on": assessed_on,
                    "report_summary": f"经辨识，{unit.name}构成{unit.get_grade_display() or ''}重大危险源；"
                    "安全设施和监测监控系统基本符合要求，建议完善紧急切断和视频监控。",
                },
            )
            filing = lifecycle.filing_submit(actor=manager, filing=filing)
            clock.at(assessed_on + dt.timedelta(days=rng.randint(12, 20)), rng)
            if story == "returned":
                lifecycle.filing_return(
                    actor=reviewer,
                    filing=filing,
                    comment="评估报告缺少周边500米常住人口统计，请补充后重新报送",
                )
            else:
                lifecycle.filing_accept(actor=reviewer, filing=filing, comment="材料齐全，准予备案")
            counts[story] += 1
            if story == "trigger":
                clock.at(_day(today, rng.randint(5, 30)), rng)
                lifecycle.trigger_record(
                    actor=manager,
                    unit=unit,
                    data={
                        "kind": "key_equipment",
                        "occurred_on": clock.now.date(),
                        "description": "更换关键设备（反应釜/储罐），须重新辨识评估",
                    },
                )
            _persons(unit, manager, assessed_on, rng, counts, clock)
            _drills_and_tests(unit, manager, today, rng, counts, clock, late=index % 7 == 3)
    return counts


def _persons(
    unit: HazardUnit, manager: Any, start: dt.date, rng: random.Random, counts: Counter[str], clock: Any
) -> None:
    people = list(Person.objects.filter(enterprise_id=unit.enterprise_id, active=True).order_by("pk")[:40])
    if len(people) < 3:
        return
    chosen = rng.sample(people, 3)
    clock.at(start + dt.timedelta(days=rng.randint(1, 10)), rng)
    for role, person in zip((1, 2, 3), chosen, strict=True):
        responsibility.responsible_name(
            actor=manager,
            unit=unit,
            role=role,
            person=person,
            valid_from=clock.now.date(),
            phone=person.phone or _phone(rng),
        )
        counts["persons"] += 1


def _drills_and_tests(
    unit: HazardUnit,
    manager: Any,
    today: dt.date,
    rng: random.Random,
    counts: Counter[str],
    clock: Any,
    *,
    late: bool,
) -> None:
    for kind, every in (("specialist", 365), ("onsite", 182)):
        ago = rng.randint(every + 20, every + 120) if late else rng.randint(10, every - 10)
        clock.at(_day(today, ago), rng)
        lifecycle.drill_record(
            actor=manager,
            enterprise=unit.enterprise,
            unit=unit,
            data={
                "plan_kind": kind,
                "held_on": clock.now.date(),
                "participants": rng.randint(8, 40),
                "summary": "泄漏着火情景，演练报警、切断、疏散和初期处置，评估后修订处置卡",
            },
        )
        counts["drills"] += 1
    for facility in rng.sample(FACILITIES, 2):
        clock.at(_day(today, rng.randint(30, 400)), rng)
        lifecycle.facility_test_record(
            actor=manager,
            unit=unit,
            data={
                "facility": facility,
                "tested_on": clock.now.date(),
                "result": "pass",
                "tested_by": "淄博市特种设备检验研究院",
                "cycle_months": 12,
            },
        )
        counts["tests"] += 1


def _delete(qs: QuerySet[Any]) -> int:
    _total, per_model = qs.delete()
    return per_model.get(qs.model._meta.label, 0)


def reset(county_code: str) -> dict[str, int]:
    """Delete the county's lifecycle and responsibility rows (they protect units, people and tasks)."""
    where = {"unit__enterprise__division__code__startswith": county_code}
    counts: dict[str, int] = {}
    models: list[type[Model]] = [LifecycleNotice, ResponsiblePerson, ReassessmentTrigger, FacilityTest]
    for model in models:
        counts[model._meta.model_name or ""] = _delete(model._default_manager.filter(**where))
    _delete(FilingTransition.objects.filter(filing__unit__enterprise__division__code__startswith=county_code))
    counts["filings"] = _delete(SourceFiling.objects.filter(**where))
    _delete(
        DeregistrationTransition.objects.filter(
            deregistration__unit__enterprise__division__code__startswith=county_code
        )
    )
    counts["deregistrations"] = _delete(Deregistration.objects.filter(**where))
    counts["drills"] = _delete(DrillRecord.objects.filter(enterprise__division__code__startswith=county_code))
    return counts
