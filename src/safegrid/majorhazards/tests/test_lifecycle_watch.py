"""The daily lifecycle watch sends each reminder once, on a controllable clock (`today`)."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.jobs.registry import job_function, schedules
from safegrid.majorhazards.models import LifecycleNotice
from safegrid.majorhazards.services import lifecycle
from safegrid.notifications.models import Notification

from .lifecycle_fixtures import accepted, draft, unit_a

pytestmark = pytest.mark.django_db
D = dt.date


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def _reminders(user):
    return Notification.objects.filter(recipient=user, kind="majorhazards.reassessment_due").count()


def test_reassessment_reminders_90_30_0_each_once(world, settings):
    unit = unit_a(world)
    # Assessed 2023-06-30 → re-assessment due 2026-06-30; drills done so only re-assessment reminds.
    accepted(world, unit, D(2023, 6, 30))
    for kind in ("specialist", "onsite"):
        lifecycle.drill_record(
            actor=world.user("ent_a"), enterprise=world.ent_a, unit=unit,
            data={"plan_kind": kind, "held_on": D(2026, 1, 5), "participants": 9, "summary": "演练"},
        )  # fmt: skip
    manager = world.user("ent_a")
    before = _reminders(manager)
    days = {
        D(2026, 3, 31): 0,  # 91 days before: nothing
        D(2026, 4, 1): 1,  # 90 days before
        D(2026, 4, 2): 0,  # again the next day: nothing new
        D(2026, 5, 31): 1,  # 30 days before
        D(2026, 6, 20): 0,
        D(2026, 6, 30): 1,  # due day
        D(2026, 7, 15): 0,  # overdue: already told on the due day
    }
    for day, expected in days.items():
        result = lifecycle.lifecycle_watch(today=day)
        again = lifecycle.lifecycle_watch(today=day)  # a second run the same day sends nothing
        assert sum(again.sent.values()) == 0
        assert result.sent["reassessment"] == expected, day
    assert _reminders(manager) - before == 3
    assert sorted(LifecycleNotice.objects.filter(kind="reassessment").values_list("number", flat=True)) == [
        0,
        30,
        90,
    ]


def test_a_missed_run_sends_the_nearest_reminder_once(world):
    unit = unit_a(world)
    accepted(world, unit, D(2023, 6, 30))
    result = lifecycle.lifecycle_watch(today=D(2026, 7, 10))  # first run ever, already overdue
    assert result.sent["reassessment"] == 1
    assert LifecycleNotice.objects.get(kind="reassessment").number == 0
    assert lifecycle.lifecycle_watch(today=D(2026, 7, 11)).sent["reassessment"] == 0


def test_overdue_drills_tests_and_late_filings_are_told_once(world):
    unit = unit_a(world)
    accepted(world, unit, D(2025, 1, 10))
    lifecycle.facility_test_record(
        actor=world.user("ent_a"), unit=unit,
        data={"facility": "安全阀", "tested_on": D(2025, 1, 20), "result": "pass", "cycle_months": 12},
    )  # fmt: skip
    late = unit_a(world, code="A-MH-LATE", name="甲甲醇罐区")
    draft(world, late, assessed_on=D(2025, 12, 1))
    day = D(2026, 2, 1)
    first = lifecycle.lifecycle_watch(today=day)
    assert first.sent == {"drill": 2, "test": 1, "filing_late": 1}
    assert sum(lifecycle.lifecycle_watch(today=day + dt.timedelta(days=1)).sent.values()) == 0
    kinds = _kinds(world.user("ent_a"))
    assert kinds.count("majorhazards.drill_overdue") == 2 and kinds.count("majorhazards.test_overdue") == 1
    # A new test moves the due date: its next overdue is a new reminder, the old one is not sent again.
    lifecycle.facility_test_record(
        actor=world.user("ent_a"), unit=unit,
        data={"facility": "安全阀", "tested_on": D(2026, 1, 25), "result": "pass", "cycle_months": 1},
    )  # fmt: skip
    assert lifecycle.lifecycle_watch(today=D(2026, 3, 1)).sent["test"] == 1


def test_the_job_and_its_daily_schedule(world):
    assert any(s.job_kind == "majorhazards.lifecycle_watch" for s in schedules())
    assert job_function("majorhazards.lifecycle_watch") is not None
