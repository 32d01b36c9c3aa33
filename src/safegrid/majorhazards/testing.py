"""The majorhazards app's part of the test world (see safegrid.testworld): one function per area.

sources (`_sources`): enterprise B's resident population and a graded tank farm with a substance line,
written by B's safety manager through the services (so the gradings and audit rows exist); the scope walk
checks none of it reaches a user of town A or the chemicals regulator (B is a construction firm).
lifecycle (`_lifecycle`): a major unit of B with its filing, trigger, drill, facility test, deregistration
application and a responsible person.
work (`_work`): a special-work filing of B with its gas analysis and pause, and a posted commitment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from safegrid.core.testing import SYSTEM, Leaks
from safegrid.enterprises import services as ent_services

from .models import HazardUnit, Substance, UnitSubstance
from .models.sources import ship_substances
from .services import sources as source_services

if TYPE_CHECKING:
    from safegrid.testworld import World

UNIT_NAME = "乙液氨罐区（测试标记）"
UNIT_CODE = "B-MH-7c41"
LINE_NOTE = "乙液氨储罐2×50立方米（测试标记）"
POPULATION_BASIS = "乙村委会户籍登记（测试标记）"


def ship_reference_data() -> None:
    """Load again what migration 0002_grading ships (the GB 18218 substances): a transactional test (live
    server) empties every table when it ends, shipped rows included. Idempotent."""
    ship_substances()


def _sources(world: World) -> Leaks:
    ship_reference_data()
    actor = world.user("ent_b")
    source_services.population_set(
        actor=actor, enterprise=world.ent_b, people=60, basis=POPULATION_BASIS, counted_on=dt.date(2026, 1, 5)
    )
    ammonia = Substance.objects.get(name="氨", variant="")
    unit = source_services.unit_create(
        actor=actor,
        enterprise=world.ent_b,
        data={"code": UNIT_CODE, "name": UNIT_NAME, "kind": "tank_farm", "location": "乙厂区东侧"},
        lines=[source_services.LineIn(ammonia, Decimal("60"), Decimal("22.5"), LINE_NOTE)],
    )
    line = UnitSubstance.objects.get(unit=unit)
    leaks = Leaks(markers=[UNIT_NAME, UNIT_CODE, LINE_NOTE, POPULATION_BASIS])
    leaks.add_ids("hazard_unit_id", unit.pk)
    leaks.add_ids("pk", unit.pk, line.pk, *unit.gradings.values_list("pk", flat=True))
    return leaks


# ---- work: a special-work filing and a commitment of enterprise B ------------------------------------------

WORK_PERMIT = "乙动火-测试-0001"
WORK_PLACE = "乙储罐区东侧管廊（测试标记）"
WORK_CONTENT = "乙罐区管线更换焊接（测试标记）"
WORK_WATCHER = "乙监护人甲（测试标记）"
WORK_ANALYST = "乙分析员（测试标记）"
WORK_PAUSE = "乙作业中断原因（测试标记）"
COMMITMENT_TEXT = "乙公司今日承诺安全（测试标记）"
COMMITMENT_PRINCIPAL = "乙主要负责人（测试标记）"
COMMITMENT_EXPLANATION = "乙补报说明（测试标记）"
WORK_UNIT_CODE = "MH-WORK-B01"


def _work(world: World) -> Leaks:
    from .services import work as services

    ent_b = world.ent_b
    unit = HazardUnit.objects.create(
        enterprise=ent_b,
        code=WORK_UNIT_CODE,
        name="乙储罐区（测试标记）",
        kind="tank_farm",
        latitude=36.9701,
        longitude=118.1202,
        is_major=True,
        grade=3,
    )
    now = timezone.now().replace(microsecond=0)
    work = services.special_work_file(
        actor=world.user("ent_b"),
        enterprise=ent_b,
        data={
            "unit": unit,
            "work_type": "hot",
            "grade": "1",
            "content": WORK_CONTENT,
            "place": WORK_PLACE,
            "latitude": 36.9702,
            "longitude": 118.1203,
            "start": now - dt.timedelta(hours=1),
            "end": now + dt.timedelta(hours=3),
            "permit_number": WORK_PERMIT,
            "watcher_name": WORK_WATCHER,
            "watcher_phone": "13900000002",
            "video_channel": "乙罐区 3 号摄像机",
        },
    )
    services.gas_analysis_record(
        actor=world.user("ent_b"),
        work=work,
        at=now - dt.timedelta(minutes=5),
        location="乙罐区东侧管廊",
        result="可燃气体 0%LEL，氧气 20.9%",
        qualified=True,
        analyst=WORK_ANALYST,
    )
    services.special_work_start(actor=world.user("ent_b"), work=work)
    services.special_work_pause(actor=world.user("ent_b"), work=work, reason=WORK_PAUSE)
    commitment = services.commitment_post(
        actor=SYSTEM,
        enterprise=ent_b,
        day=timezone.localdate(),
        data={
            **services.commitment_prefill(ent_b, timezone.localdate()),
            "hot_one": 2,
            "commitment_text": COMMITMENT_TEXT,
            "principal_name": COMMITMENT_PRINCIPAL,
            "explanation": COMMITMENT_EXPLANATION,
        },
    )
    services.board_issue(actor=SYSTEM, enterprise=ent_b)
    leaks = Leaks(
        markers=[
            WORK_PERMIT,
            WORK_PLACE,
            WORK_CONTENT,
            WORK_WATCHER,
            WORK_ANALYST,
            WORK_PAUSE,
            COMMITMENT_TEXT,
            COMMITMENT_PRINCIPAL,
            COMMITMENT_EXPLANATION,
        ]
    )
    leaks.add_ids("pk", work.pk, commitment.pk)
    leaks.add_ids("special_work_id", work.pk)
    return leaks


# ---- the app's extension: every area's part ------------------------------------------------------------------


def extend_world(world: World) -> Leaks:
    leaks = Leaks()
    for part in (_sources(world), _work(world)):
        leaks.markers.extend(part.markers)
        leaks.area_markers.extend(part.area_markers)
        for name, values in part.ids.items():
            leaks.add_ids(name, *values)
    _lifecycle(world, leaks)
    return leaks


# ---- lifecycle (mhlife) ----------------------------------------------------------------------------------

LIFE_UNIT = "乙液氨罐区（生命周期测试标记）"
LIFE_ORG = "乙安全评价有限公司（测试标记）"
LIFE_SUMMARY = "乙罐区辨识为二级重大危险源（测试标记）"
LIFE_TRIGGER = "乙罐区新增液氨储罐一台（测试标记）"
LIFE_PERSON = "钱包保乙（测试标记）"
LIFE_PHONE = "0533-7654321"
LIFE_DRILL = "乙液氨泄漏专项演练（测试标记）"
LIFE_FACILITY = "乙罐区安全阀（测试标记）"
LIFE_DEREGISTER = "乙旧罐区拆除（测试标记）"


def lifecycle_unit(world: World, *, code: str, name: str, grade: int | None = 2) -> HazardUnit:
    """A major hazard unit of enterprise B with its grade set directly (the grading service is another area)."""
    return HazardUnit.objects.create(
        enterprise=world.ent_b,
        code=code,
        name=name,
        kind="tank_farm",
        is_major=grade is not None,
        grade=grade,
        graded_at=timezone.now() if grade else None,
    )


def _lifecycle(world: World, leaks: Leaks) -> None:
    """B's major unit with a filing (submitted, then returned and resubmitted, so its timeline has rows), a
    recorded trigger, a drill, a facility test, a responsible person with a check task, and a second unit
    applying for deregistration."""
    from .services import lifecycle, responsibility

    manager = world.user("ent_b")
    unit = lifecycle_unit(world, code="B-MH-LIFE-01", name=LIFE_UNIT)
    today = timezone.localdate()
    filing = lifecycle.filing_draft(
        actor=manager,
        unit=unit,
        data={
            "assessing_org": LIFE_ORG,
            "assessed_on": today - dt.timedelta(days=10),
            "report_summary": LIFE_SUMMARY,
        },
    )
    filing = lifecycle.filing_submit(actor=manager, filing=filing)
    filing = lifecycle.filing_return(
        actor=world.user("county_admin"), filing=filing, comment="补充周边人口（测试）"
    )
    filing = lifecycle.filing_submit(actor=manager, filing=filing)
    trigger = lifecycle.trigger_record(
        actor=manager,
        unit=unit,
        data={
            "kind": "key_equipment",
            "occurred_on": today - dt.timedelta(days=2),
            "description": LIFE_TRIGGER,
        },
    )
    drill = lifecycle.drill_record(
        actor=manager,
        enterprise=world.ent_b,
        unit=unit,
        data={
            "plan_kind": "specialist",
            "held_on": today - dt.timedelta(days=5),
            "participants": 12,
            "summary": LIFE_DRILL,
        },
    )
    test = lifecycle.facility_test_record(
        actor=manager,
        unit=unit,
        data={
            "facility": LIFE_FACILITY,
            "tested_on": today - dt.timedelta(days=400),
            "result": "pass",
            "cycle_months": 12,
        },
    )
    person = ent_services.person_create(
        actor=SYSTEM,
        enterprise=world.ent_b,
        data={"name": LIFE_PERSON, "phone": LIFE_PHONE, "job_title": "罐区主任"},
    )
    named = responsibility.responsible_name(
        actor=manager, unit=unit, role=3, person=person, valid_from=today - dt.timedelta(days=14)
    )
    old = lifecycle_unit(world, code="B-MH-LIFE-02", name="乙旧罐区（测试标记）")
    deregistration = lifecycle.deregistration_apply(actor=manager, unit=old, reason=LIFE_DEREGISTER)
    leaks.markers.extend(
        [LIFE_UNIT, LIFE_ORG, LIFE_SUMMARY, LIFE_TRIGGER, LIFE_PERSON, LIFE_PHONE, LIFE_DRILL, LIFE_FACILITY,
         LIFE_DEREGISTER, "乙旧罐区（测试标记）"]
    )  # fmt: skip
    leaks.add_ids(
        "pk", unit.pk, old.pk, filing.pk, trigger.pk, drill.pk, test.pk, named.pk, deregistration.pk
    )
    leaks.add_ids("unit_id", unit.pk, old.pk)
