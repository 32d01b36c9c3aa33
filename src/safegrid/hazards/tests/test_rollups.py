"""The statistics rollups: kept current by the services, equal to a rebuild after any sequence of moves."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from safegrid.core.testing import SYSTEM
from safegrid.enterprises.models import Person
from safegrid.hazards import inspections, rollups, services
from safegrid.hazards.choices import CheckResult, HazardStatus, OccurrenceStatus
from safegrid.hazards.inspections import CheckIn
from safegrid.hazards.models import HazardDeadlineStat, HazardMonthStat, InspectionMonthStat, TaskOccurrence
from safegrid.risks.tests.factories import make_measure, make_point

from .factories import REPORT, photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


class Clock:
    """A controllable `timezone.now` (services, audit and `localdate` all read it)."""

    def __init__(self, monkeypatch: Any, start: dt.datetime) -> None:
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)

    def today(self) -> dt.date:
        return timezone.localdate(self.now)


def _report(world: Any, enterprise: Any, n: int, criteria: bool = False) -> Any:
    data = {**REPORT, "title": f"隐患 {n}"}
    if criteria:
        data["level"] = "major"
    return services.hazard_report(actor=world.user("county_admin"), enterprise=enterprise, data=data)


def _move(world: Any, hazard: Any, rng: random.Random, today: dt.date) -> None:
    """One random move the hazard's state allows, made by the system actor (the roles are tested elsewhere)."""
    hazard.refresh_from_db()
    status = hazard.status
    if status == HazardStatus.REPORTED:
        if rng.random() < 0.2:
            services.hazard_reject(actor=SYSTEM, hazard=hazard, reason="duplicate", comment="重复")
        else:
            services.hazard_confirm(
                actor=SYSTEM, hazard=hazard, level=hazard.level, interim_measures="撤出人员，设置警戒"
            )
    elif status == HazardStatus.CONFIRMED:
        services.hazard_assign(
            actor=SYSTEM,
            hazard=hazard,
            responsible_person=Person.objects.filter(enterprise_id=hazard.enterprise_id, active=True).first(),
            measures="更换部件",
            funds=Decimal("100"),
            deadline=today + dt.timedelta(days=rng.randint(0, 6)),
            plan="应急预案",
            today=today,
        )
    elif status == HazardStatus.RECTIFYING:
        if rng.random() < 0.25:
            services.hazard_request_extension(
                actor=SYSTEM,
                hazard=hazard,
                new_deadline=max(hazard.deadline, today) + dt.timedelta(days=rng.randint(1, 5)),
                reason="备件未到",
                today=today,
            )
        else:
            services.hazard_submit(actor=SYSTEM, hazard=hazard, note="已整改", photos=[photo("after")])
    elif status == HazardStatus.EXTENSION_REQUESTED:
        services.hazard_decide_extension(
            actor=SYSTEM, hazard=hazard, approve=rng.random() < 0.6, comment="审批"
        )
    elif status == HazardStatus.AWAITING_ACCEPTANCE:
        if rng.random() < 0.25:
            services.hazard_send_back(actor=SYSTEM, hazard=hazard, comment="未整改到位")
        else:
            services.hazard_accept(actor=SYSTEM, hazard=hazard, comment="验收合格")
    elif status == HazardStatus.CLOSED and rng.random() < 0.3:
        services.hazard_reopen(actor=SYSTEM, hazard=hazard, comment="复查发现仍存在")


def _inspection_day(world: Any, clock: Clock, rng: random.Random) -> None:
    """Generate the day's occurrences, check some (on time or late), let the rest be missed."""
    inspections.occurrences_generate(day=clock.today())
    due = list(TaskOccurrence.objects.filter(status=OccurrenceStatus.DUE).order_by("id"))
    for occ in due:
        if rng.random() < 0.5 or not occ.window_start <= clock.now < occ.window_end:
            continue
        items = dict.fromkeys(occ.task.check_items, True)
        inspections.check_record(
            actor=world.user("post_a"), occurrence=occ, check=CheckIn(items, CheckResult.NO_FINDING)
        )
    inspections.occurrences_mark_missed(now=clock.now)


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_incremental_rollups_equal_a_rebuild_after_random_moves(
    world: Any, monkeypatch: Any, seed: int
) -> None:
    rng = random.Random(seed)
    midday = dt.datetime.combine(timezone.localdate() - dt.timedelta(days=100), dt.time(12))
    clock = Clock(monkeypatch, timezone.make_aware(midday))
    point = make_point(world)
    make_measure(world, point, check_content="液位正常", check_cycle=1, check_cycle_unit="天")
    make_measure(world, point, check_content="呼吸阀畅通", check_cycle=8, check_cycle_unit="小时")
    hazards: list[Any] = []
    for step in range(70):
        clock.advance(hours=rng.randint(2, 40))
        roll = rng.random()
        if roll < 0.25 or not hazards:
            enterprise = world.ent_a if rng.random() < 0.6 else world.ent_b
            hazards.append(_report(world, enterprise, step, criteria=rng.random() < 0.2))
        elif roll < 0.35:
            _inspection_day(world, clock, rng)
        elif roll < 0.38:
            inspections.shutdown_record(
                actor=SYSTEM,
                enterprise=world.ent_a,
                start=clock.now,
                end=clock.now + dt.timedelta(hours=rng.randint(1, 30)),
                reason="检修",
            )
        else:
            _move(world, rng.choice(hazards), rng, clock.today())
    stored = rollups.stored()
    assert stored["hazardmonthstat"], "the sequence reported hazards"
    assert stored == rollups.computed()
    assert rollups.check() == 0
    rollups.rebuild()
    assert rollups.stored() == stored


def test_each_move_updates_the_counters_in_its_transaction(world: Any) -> None:
    hazard = _report(world, world.ent_a, 1)
    month = timezone.localdate().replace(day=1)
    row = HazardMonthStat.objects.get(enterprise=world.ent_a, month=month, level="general")
    assert (row.reported, row.confirmed, row.open_reported) == (1, 0, 1)
    services.hazard_confirm(actor=SYSTEM, hazard=hazard, level="general")
    services.hazard_assign(
        actor=SYSTEM,
        hazard=hazard,
        responsible_person=Person.objects.get(pk=world.person_a.pk),
        measures="m",
        funds=Decimal(0),
        deadline=timezone.localdate(),
        plan="p",
    )
    row.refresh_from_db()
    assert (row.confirmed, row.open_reported, row.open_rectifying, row.open_with_deadline) == (1, 0, 1, 1)
    assert HazardDeadlineStat.objects.get(enterprise=world.ent_a, deadline=timezone.localdate()).open == 1
    services.hazard_submit(actor=SYSTEM, hazard=hazard, note="done", photos=[photo("after")])
    services.hazard_accept(actor=SYSTEM, hazard=hazard)
    row.refresh_from_db()
    assert (row.closed, row.closed_on_time, row.closed_late, row.open_awaiting, row.open_with_deadline) == (
        1,
        1,
        0,
        0,
        0,
    )
    assert HazardDeadlineStat.objects.get(enterprise=world.ent_a).open == 0


def test_a_refused_move_leaves_the_counters_alone(world: Any) -> None:
    hazard = _report(world, world.ent_a, 1)
    before = rollups.stored()
    with pytest.raises(Exception):  # noqa: B017,PT011 - the assign without the five in place is refused
        services.hazard_assign(
            actor=SYSTEM,
            hazard=hazard,
            responsible_person=None,
            measures="",
            funds=None,
            deadline=None,
            plan="",
        )
    assert rollups.stored() == before


def test_inspection_counters_follow_generation_checks_and_missed(world: Any) -> None:
    point = make_point(world)
    make_measure(world, point, check_content="液位正常", check_cycle=1, check_cycle_unit="天")
    inspections.occurrences_generate(day=timezone.localdate())
    row = InspectionMonthStat.objects.get(enterprise=world.ent_a)
    assert (row.pending, row.on_time, row.missed) == (1, 0, 0)
    occ = TaskOccurrence.objects.get()
    inspections.check_record(
        actor=world.user("post_a"), occurrence=occ, check=CheckIn({"液位正常": True}, CheckResult.NO_FINDING)
    )
    row.refresh_from_db()
    assert (row.pending, row.on_time) == (0, 1)


def test_rebuild_command_repairs_and_check_reports(world: Any, capsys: Any) -> None:
    _report(world, world.ent_a, 1)
    HazardMonthStat.objects.update(reported=5)  # as after a load that bypassed the services
    with pytest.raises(Exception, match="不一致"):
        call_command("rebuild_hazard_stats", "--check")
    call_command("rebuild_hazard_stats")
    assert HazardMonthStat.objects.get().reported == 1
    call_command("rebuild_hazard_stats", "--check")
    assert "一致" in capsys.readouterr().out
