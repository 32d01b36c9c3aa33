"""The county's work calendar (节假日和调休): generation follows it, one query per run; its pages and import."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safegrid.core.models import AuditEntry
from safegrid.hazards import inspections, work_calendar
from safegrid.hazards.models import CalendarDay, InspectionTask, TaskOccurrence
from safegrid.hazards.models_calendar import CalendarDayKind
from safegrid.hazards.models_stats import InspectionMonthStat
from safegrid.hazards.rules import inspection
from safegrid.jobs.models import Job
from safegrid.risks.tests.factories import make_measure, make_point

pytestmark = pytest.mark.django_db
TABLE = CalendarDay._meta.db_table


def next_weekday(weekday: int, after: dt.date) -> dt.date:
    day = after + dt.timedelta(days=1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def workday_task(world: Any) -> Any:
    point = make_point(world)
    make_measure(
        world,
        point,
        check_content="液位计示值正常",
        check_cycle=1,
        check_cycle_unit="天",
        work_day_type=inspection.WORKING_DAYS,
    )
    return world


HOLIDAY_MON = dt.date(2030, 9, 30)  # a Monday entered as a holiday
WORKED_SAT = dt.date(2030, 9, 28)  # a Saturday entered as 调休上班
CAL = inspection.WorkCalendar(frozenset({HOLIDAY_MON}), frozenset({WORKED_SAT}))


@pytest.mark.parametrize(
    ("work_day_type", "day", "counts"),
    [
        (inspection.EVERY_DAY, HOLIDAY_MON, True),
        (inspection.WORKING_DAYS, HOLIDAY_MON, False),
        (inspection.NON_WORKING_DAYS, HOLIDAY_MON, True),
        (inspection.WORKING_DAYS, WORKED_SAT, True),
        (inspection.NON_WORKING_DAYS, WORKED_SAT, False),
        (inspection.WORKING_DAYS, WORKED_SAT + dt.timedelta(days=1), False),  # an ordinary Sunday
        (inspection.WORKING_DAYS, HOLIDAY_MON + dt.timedelta(days=1), True),  # an ordinary Tuesday
    ],
)
def test_day_counts_with_the_calendar(work_day_type: int, day: dt.date, counts: bool) -> None:
    assert inspection.day_counts(work_day_type, day, CAL) is counts


@pytest.mark.parametrize(
    ("unit", "work_day_type", "follows"),
    [
        (inspection.HOUR, inspection.WORKING_DAYS, True),
        (inspection.DAY, inspection.NON_WORKING_DAYS, True),
        (inspection.DAY, inspection.EVERY_DAY, False),
        (inspection.WEEK, inspection.WORKING_DAYS, False),
        (inspection.MONTH, inspection.WORKING_DAYS, False),
    ],
)
def test_which_tasks_follow_the_calendar(unit: str, work_day_type: int, follows: bool) -> None:
    assert inspection.follows_calendar(unit, work_day_type) is follows


def occurrences_on(day: dt.date) -> int:
    begin = timezone.make_aware(dt.datetime.combine(day, dt.time(0)))
    return TaskOccurrence.objects.filter(
        window_start__gte=begin, window_start__lt=begin + dt.timedelta(days=1)
    ).count()


def test_working_day_task_skips_an_entered_holiday_and_runs_on_an_entered_weekend_workday(
    workday_task: Any,
) -> None:
    world = workday_task
    admin = world.user("county_admin")
    wednesday = next_weekday(2, timezone.localdate() + dt.timedelta(days=7))
    saturday = next_weekday(5, wednesday)
    thursday = wednesday + dt.timedelta(days=1)
    work_calendar.calendar_day_add(actor=admin, date=wednesday, kind=CalendarDayKind.HOLIDAY, name="国庆节")
    work_calendar.calendar_day_add(
        actor=admin, date=saturday, kind=CalendarDayKind.WORKDAY, name="国庆节调休"
    )
    assert inspections.occurrences_generate(day=wednesday).created == 0
    assert occurrences_on(wednesday) == 0
    assert inspections.occurrences_generate(day=thursday).created == 1
    assert inspections.occurrences_generate(day=saturday).created == 1
    assert occurrences_on(saturday) == 1
    # an ordinary Sunday stays off
    assert inspections.occurrences_generate(day=saturday + dt.timedelta(days=1)).created == 0


def _calendar_queries(captured: CaptureQueriesContext) -> int:
    return sum(TABLE in q["sql"] for q in captured.captured_queries)


def test_generation_reads_the_calendar_once_per_run_whatever_the_number_of_tasks(world: Any) -> None:
    point = make_point(world)
    for n in range(6):
        make_measure(
            world,
            point,
            check_content=f"检查项 {n}",
            check_cycle=1,
            check_cycle_unit="天",
            work_day_type=inspection.WORKING_DAYS if n % 2 else inspection.NON_WORKING_DAYS,
        )
    day = next_weekday(0, timezone.localdate())
    work_calendar.calendar_day_add(
        actor=world.user("county_admin"), date=day, kind=CalendarDayKind.HOLIDAY, name="元旦"
    )
    with CaptureQueriesContext(connection) as captured:
        result = inspections.occurrences_generate(day=day)
    assert result.tasks == 6 and result.created == 3  # the non-working-day tasks only
    assert _calendar_queries(captured) == 1


def test_missed_job_withdraws_occurrences_of_a_day_made_a_holiday_and_reads_the_calendar_once(
    workday_task: Any,
) -> None:
    world = workday_task
    day = next_weekday(1, timezone.localdate() - dt.timedelta(days=10))  # a past Tuesday
    inspections.tasks_sync_from_measures()
    InspectionTask.objects.update(start_date=day - dt.timedelta(days=3))
    inspections.occurrences_generate(day=day)
    inspections.occurrences_generate(day=day + dt.timedelta(days=1))
    assert TaskOccurrence.objects.count() == 2
    # entered behind the service's back (an old row restored): the hourly job is the safety net
    CalendarDay.objects.create(date=day, kind=CalendarDayKind.HOLIDAY, name="春节")
    with CaptureQueriesContext(connection) as captured:
        missed = inspections.occurrences_mark_missed()
    assert missed == 1
    assert _calendar_queries(captured) == 1
    assert occurrences_on(day) == 0
    stat = InspectionMonthStat.objects.filter(enterprise=world.ent_a)
    assert sum(s.pending for s in stat) == 0 and sum(s.missed for s in stat) == 1


def test_entering_todays_holiday_withdraws_its_due_occurrences_and_removing_it_regenerates(
    workday_task: Any,
) -> None:
    world = workday_task
    admin = world.user("county_admin")
    today = timezone.localdate()
    inspections.tasks_sync_from_measures()
    InspectionTask.objects.update(start_date=today - dt.timedelta(days=7))
    # whatever weekday today is, make it a working day first so the task has today's occurrence
    if today.weekday() >= 5:
        work_calendar.calendar_day_add(actor=admin, date=today, kind=CalendarDayKind.WORKDAY, name="调休")
    inspections.occurrences_generate(day=today)
    assert occurrences_on(today) == 1
    CalendarDay.objects.filter(date=today).delete()
    work_calendar.calendar_day_add(actor=admin, date=today, kind=CalendarDayKind.HOLIDAY, name="春节")
    assert occurrences_on(today) == 0
    assert AuditEntry.objects.filter(
        object_type="hazards.taskoccurrence", action="delete", comment__contains="工作日历"
    ).exists()
    queued = Job.objects.filter(kind="hazards.inspection_generate", args={"day": today.isoformat()})
    before = queued.count()
    work_calendar.calendar_day_remove(actor=admin, day=CalendarDay.objects.get(date=today))
    assert queued.count() == before + 1


def test_calendar_writes_are_the_county_admins_and_refused_whole(world: Any) -> None:
    day = dt.date(2030, 2, 4)
    with pytest.raises(PermissionDenied):
        work_calendar.calendar_day_add(
            actor=world.user("town_a"), date=day, kind=CalendarDayKind.HOLIDAY, name="春节"
        )
    admin = world.user("county_admin")
    work_calendar.calendar_day_add(actor=admin, date=day, kind=CalendarDayKind.HOLIDAY, name="春节")
    with pytest.raises(ValidationError) as exc:
        work_calendar.calendar_day_add(actor=admin, date=day, kind=CalendarDayKind.WORKDAY, name="")
    assert set(exc.value.message_dict) == {"date", "name"}
    assert CalendarDay.objects.count() == 1


def sheet(rows: list[tuple[Any, ...]]) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "工作日历"
    ws.append(["日期", "类型", "名称"])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_replaces_the_year_whole_or_refuses_it(world: Any) -> None:
    admin = world.user("county_admin")
    CalendarDay.objects.create(date=dt.date(2030, 5, 1), kind=CalendarDayKind.HOLIDAY, name="旧")
    CalendarDay.objects.create(date=dt.date(2031, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
    bad = work_calendar.calendar_import(
        actor=admin,
        year=2030,
        content=sheet(
            [(dt.date(2030, 10, 1), "法定节假日（放假）", "国庆节"), (dt.date(2029, 9, 29), "调休上班", "x")]
        ),
        file_name="bad.xlsx",
    )
    assert not bad.ok and {e.column for e in bad.errors} == {"日期"}
    assert CalendarDay.objects.filter(date__year=2030).get().name == "旧"
    good = work_calendar.calendar_import(
        actor=admin,
        year=2030,
        content=sheet(
            [
                (dt.date(2030, 10, 1), "法定节假日（放假）", "国庆节"),
                (dt.date(2030, 9, 28), "调休上班", "国庆节调休"),
            ]
        ),
        file_name="2030.xlsx",
    )
    assert good.ok and good.created == 2
    assert sorted(CalendarDay.objects.filter(date__year=2030).values_list("date", "kind")) == [
        (dt.date(2030, 9, 28), "workday"),
        (dt.date(2030, 10, 1), "holiday"),
    ]
    assert CalendarDay.objects.filter(date__year=2031).count() == 1  # other years untouched
    # the export imports back unchanged
    again = work_calendar.calendar_import(
        actor=admin, year=2030, content=work_calendar.calendar_export(2030), file_name="again.xlsx"
    )
    assert again.ok and again.created == 2


def test_pages(world: Any, login: Any) -> None:
    CalendarDay.objects.create(date=dt.date(2030, 10, 1), kind=CalendarDayKind.HOLIDAY, name="国庆节")
    client = login(world.user("town_a"))
    page = client.get(reverse("hazards:calendar") + "?year=2030")
    assert (
        page.status_code == 200
        and "国庆节" in page.content.decode()
        and "国务院办公厅" in page.content.decode()
    )
    assert reverse("hazards:calendar_add") not in page.content.decode()
    assert client.get(reverse("hazards:calendar_add")).status_code == 403
    admin = login(world.user("county_admin"))
    page = admin.get(reverse("hazards:calendar") + "?year=2030")
    assert reverse("hazards:calendar_add") in page.content.decode()
    refused = admin.post(
        reverse("hazards:calendar_add"), {"date": "2030-10-01", "kind": "holiday", "name": "重复"}
    )
    assert refused.status_code == 422 and "该日期已录入" in refused.content.decode()
    saved = admin.post(
        reverse("hazards:calendar_add"), {"date": "2030-10-02", "kind": "holiday", "name": "国庆节"}
    )
    assert saved.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2030, 10, 2))
    assert admin.post(reverse("hazards:calendar_remove", args=[day.pk])).status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert admin.get(reverse("hazards:calendar_export") + "?year=2030")["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
