"""The hazards app's part of the test world (see safegrid.testworld): a hazard of enterprise B with a photo.

Reported by B's safety manager through the services and confirmed, so its transitions, photo and audit rows
exist; the scope walk checks none of it reaches a user of town A.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from PIL import Image

from safegrid.core.testing import SYSTEM, Leaks
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.models import OrgUnit, Person
from safegrid.regions.models import Department
from safegrid.risks.models import RiskPoint
from safegrid.risks.services import points as risk_services

from . import checklists, deadline_watch, inspections, services, services_major, supervision
from .config import deadlines
from .models import HiddenHazard, NationalLink, TaskOccurrence
from .rules.checklists import ItemIn
from .services import PhotoIn
from .views_major import STEPS
from .workflows import HAZARD
from .workflows_selfreport import SelfReportAction

if TYPE_CHECKING:
    from safegrid.testworld import World

TITLE = "乙塔吊基础积水（测试标记）"
MAJOR_TITLE = "乙深基坑支护变形（测试标记）"
DOCUMENT_NUMBER = "桓安督〔2025〕乙号"
DESCRIPTION = "乙工地塔吊基础积水未排（测试标记）"
REPORT_MARKER = "乙基坑东侧位移超限原因分析（测试标记）"
INTERIM_MARKER = "乙基坑周边禁止车辆通行（测试标记）"
SUSPENSION_NUMBER = "桓应急责停〔2025〕乙号"
EVALUATION_MARKER = "乙基坑加固评估合格（测试标记）"


PLAN_PARTS = {
    "targets": "消除基坑支护变形隐患，恢复支护结构安全",
    "methods": "增设钢支撑，坑边卸载，加密位移监测",
    "funds_materials": "安排资金 12 万元，钢支撑 40 吨",
    "organisation": "项目经理牵头，安全部和技术部负责",
    "time_requirements": "15 日内完成，每日报告进度",
    "safety_emergency": "设置警戒区，基坑坍塌专项应急预案",
}


def prepare_major(actor: Any, hazard: HiddenHazard, **report: Any) -> HiddenHazard:
    """A confirmed major hazard made ready for rectification: its six-part plan and its report sent."""
    services_major.plan_save(actor=actor, hazard=hazard, parts=PLAN_PARTS)
    services_major.major_report_submit(
        actor=actor,
        hazard=hazard,
        state_and_cause=report.get("state_and_cause", "支护结构位移超过预警值，原因是坑边堆载"),
        severity_and_difficulty=report.get("severity_and_difficulty", "可能导致基坑坍塌，整改需停工加固"),
        interim_measures=report.get("interim_measures", ["withdraw_workers", "cordon_area"]),
        interim_other=report.get("interim_other", ""),
    )
    hazard.refresh_from_db()
    return hazard


def ship_reference_data() -> None:
    """Load again what the migrations ship (the major-hazard criteria, the county checklists): a transactional
    test (live server) empties every table when it ends, shipped rows included. Idempotent."""
    import importlib

    from django.apps import apps

    for name in ("0002_shipped_criteria", "0008_shipped_checklists"):
        importlib.import_module(f"safegrid.hazards.migrations.{name}").ship(apps, None)


def extend_world(world: World) -> Leaks:
    ship_reference_data()
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(out, format="JPEG")
    hazard = services.hazard_report(
        actor=world.user("ent_b"),
        enterprise=world.ent_b,
        data={
            "title": TITLE,
            "location": "乙工地 2 号塔吊",
            "description": DESCRIPTION,
            "source": 1,
            "hazard_type": 7,
        },
        photos=[PhotoIn(out.getvalue(), "b.jpg", "before")],
    )
    major = _overdue_major_listed(world)
    leaks = Leaks(
        markers=[
            TITLE,
            DESCRIPTION,
            MAJOR_TITLE,
            DOCUMENT_NUMBER,
            CHECK_POINT,
            CHECK_NOTE,
            CHECKLIST_NAME,
            CHECKLIST_ITEM,
            ADHOC_TITLE,
            DEVICE_ID,
            REPORT_MARKER,
            INTERIM_MARKER,
            SUSPENSION_NUMBER,
            EVALUATION_MARKER,
        ]
    )
    point = _inspection(world, leaks)
    _calendar(world, leaks)
    _checklist(world, leaks, point)
    _shutdown(world, leaks, point)
    _self_report(world, leaks)
    _national(world, leaks)
    leaks.add_ids("pk", hazard.pk)
    leaks.add_ids("hazard_id", hazard.pk)
    leaks.add_ids("pk", *hazard.photos.values_list("pk", flat=True))
    leaks.add_ids("pk", major.pk, major.supervision.pk)
    leaks.add_ids("hazard_id", major.pk)
    leaks.add_ids("pk", major.major_report.pk, major.suspension.pk)
    leaks.add_ids("pk", *major.treatment_plans.values_list("pk", flat=True))
    leaks.add_ids("enterprise", world.ent_b.pk)
    # The words of the `<slug:…>` path parameters, so the walk tries every move on enterprise B's rows.
    leaks.add_ids("action", *(name for name, step in HAZARD.steps.items() if not step.system))
    leaks.add_ids("action", "statement", *SelfReportAction)
    leaks.add_ids("step", *STEPS)
    return leaks


NATIONAL_UNIT = "乙国家平台导入单元（测试标记）"
NATIONAL_CODE = "HC-B-MARKER-5d1e"


def _national(world: World, leaks: Leaks) -> None:
    """A unit and a shutdown of B received in the national format, its national-only code kept on the link."""
    from .national import importer
    from .national.profiles import profile_get

    common = {"companyCode": world.ent_b.uscc, "createBy": NATIONAL_CODE}
    importer.national_import(
        actor=world.user("ent_b"),
        enterprise=world.ent_b,
        profile=profile_get("national"),
        payload={
            "units": [{**common, "id": "b0000000-0000-4000-8000-00000000a001",
                       "riskUnitName": NATIONAL_UNIT, "hazardCode": NATIONAL_CODE}],
            "shutdowns": [{**common, "id": "b0000000-0000-4000-8000-00000000b001",
                           "riskUnitId": "b0000000-0000-4000-8000-00000000a001",
                           "stopStartTime": "2026-01-05 08:00:00", "stopEndTime": "2026-01-06 08:00:00",
                           "stopReason": "乙检修"}],
        },
    )  # fmt: skip
    leaks.markers.extend([NATIONAL_UNIT, NATIONAL_CODE])
    leaks.add_ids("pk", *NationalLink.objects.filter(enterprise=world.ent_b).values_list("pk", flat=True))
    leaks.add_ids("profile", "national", "hazchem")


CHECK_POINT = "乙油罐区巡检点（测试标记）"
CHECK_NOTE = "乙罐区巡检正常（测试标记）"


CHECKLIST_NAME = "乙复产前检查表（测试标记）"
CHECKLIST_ITEM = "乙塔吊限位器复位（测试标记）"
ADHOC_TITLE = "乙节前专项检查（测试标记）"
DEVICE_ID = "device-b-marker-7f3a"


def _checklist(world: World, leaks: Leaks, point: RiskPoint) -> None:
    """B's own checklist, an ad-hoc inspection from it at B's checkpoint, checked far from the point with
    a photo seen before (so its record carries flags)."""
    template = checklists.checklist_save(
        actor=world.user("ent_b"),
        data={"name": CHECKLIST_NAME, "kind": 7, "basis": "乙企业制度"},
        items=[ItemIn("B-01", CHECKLIST_ITEM)],
        enterprise=world.ent_b,
    )
    checkpoint = checklists.checkpoint_issue(actor=world.user("ent_b"), risk_point=point)
    now = timezone.now()
    occurrence = checklists.inspection_from_checklist(
        actor=world.user("ent_b"),
        template=template,
        enterprise=world.ent_b,
        data={
            "title": ADHOC_TITLE,
            "kind": 7,
            "window_start": now - dt.timedelta(minutes=1),
            "window_end": now + dt.timedelta(hours=4),
            "risk_point": point,
        },
    )
    record = inspections.check_record(
        actor=world.user("ent_b"),
        occurrence=occurrence,
        check=inspections.CheckIn(
            {CHECKLIST_ITEM: True},
            "ok",
            scan=inspections.Scan(checkpoint, now),
            lat=36.0,
            lon=117.0,
            device_id=DEVICE_ID,
            photo=PhotoIn(_jpeg("orange"), "b.jpg", "before"),
        ),
    )
    leaks.add_ids("pk", template.pk, occurrence.pk, record.pk, point.pk)


def _jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="JPEG")
    return out.getvalue()


def _calendar(world: World, leaks: Leaks) -> None:
    """A day of the county's work calendar: county-wide, read by everyone (no marker); its id is walked."""
    from . import work_calendar
    from .models_calendar import CalendarDayKind

    day = work_calendar.calendar_day_add(
        actor=world.user("county_admin"),
        date=timezone.localdate() + dt.timedelta(days=60),
        kind=CalendarDayKind.HOLIDAY,
        name="测试假日",
    )
    leaks.add_ids("pk", day.pk)


def _inspection(world: World, leaks: Leaks) -> RiskPoint:
    """B's inspected control measure, today's occurrences (one done with a record, one still due)."""
    unit = OrgUnit.objects.get(enterprise=world.ent_b, parent__isnull=True)
    for kind, name in (("workshop", "乙储运车间"), ("team", "乙储运班"), ("post", "乙巡检岗")):
        unit = ent_services.org_unit_create(
            actor=SYSTEM, enterprise=world.ent_b, parent=unit, data={"kind": kind, "name": name}
        )
    point = risk_services.risk_point_create(
        actor=SYSTEM,
        enterprise=world.ent_b,
        data={"code": "RP-B9", "name": CHECK_POINT, "type": "facility", "lat": 36.8, "lon": 118.0},
    )
    for cycle in (1, 2):
        risk_services.measure_add(
            actor=SYSTEM,
            point=point,
            data={
                "kind": "institutional",
                "classify1": 2,
                "classify2": "2-2",
                "description": f"乙罐区巡检 {cycle}",
                "check_content": "罐体无渗漏",
                "check_cycle": cycle,
                "check_cycle_unit": "天",
                "responsible_post": unit,
            },
        )
    inspections.occurrences_generate(day=timezone.localdate())
    occurrences = list(TaskOccurrence.objects.filter(task__risk_point=point).order_by("id"))
    record = inspections.check_record(
        actor=world.user("ent_b"),
        occurrence=occurrences[0],
        check=inspections.CheckIn({"罐体无渗漏": True}, "ok", CHECK_NOTE),
    )
    leaks.add_ids("pk", *(o.pk for o in occurrences), record.pk)
    return point


def _overdue_major_listed(world: World) -> HiddenHazard:
    """A major hazard of enterprise B found by the county, past its deadline, escalated and listed."""
    today = timezone.localdate()
    hazard = services.hazard_report(
        actor=world.user("county_admin"),
        enterprise=world.ent_b,
        data={
            "title": MAJOR_TITLE,
            "location": "乙工地深基坑东侧",
            "description": "深基坑支护结构位移超过预警值（测试标记）",
            "source": 3,
            "hazard_type": 7,
            "level": "major",
        },
    )
    hazard = services.hazard_confirm(
        actor=world.user("ent_b"),
        hazard=hazard,
        level="major",
        interim_measures="坑边停止堆载，撤出坑内作业人员",
    )
    hazard = prepare_major(
        world.user("ent_b"), hazard, state_and_cause=REPORT_MARKER, interim_other=INTERIM_MARKER
    )
    start = today - dt.timedelta(days=20)
    hazard = services.hazard_assign(
        actor=world.user("ent_b"),
        hazard=hazard,
        responsible_person=Person.objects.filter(enterprise=world.ent_b).first(),
        measures="增设钢支撑并加密监测",
        funds=Decimal("120000"),
        deadline=start + dt.timedelta(days=10),
        plan="基坑坍塌专项应急预案",
        today=start,
    )
    for days_ago in (3, 2, 1, 0):  # one step a day, up to the county's sector regulator
        day = today - dt.timedelta(days=days_ago)
        deadline_watch.hazard_escalate(hazard=hazard, today=day, deadlines=deadlines())
    supervision.supervision_list_hazard(
        actor=world.user("county_admin"),
        hazard=hazard,
        data={
            "level": "county",
            "authority": "桓台县安全生产委员会",
            "department": Department.objects.filter(sectors__code="building_construction").first()
            or Department.objects.first(),
            "document_number": DOCUMENT_NUMBER,
            "listed_on": start + dt.timedelta(days=2),
            "planned_completion": start + dt.timedelta(days=15),
            "requirements": "",
        },
    )
    _suspended(world, hazard, today)
    hazard.refresh_from_db()
    return hazard


def _suspended(world: World, hazard: HiddenHazard, today: dt.date) -> None:
    """B's major hazard under a suspension order, evaluated (with its report file) and applied for, its
    on-site review overdue; the report to the regulator acknowledged."""
    report = hazard.major_report
    services_major.major_report_acknowledge(actor=world.user("county_admin"), report=report, comment="已签收")
    order = services_major.suspension_order(
        actor=world.user("county_admin"),
        hazard=hazard,
        document_number=SUSPENSION_NUMBER,
        ordered_on=today - dt.timedelta(days=18),
        ends_on=today + dt.timedelta(days=60),
        scope_text="深基坑东侧区域停止施工",
    )
    order = services_major.suspension_evaluate(
        actor=world.user("ent_b"),
        order=order,
        evaluator="乙方聘请的岩土专家组",
        summary=EVALUATION_MARKER,
        document=services_major.FileIn(b"%PDF-1.4\n" + EVALUATION_MARKER.encode(), "评估报告.pdf"),
    )
    services_major.suspension_apply(
        actor=world.user("ent_b"),
        order=order,
        application_text="支护加固完成，申请恢复施工",
        applied_on=today - dt.timedelta(days=12),
    )


SELF_REPORT_STATEMENT = "乙本季度自查情况说明（测试标记）"


def _self_report(world: World, leaks: Leaks) -> None:
    """B's self-report of the last ended quarter, signed by its legal representative and submitted; then
    the watch marks B missing for the last year (B registered over a year ago, never reported it)."""
    from safegrid.core.choices import Role
    from safegrid.core.models import User
    from safegrid.core.testing import PASSWORD, make_user
    from safegrid.enterprises.models import Enterprise

    from . import selfreport_watch, selfreports
    from .rules import selfreport as rules

    Enterprise.objects.filter(pk=world.ent_b.pk).update(created_at=timezone.now() - dt.timedelta(days=420))
    world.ent_b.refresh_from_db()
    signer = User.objects.filter(username="legal_b").first() or make_user(
        "legal_b", {"role": Role.LEGAL_REP, "enterprise": world.ent_b}, display_name="李乙"
    )
    today = timezone.localdate()
    report = selfreports.selfreport_generate(
        actor=world.user("ent_b"), enterprise=world.ent_b, period=rules.last_ended(today, rules.QUARTER)
    )
    report = selfreports.selfreport_statement_save(
        actor=world.user("ent_b"), report=report, statement=SELF_REPORT_STATEMENT
    )
    selfreports.selfreport_submit(
        actor=signer, report=report, password=PASSWORD, fingerprint_seen=selfreports.fingerprint(report)
    )
    selfreport_watch.self_report_watch(today=today)
    leaks.markers.append(SELF_REPORT_STATEMENT)
    leaks.add_ids("pk", report.pk)


SHUTDOWN_REASON = "乙罐区清罐检修（测试标记）"
SHUTDOWN_APPROVER = "乙批准人甲"


def _shutdown(world: World, leaks: Leaks, point: RiskPoint) -> None:
    """A planned shutdown of B's checked point, recorded by B's manager (not yet begun: today's checks stay due)."""
    start = timezone.now() + dt.timedelta(days=30)
    shutdown = inspections.shutdown_record(
        actor=world.user("ent_b"),
        enterprise=world.ent_b,
        risk_point=point,
        start=start,
        end=None,
        planned_end=start + dt.timedelta(days=2),
        reason=SHUTDOWN_REASON,
        approver=SHUTDOWN_APPROVER,
    )
    leaks.markers.extend([SHUTDOWN_REASON, SHUTDOWN_APPROVER])
    leaks.add_ids("pk", shutdown.pk)
