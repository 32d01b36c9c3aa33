"""The demo county's year of inspection work and hazards: consistent with what the services write, in
every state, with the statistics a year long."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from safegrid.core import audit
from safegrid.core.models import User
from safegrid.demo import builders, inspections
from safegrid.hazards import config, rollups
from safegrid.hazards.choices import HazardStatus, OccurrenceStatus
from safegrid.hazards.models import (
    ChecklistTemplate,
    Checkpoint,
    CheckRecord,
    HazardMonthStat,
    HazardTransition,
    HiddenHazard,
    InspectionMonthStat,
    InspectionTask,
    ListedSupervision,
    ShutdownRecord,
    TaskOccurrence,
)
from safegrid.hazards.rules import trust

from .conftest import build_once

pytestmark = pytest.mark.django_db

SMALL = 80


@pytest.fixture(scope="module")
def county(module_db: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[builders.DemoSummary]:
    yield from build_once(django_db_blocker, tmp_path_factory, enterprises=SMALL, seed=11)


def test_a_year_of_inspections_consistent_with_the_services(county: builders.DemoSummary) -> None:
    now = timezone.now()
    today = timezone.localdate()
    grace = config.inspection_grace()
    pilots = set(CheckRecord.objects.values_list("enterprise_id", flat=True))
    assert len(pilots) >= 2
    ent_a = User.objects.get(username="ent_a").role_assignments.get().enterprise_id
    assert ent_a in pilots
    # Tasks come from the register's measures (one each); the pilot's started up to a year ago. (The major
    # hazard sources' responsible persons have their own periodic checks, with a work type and no measure.)
    tasks = InspectionTask.objects.filter(one_off=False, work_type__isnull=True)
    assert not tasks.filter(measure__isnull=True).exists()
    assert tasks.filter(start_date__lte=today - dt.timedelta(days=364)).exists()
    assert tasks.exclude(enterprise_id__in=pilots).filter(start_date__lt=today).count() == 0
    first = TaskOccurrence.objects.order_by("window_start").first()
    assert first is not None and timezone.localdate(first.window_start) >= today - dt.timedelta(days=366)

    # Occurrences and records agree the way check_record leaves them.
    done = TaskOccurrence.objects.filter(status=OccurrenceStatus.DONE)
    assert done.count() == CheckRecord.objects.count()
    assert not CheckRecord.objects.exclude(occurrence__status=OccurrenceStatus.DONE).exists()
    assert not CheckRecord.objects.exclude(server_time=F("occurrence__done_at")).exists()
    assert not CheckRecord.objects.exclude(checked_by=F("occurrence__done_by")).exists()
    assert not CheckRecord.objects.exclude(task=F("occurrence__task")).exists()
    assert not done.filter(done_at__gte=F("window_end") + grace).exists()  # late only within the grace
    assert not done.filter(done_at__lt=F("window_start")).exists()
    assert not TaskOccurrence.objects.filter(
        status=OccurrenceStatus.MISSED, window_end__gt=now - grace
    ).exists()
    assert not TaskOccurrence.objects.filter(
        status=OccurrenceStatus.DUE, window_end__lte=now - grace
    ).exists()
    statuses = set(TaskOccurrence.objects.values_list("status", flat=True))
    assert statuses == {"done", "missed", "due", "suspended"}
    shutdown = ShutdownRecord.objects.get()
    suspended = TaskOccurrence.objects.filter(status=OccurrenceStatus.SUSPENDED)
    assert not suspended.exclude(enterprise_id=shutdown.enterprise_id).exists()
    assert not suspended.filter(
        Q(window_end__lte=shutdown.start) | Q(window_start__gte=shutdown.end)
    ).exists()
    # Checkers may check: the task's post holder or the enterprise's safety manager.
    for record in CheckRecord.objects.select_related("checked_by").order_by("?")[:40]:
        roles = record.checked_by.role_assignments.values_list("role", "enterprise_id", "org_unit_id")
        assert any(ent == record.enterprise_id for _r, ent, _o in roles)

    # On-time rate: most pilot enterprises 85–98 %, the county overall plausible, some missed.
    rates = {}
    for ent, on_time, late, missed in (
        TaskOccurrence.objects.values("enterprise_id")
        .annotate(
            on=Count("id", filter=Q(status="done", done_at__lt=F("window_end"))),
            late=Count("id", filter=Q(status="done", done_at__gte=F("window_end"))),
            missed=Count("id", filter=Q(status="missed")),
        )
        .values_list("enterprise_id", "on", "late", "missed")
    ):
        if on_time + late + missed > 200:
            rates[ent] = on_time / (on_time + late + missed)
    assert rates and all(0.4 <= r <= 0.995 for r in rates.values()), rates
    assert 0.6 <= sorted(rates.values())[len(rates) // 2] <= 0.99
    assert TaskOccurrence.objects.filter(status="missed").count() > 0

    # Presence and trust flags, as the service's rules set them.
    limits = config.trust_limits()
    scanned = CheckRecord.objects.filter(presence="scanned")
    assert scanned.exists() and not scanned.filter(checkpoint__isnull=True).exists()
    assert not scanned.filter(scanned_at__gt=F("server_time")).exists()
    assert Checkpoint.objects.filter(enterprise__sectors__code="hazardous_chemicals").exists()
    far = CheckRecord.objects.filter(flag_far=True)
    assert 1 <= far.count() <= 20
    for record in CheckRecord.objects.exclude(distance_m=None).only("distance_m", "accuracy", "flag_far"):
        assert record.flag_far == trust.is_far(record.distance_m, record.accuracy, limits)
    seen = CheckRecord.objects.filter(flag_photo_seen=True)
    assert 1 <= seen.count() <= 10
    for record in seen:
        earlier = record.flag_detail[trust.PHOTO_SEEN]["records"]
        assert CheckRecord.objects.filter(pk__in=earlier, photo_sha256=record.photo_sha256).count() == len(
            earlier
        )
    batch = list(CheckRecord.objects.filter(flag_batch=True).order_by("server_time"))
    assert 3 <= len(batch) <= 12
    burst = [r for r in batch if r.checked_by_id == batch[0].checked_by_id]
    assert burst[-1].server_time - burst[0].server_time <= dt.timedelta(minutes=limits.batch_minutes)
    assert len(burst) >= limits.batch_min_checks

    # Enterprise-own checklists with an inspection planned from each and checked.
    own = ChecklistTemplate.objects.filter(enterprise__isnull=False)
    assert own.count() >= 2
    assert CheckRecord.objects.filter(task__checklist__in=own).count() == own.count()


def test_hazards_in_every_state_linked_to_their_checks(county: builders.DemoSummary) -> None:
    statuses = Counter(HiddenHazard.objects.values_list("status", flat=True))
    assert set(statuses) == set(HazardStatus.values)
    assert statuses["closed"] > sum(statuses.values()) / 2  # most closed
    closed = HiddenHazard.objects.filter(status="closed", handling="by_deadline")
    on_time = closed.filter(closed_at__date__lte=F("deadline")).count()
    assert on_time > closed.count() * 0.7 and on_time < closed.count()  # most on time, some late
    assert HiddenHazard.objects.filter(handling="on_the_spot").exists()
    # Findings of checks: the record says so and the links are the task's.
    found = HiddenHazard.objects.filter(check_record__isnull=False).select_related("check_record__task")
    assert found.count() >= 8
    for hazard in found:
        record = hazard.check_record
        assert record is not None and record.result == "finding"
        assert any(not i["ok"] for i in record.items)
        assert hazard.inspection_task_id == record.task_id
        assert hazard.control_measure_id == record.task.measure_id
        assert hazard.risk_point_id == record.task.risk_point_id
        assert hazard.reported_at >= record.server_time and hazard.origin == "enterprise"
        assert hazard.photos.filter(sha256=record.photo_sha256).exists()
    assert {"grid", "regulator", "enterprise"} <= set(HiddenHazard.objects.values_list("origin", flat=True))
    # Overdue now, escalated by the week's scans: one up to the county, the others part of the way.
    today = timezone.localdate()
    overdue = HiddenHazard.objects.filter(
        status__in=["rectifying", "extension", "awaiting"], deadline__lt=today
    )
    assert overdue.count() >= 4
    assert set(overdue.values_list("escalation_step", flat=True)) == {0, 1, 2, 3}
    assert HiddenHazard.objects.filter(escalation_step=3).count() == 1
    up = HiddenHazard.objects.get(escalation_step=3)
    assert up.level == "major" and hasattr(up, "supervision")
    assert HazardTransition.objects.filter(hazard=up, action="escalate").count() == 4
    listed = ListedSupervision.objects.all()
    assert listed.count() >= 3 and listed.filter(signed_off_at__isnull=False).count() == 1
    # Every major hazard past confirmation has its six-part plan and its report, signed for by a regulator.
    for hazard in HiddenHazard.objects.filter(level="major").exclude(status__in=["reported", "rejected"]):
        assert hazard.treatment_plans.exists() and hazard.major_report.acknowledged_at is not None
    # Dated over the year: reported in most months.
    months = {
        timezone.localdate(h).replace(day=1)
        for h in HiddenHazard.objects.values_list("reported_at", flat=True)
    }
    assert len(months) >= 6
    assert audit.verify().ok


def test_rollups_hold_a_year_and_agree_with_a_rebuild(county: builders.DemoSummary) -> None:
    assert rollups.check() == 0
    months = set(InspectionMonthStat.objects.values_list("month", flat=True))
    assert len(months) >= 12
    assert len(set(HazardMonthStat.objects.values_list("month", flat=True))) >= 6
    sums = InspectionMonthStat.objects.values("month").annotate(on=Count("id"))
    assert sums.count() == len(months)


def test_demo_accounts_of_the_checkers_are_story_accounts(county: builders.DemoSummary) -> None:
    checkers = User.objects.filter(pk__in=CheckRecord.objects.values("checked_by")).values_list(
        "username", flat=True
    )
    fixed = set(builders.demo_usernames())
    from safegrid.demo import filings

    assert all(name in fixed or filings.is_story_username(name) for name in checkers)
    # post_a checks the tasks of its own post (it holds the post's login).
    post_a = User.objects.get(username="post_a")
    post = post_a.role_assignments.get().org_unit_id
    assert CheckRecord.objects.filter(task__responsible_post_id=post).exclude(checked_by=post_a).count() == 0
    assert inspections.MAX_HISTORY >= 1
