"""Inspection services: tasks from measures, the day's occurrences (once), shutdowns, missed, checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safegrid import jobs
from safegrid.core.models import AuditEntry
from safegrid.hazards import inspection_selectors as sel
from safegrid.hazards import inspections
from safegrid.hazards.choices import CheckResult, OccurrenceStatus, Presence
from safegrid.hazards.inspections import CheckIn
from safegrid.hazards.models import CheckRecord, HiddenHazard, InspectionTask, TaskOccurrence
from safegrid.hazards.tests.factories import photo
from safegrid.jobs import runner
from safegrid.jobs.choices import JobStatus
from safegrid.jobs.registry import schedules
from safegrid.risks.tests.factories import make_measure, make_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world: Any) -> Any:
    point = make_point(world)
    hourly = make_measure(world, point)  # every 2 hours, all day
    daily = make_measure(
        world, point, check_content="液位计示值正常；呼吸阀无堵塞", check_cycle=1, check_cycle_unit="天"
    )
    return world, point, hourly, daily


def today() -> dt.date:
    return timezone.localdate()


def test_generation_makes_the_days_occurrences_once(setup: Any) -> None:
    world, point, hourly, daily = setup
    first = inspections.occurrences_generate(day=today())
    assert (first.tasks, first.created, first.suspended, first.skipped) == (2, 12 + 1, 0, 0)
    task = InspectionTask.objects.get(measure=daily)
    assert task.check_items == ["液位计示值正常", "呼吸阀无堵塞"]
    assert (
        task.enterprise == world.ent_a and task.risk_point == point and task.responsible_post == world.post_a
    )
    again = inspections.occurrences_generate(day=today())
    assert (again.created, again.skipped) == (0, 13)
    assert TaskOccurrence.objects.count() == 13
    assert AuditEntry.objects.filter(object_type="hazards.taskoccurrence").count() == 2
    occ = TaskOccurrence.objects.filter(task=task).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskOccurrence.objects.create(
            task=task, enterprise=world.ent_a, window_start=occ.window_start, window_end=occ.window_end
        )


def test_retired_measure_stops_its_task(setup: Any) -> None:
    world, point, hourly, daily = setup
    inspections.occurrences_generate(day=today())
    type(hourly).objects.filter(pk=hourly.pk).update(active=False)
    result = inspections.occurrences_generate(day=today() + dt.timedelta(days=1))
    assert (result.tasks, result.created) == (1, 1)


def test_shutdown_suspends_generated_and_future_occurrences(setup: Any) -> None:
    world, point, hourly, daily = setup
    inspections.occurrences_generate(day=today())
    start = timezone.now()
    inspections.shutdown_record(
        actor=world.user("ent_a"),
        enterprise=world.ent_a,
        start=start,
        end=None,
        reason="检修",
        risk_point=point,
    )
    open_later = TaskOccurrence.objects.filter(window_end__gt=start)
    assert set(open_later.values_list("status", flat=True)) == {OccurrenceStatus.SUSPENDED}
    tomorrow = inspections.occurrences_generate(day=today() + dt.timedelta(days=1))
    assert tomorrow.created == tomorrow.suspended == 13


def test_shutdown_refused_whole(setup: Any) -> None:
    world, point, *_ = setup
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        inspections.shutdown_record(
            actor=world.user("ent_a"), enterprise=world.ent_a, start=now, end=now, reason="检修"
        )
    assert "end" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        inspections.shutdown_record(
            actor=world.user("post_a"), enterprise=world.ent_a, start=now, end=None, reason="检修"
        )


def test_mark_missed_after_window_and_grace(setup: Any) -> None:
    inspections.occurrences_generate(day=today())
    midnight = timezone.make_aware(dt.datetime.combine(today(), dt.time(0)))
    assert inspections.occurrences_mark_missed(now=midnight + dt.timedelta(hours=2, minutes=59)) == 0
    assert inspections.occurrences_mark_missed(now=midnight + dt.timedelta(hours=3)) == 1
    assert inspections.occurrences_mark_missed(now=midnight + dt.timedelta(hours=3)) == 0


def _daily_occurrence(daily: Any) -> TaskOccurrence:
    inspections.occurrences_generate(day=today())
    return TaskOccurrence.objects.get(task__measure=daily)


ITEMS = {"液位计示值正常": True, "呼吸阀无堵塞": True}


def test_no_finding_closes_the_occurrence(setup: Any) -> None:
    world, point, hourly, daily = setup
    occ = _daily_occurrence(daily)
    device = timezone.now() - dt.timedelta(minutes=5)
    record = inspections.check_record(
        actor=world.user("post_a"),
        occurrence=occ,
        check=CheckIn(
            ITEMS, CheckResult.NO_FINDING, "正常", lat=36.1, lon=117.1, device_time=device, photo=photo()
        ),
    )
    occ.refresh_from_db()
    assert occ.status == OccurrenceStatus.DONE and occ.done_by == world.user("post_a")
    assert occ.device_time == device and occ.done_at == record.server_time
    assert record.photo_sha256 and record.items[0] == {"item": "液位计示值正常", "ok": True}
    assert record.presence == Presence.GPS if point.lat is not None else record.presence == Presence.NONE
    assert AuditEntry.objects.filter(object_type="hazards.checkrecord", object_id=str(record.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        inspections.check_record(
            actor=world.user("post_a"), occurrence=occ, check=CheckIn(ITEMS, CheckResult.NO_FINDING)
        )
    assert "occurrence" in exc.value.message_dict
    assert sel.on_time_rate(world.user("ent_a"), now=occ.window_end).percent is not None


@pytest.mark.parametrize(
    ("check", "field"),
    [
        (CheckIn({"液位计示值正常": True}, CheckResult.NO_FINDING), "items"),
        (CheckIn({**ITEMS, "呼吸阀无堵塞": False}, CheckResult.NO_FINDING), "result"),
        (CheckIn(ITEMS, CheckResult.FINDING), "hazard"),
        (CheckIn(ITEMS, "maybe"), "result"),
        (CheckIn(ITEMS, CheckResult.NO_FINDING, lat=36.1), "lat"),
        (CheckIn(ITEMS, CheckResult.NO_FINDING, lat=36.1, lon=117.1, accuracy=-1.0), "accuracy"),
        (CheckIn(ITEMS, CheckResult.NO_FINDING, lat=91.0), "lat"),
        (
            CheckIn(ITEMS, CheckResult.FINDING, hazard={"title": "", "description": "", "hazard_type": 3}),
            "hazard.title",
        ),
    ],
)
def test_bad_check_refused_whole(setup: Any, check: CheckIn, field: str) -> None:
    world, point, hourly, daily = setup
    occ = _daily_occurrence(daily)
    with pytest.raises(ValidationError) as exc:
        inspections.check_record(actor=world.user("post_a"), occurrence=occ, check=check)
    assert field in exc.value.message_dict
    occ.refresh_from_db()
    assert occ.status == OccurrenceStatus.DUE and not CheckRecord.objects.exists()
    assert not HiddenHazard.objects.exists()


def test_finding_reports_a_linked_hazard(setup: Any) -> None:
    world, point, hourly, daily = setup
    occ = _daily_occurrence(daily)
    record = inspections.check_record(
        actor=world.user("post_a"),
        occurrence=occ,
        check=CheckIn(
            {**ITEMS, "呼吸阀无堵塞": False},
            CheckResult.FINDING,
            "呼吸阀结晶堵塞",
            photo=photo(),
            hazard={"title": "呼吸阀堵塞", "description": "T-101 呼吸阀结晶堵塞", "hazard_type": 7},
        ),
    )
    hazard = HiddenHazard.objects.get()
    assert hazard.check_record == record and hazard.inspection_task == occ.task
    assert hazard.control_measure == daily and hazard.risk_point == point
    assert hazard.source == 1 and hazard.status == "reported" and hazard.photos.count() == 1


def test_only_the_enterprises_people_record_checks(setup: Any) -> None:
    world, point, hourly, daily = setup
    occ = _daily_occurrence(daily)
    with pytest.raises(PermissionDenied):
        inspections.check_record(
            actor=world.user("ent_b"), occurrence=occ, check=CheckIn(ITEMS, CheckResult.NO_FINDING)
        )


def test_my_checks_and_rate_by_scope(setup: Any) -> None:
    world, point, hourly, daily = setup
    inspections.occurrences_generate(day=today())
    now = timezone.make_aware(dt.datetime.combine(today(), dt.time(4, 30)))
    mine = sel.my_checks(world.user("post_a"), now=now)
    assert len(mine.due) == 2  # 04:00–06:00 and the daily one
    assert len(mine.overdue) == 1  # 02:00–04:00, inside the hour's grace
    assert sel.my_checks(world.user("ent_b"), now=now).due == []
    inspections.occurrences_mark_missed(now=now)
    rate = sel.on_time_rate(world.user("ent_a"), now=now)
    assert (rate.on_time, rate.counted, rate.percent) == (0, 2, 0)
    assert sel.on_time_rate(world.user("ent_b"), now=now).counted == 0


def test_jobs_generate_then_mark_missed_on_schedule(setup: Any) -> None:
    world, *_ = setup
    names = {s.name: (s.cron, s.job_kind) for s in schedules()}
    assert names["hazards.inspection_generate"] == ("5 0 * * *", "hazards.inspection_generate")
    assert names["hazards.inspection_missed"] == ("10 * * * *", "hazards.inspection_missed")
    yesterday = today() - dt.timedelta(days=2)  # the tasks start earlier: every window is long over
    assert inspections.tasks_sync_from_measures() == (2, 0)
    InspectionTask.objects.update(start_date=yesterday)
    job = jobs.enqueue(
        "hazards.inspection_generate",
        title="生成当日排查任务",
        actor=world.user("county_admin"),
        args={"day": yesterday.isoformat()},
    )
    assert runner.execute(str(job.uuid)) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.result["created"], job.result["date"]) == (13, yesterday.isoformat())
    job = jobs.enqueue(
        "hazards.inspection_missed", title="标记漏检", actor=world.user("county_admin"), args={}
    )
    assert runner.execute(str(job.uuid)) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.result["missed"] == 13  # every window of that day is over, grace included
    assert set(TaskOccurrence.objects.values_list("status", flat=True)) == {OccurrenceStatus.MISSED}


def test_generated_rows_are_stored_as_given_and_a_duplicate_fails_whole(setup: Any) -> None:
    """The generation's bulk writer (`core.insert.copy_rows`: COPY on PostgreSQL, INSERT elsewhere)."""
    from safegrid.core.insert import copy_rows
    from safegrid.hazards.models_stats import InspectionMonthStat
    from safegrid.hazards.rollups import occurrences_counted

    world, point, hourly, daily = setup
    inspections.tasks_sync_from_measures()
    task = InspectionTask.objects.get(measure=daily)
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
    rows = [
        (task.pk, world.ent_a.pk, start, start + dt.timedelta(days=1), OccurrenceStatus.DUE),
        (task.pk, world.ent_a.pk, start + dt.timedelta(days=1), start + dt.timedelta(days=2), "suspended"),
    ]
    assert copy_rows(TaskOccurrence, inspections.OCCURRENCE_FIELDS, rows) == 2
    stored = list(TaskOccurrence.objects.filter(task=task).order_by("window_start"))
    assert [(o.window_start, o.window_end, o.status) for o in stored] == [(r[2], r[3], r[4]) for r in rows]
    assert all(o.enterprise_id == world.ent_a.pk and o.done_at is None for o in stored)
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_rows(TaskOccurrence, inspections.OCCURRENCE_FIELDS, [rows[0]])
    assert TaskOccurrence.objects.filter(task=task).count() == 2
    occurrences_counted((ent, ws, status) for _t, ent, ws, _e, status in rows)
    month = InspectionMonthStat.objects.get(
        enterprise=world.ent_a, month=timezone.localdate(start).replace(day=1)
    )
    assert month.pending >= 1 and month.suspended >= 1
