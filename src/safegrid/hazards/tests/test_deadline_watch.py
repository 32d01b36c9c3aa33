"""The daily deadline scan with a controlled clock (the county day is passed in, as the job's `today`):
reminders before the deadline, one escalation step per day up the chain, nothing twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from safegrid import jobs
from safegrid.core.choices import Role
from safegrid.core.models import AuditEntry
from safegrid.core.testing import make_user
from safegrid.enterprises.models import Person
from safegrid.hazards import services
from safegrid.hazards.choices import HazardLevel
from safegrid.hazards.models import HazardNotice, HazardTransition, HiddenHazard
from safegrid.hazards.rules import escalation
from safegrid.hazards.testing import prepare_major
from safegrid.jobs import runner
from safegrid.jobs.choices import JobStatus
from safegrid.jobs.registry import schedules
from safegrid.notifications.models import Notification

from .factories import reported

pytestmark = pytest.mark.django_db

START = dt.date(2025, 3, 3)
DEADLINE = START + dt.timedelta(days=10)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _rectifying(world, deadline: dt.date = DEADLINE, **data) -> HiddenHazard:
    hazard = reported(world, **data)
    hazard = services.hazard_confirm(
        actor=world.user("ent_a"), hazard=hazard, level=hazard.level, interim_measures="设置警戒，停用储罐"
    )
    if hazard.level == "major":
        hazard = prepare_major(world.user("ent_a"), hazard)
    return services.hazard_assign(
        actor=world.user("ent_a"),
        hazard=hazard,
        responsible_person=Person.objects.get(pk=world.person_a.pk),
        measures="恢复静电接地并检测",
        funds=Decimal("800"),
        deadline=deadline,
        plan="罐区泄漏应急预案",
        today=START,
    )


def _scan(world, day: dt.date) -> dict:
    job = jobs.enqueue(
        "hazards.deadline_scan",
        title="隐患整改期限检查",
        actor=world.user("county_admin"),
        args={"today": day.isoformat()},
    )
    assert runner.execute(str(job.uuid)) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    return job.result


def _told(user, kind: str) -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


def _principal(world):
    return make_user("legal_a", {"role": Role.LEGAL_REP, "enterprise": world.ent_a})


def test_scheduled_daily_in_the_morning():
    entry = next(s for s in schedules() if s.name == "hazards.deadline_scan")
    assert (entry.cron, entry.job_kind) == ("30 6 * * *", "hazards.deadline_scan")


def test_reminders_three_and_one_day_before_each_once(world) -> None:
    hazard = _rectifying(world)
    ent_a = world.user("ent_a")
    sent = []
    for offset in (5, 4, 3, 3, 2, 1, 1, 0):
        result = _scan(world, DEADLINE - dt.timedelta(days=offset))
        sent.append(result["reminders"])
    assert sent == [
        {"1": 0, "3": 0},
        {"1": 0, "3": 0},
        {"1": 0, "3": 1},  # three days before
        {"1": 0, "3": 0},  # the same day again: nothing
        {"1": 0, "3": 0},
        {"1": 1, "3": 0},  # the day before
        {"1": 0, "3": 0},
        {"1": 0, "3": 0},  # the deadline day itself: no third reminder
    ]
    texts = list(
        Notification.objects.filter(recipient=ent_a, kind="hazards.deadline_reminder")
        .order_by("id")
        .values_list("text", flat=True)
    )
    assert len(texts) == 2 and "还有 3 天到期" in texts[0] and "还有 1 天到期" in texts[1]
    notices = HazardNotice.objects.filter(hazard=hazard, kind="reminder").order_by("number")
    assert [(n.number, n.recipients) for n in notices] == [(1, 1), (3, 1)]
    assert AuditEntry.objects.filter(object_type="hazards.hazardnotice", comment="整改期限提醒").count() == 2


def test_a_deadline_set_inside_the_window_gets_the_nearest_reminder(world) -> None:
    _rectifying(world, deadline=START + dt.timedelta(days=2))
    assert _scan(world, START)["reminders"] == {"1": 0, "3": 1}
    assert _scan(world, START + dt.timedelta(days=1))["reminders"] == {"1": 1, "3": 0}


def test_overdue_escalates_one_step_a_day_up_the_chain(world) -> None:
    principal = _principal(world)
    hazard = _rectifying(world)
    chain = [world.user("ent_a"), principal, world.user("town_a"), world.user("dept_chem")]
    bystanders = [world.user(n) for n in ("town_b", "ent_b", "grid_a", "outsider")]
    for step, who in enumerate(chain):
        day = DEADLINE + dt.timedelta(days=step + 1)
        assert _scan(world, day)["escalations"] == {str(step): 1}
        assert _scan(world, day)["escalations"] == {}  # the same day again: no duplicate
        hazard.refresh_from_db()
        assert hazard.escalation_step == step
        assert _told(who, "hazards.overdue") == 1, (step, who)
        for earlier in chain[:step]:
            assert _told(earlier, "hazards.overdue") == 1  # told once, when it was their turn
    assert _scan(world, DEADLINE + dt.timedelta(days=9))["escalations"] == {}  # top of the chain
    assert all(_told(u, "hazards.overdue") == 0 for u in bystanders)
    log = HazardTransition.objects.filter(hazard=hazard, action="escalate").order_by("id")
    assert [row.evidence["step"] for row in log] == [0, 1, 2, 3]
    assert [row.actor_label for row in log] == ["county_admin"] * 4  # the job's actor
    assert log.last().comment == "逾期 4 天，升级至县行业主管部门"
    audited = AuditEntry.objects.filter(object_type="hazards.hiddenhazard", object_id=str(hazard.pk))
    assert audited.filter(comment__startswith="逾期升级").count() == 4
    notification = Notification.objects.get(recipient=world.user("dept_chem"), kind="hazards.overdue")
    assert "已逾期 4 天" in notification.text and notification.url == f"/hazards/{hazard.pk}/"


def test_after_missed_days_it_still_climbs_one_step_per_day(world) -> None:
    _principal(world)
    hazard = _rectifying(world)
    late = DEADLINE + dt.timedelta(days=20)
    assert _scan(world, late)["escalations"] == {"0": 1}
    assert _scan(world, late)["escalations"] == {}
    assert _scan(world, late + dt.timedelta(days=1))["escalations"] == {"1": 1}
    hazard.refresh_from_db()
    assert hazard.escalation_step == escalation.PRINCIPAL


def test_closed_and_extended_hazards(world) -> None:
    hazard = _rectifying(world, level=HazardLevel.GENERAL)
    assert _scan(world, DEADLINE + dt.timedelta(days=1))["escalations"] == {"0": 1}
    hazard = services.hazard_request_extension(
        actor=world.user("ent_a"),
        hazard=hazard,
        new_deadline=DEADLINE + dt.timedelta(days=10),
        reason="备件到货延迟",
        today=DEADLINE + dt.timedelta(days=1),
    )
    hazard = services.hazard_decide_extension(actor=world.user("town_a"), hazard=hazard, approve=True)
    assert hazard.escalation_step == -1 and hazard.deadline == DEADLINE + dt.timedelta(days=10)
    # A new deadline: its own reminders, then escalation from the first step again.
    assert _scan(world, DEADLINE + dt.timedelta(days=7))["reminders"] == {"1": 0, "3": 1}
    assert _scan(world, DEADLINE + dt.timedelta(days=11))["escalations"] == {"0": 1}
    HiddenHazard.objects.filter(pk=hazard.pk).update(status="closed")
    assert _scan(world, DEADLINE + dt.timedelta(days=12)) | {"summary": ""} == {
        "date": (DEADLINE + dt.timedelta(days=12)).isoformat(),
        "overdue": 0,
        "reminders": {"1": 0, "3": 0},
        "escalations": {},
        "summary": "",
        "url": "/hazards/overdue/",
        "url_label": "查看逾期隐患",
    }


def test_town_step_tells_only_the_enterprise_s_town(world) -> None:
    from safegrid.hazards.deadline_watch import step_recipients

    hazard = _rectifying(world)
    village_officer = make_user("village_a", {"role": Role.TOWN_OFFICER, "division": world.ent_a.division})
    names = {u.username for u in step_recipients(hazard, escalation.TOWN)}
    assert names == {"town_a", village_officer.username}
    assert {u.username for u in step_recipients(hazard, escalation.COUNTY_DEPARTMENT)} == {"dept_chem"}
