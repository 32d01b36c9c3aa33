"""A monthly/yearly task's anchor day: the service (who, what is refused), generation and the task page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from safegrid.core.models import AuditEntry
from safegrid.hazards import inspections
from safegrid.hazards.models import InspectionTask, TaskOccurrence
from safegrid.risks.tests.factories import make_measure, make_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(world: Any) -> Any:
    point = make_point(world)
    make_measure(world, point, check_content="消防器材月检", check_cycle=1, check_cycle_unit="月")
    make_measure(world, point, check_content="防雷检测", check_cycle=1, check_cycle_unit="年")
    make_measure(world, point, check_content="日常巡检", check_cycle=1, check_cycle_unit="天")
    inspections.tasks_sync_from_measures()
    by_unit = {t.cycle_unit: t for t in InspectionTask.objects.all()}
    InspectionTask.objects.update(start_date=dt.date(2027, 1, 10))
    for t in by_unit.values():
        t.refresh_from_db()
    return world, by_unit


def generated_between(task: InspectionTask, first: dt.date, last: dt.date) -> list[dt.date]:
    day = first
    while day <= last:
        inspections.occurrences_generate(day=day)
        day += dt.timedelta(days=1)
    return [
        o.window_start.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
        for o in TaskOccurrence.objects.filter(task=task).order_by("window_start")
    ]


def test_monthly_task_on_the_31st_runs_on_the_last_day_of_february(tasks: Any) -> None:
    world, by_unit = tasks
    monthly = inspections.task_anchor_set(
        actor=world.user("ent_a"), task=by_unit["月"], anchor_day=31, anchor_month=None
    )
    assert monthly.anchor_day == 31
    assert AuditEntry.objects.filter(object_type="hazards.inspectiontask", action="update").exists()
    InspectionTask.objects.exclude(pk=monthly.pk).update(active=False)
    assert generated_between(monthly, dt.date(2027, 1, 25), dt.date(2027, 3, 31)) == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
    ]


def test_anchor_refusals(tasks: Any) -> None:
    world, by_unit = tasks
    manager = world.user("ent_a")
    with pytest.raises(ValidationError) as exc:
        inspections.task_anchor_set(actor=manager, task=by_unit["天"], anchor_day=5, anchor_month=None)
    assert "anchor_day" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        inspections.task_anchor_set(actor=manager, task=by_unit["年"], anchor_day=30, anchor_month=2)
    assert "anchor_day" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        inspections.task_anchor_set(actor=manager, task=by_unit["月"], anchor_day=5, anchor_month=3)
    assert "anchor_month" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        inspections.task_anchor_set(
            actor=world.user("post_a"), task=by_unit["月"], anchor_day=5, anchor_month=None
        )
    yearly = inspections.task_anchor_set(actor=manager, task=by_unit["年"], anchor_day=29, anchor_month=2)
    assert (yearly.anchor_month, yearly.anchor_day) == (2, 29)
    assert InspectionTask.objects.get(pk=by_unit["月"].pk).anchor_day is None  # refused ones unchanged


def test_task_page(tasks: Any, login: Any) -> None:
    world, by_unit = tasks
    yearly = by_unit["年"]
    url = reverse("hazards:task", args=[yearly.pk])
    worker = login(world.user("post_a"))
    page = worker.get(url)
    assert page.status_code == 200 and "每年 1 月 10 日" in page.content.decode()
    assert 'name="anchor_day"' not in page.content.decode()
    assert worker.post(url, {"anchor_day": "5"}).status_code == 403
    manager = login(world.user("ent_a"))
    assert 'name="anchor_month"' in manager.get(url).content.decode()
    refused = manager.post(url, {"anchor_month": "4", "anchor_day": "31"})
    assert refused.status_code == 422
    assert manager.post(url, {"anchor_month": "2", "anchor_day": "29"}).status_code == 302
    assert "每年 2 月 29 日" in manager.get(url).content.decode()
    assert login(world.user("ent_b")).get(url).status_code == 404
