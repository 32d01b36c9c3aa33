"""Special-work and commitment services: refusals whole, workflow moves, audit, the daily watch."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.core.workflow import TransitionNotAllowed
from safegrid.majorhazards.models import CommitmentNotice, SafetyCommitment, SpecialWork, WorkPause
from safegrid.majorhazards.services import work as services
from safegrid.notifications.models import Notification

from .work_helpers import analyse, file_work, filing_data, major_unit, principal

pytestmark = pytest.mark.django_db


def test_file_is_logged_and_audited(world):
    work = file_work(world)
    assert work.status == "filed"
    assert work.transitions.get().action == "file"
    assert AuditEntry.objects.filter(object_type__icontains="specialwork", object_id=str(work.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_hours": 8, "end_minutes": 1}, "end"),
        ({"end_hours": -1}, "end"),
        ({"grade": "3"}, "grade"),
        ({"work_type": "confined", "grade": "1"}, "grade"),
        ({"work_type": "welding"}, "work_type"),
        ({"latitude": 38.5}, "latitude"),
        ({"longitude": None}, "longitude"),
    ],
)
def test_file_refused_whole(world, changes, field):
    hours = changes.pop("end_hours", None)
    minutes = changes.pop("end_minutes", 0)
    data = filing_data(**changes)
    if hours is not None:
        data["end"] = data["start"] + dt.timedelta(hours=hours, minutes=minutes)
    with pytest.raises(ValidationError) as exc:
        services.special_work_file(actor=world.user("ent_a"), enterprise=world.ent_a, data=data)
    assert field in exc.value.message_dict
    assert SpecialWork.objects.count() == 0


def test_file_exactly_eight_hours(world):
    data = filing_data()
    data["end"] = data["start"] + dt.timedelta(hours=8)
    assert services.special_work_file(actor=world.user("ent_a"), enterprise=world.ent_a, data=data).pk


def test_file_refused_for_other_enterprise_and_unit(world):
    with pytest.raises(PermissionDenied):
        services.special_work_file(actor=world.user("ent_b"), enterprise=world.ent_a, data=filing_data())
    unit_b = major_unit(world.ent_b, code="TK-B01")
    with pytest.raises(ValidationError) as exc:
        file_work(world, unit=unit_b)
    assert "unit" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.special_work_file(actor=world.user("post_a"), enterprise=world.ent_a, data=filing_data())


def test_start_needs_gas_analysis_for_hot_work(world):
    work = file_work(world)
    with pytest.raises(ValidationError) as exc:
        services.special_work_start(actor=world.user("ent_a"), work=work)
    assert "analyses" in exc.value.message_dict
    analyse(world, work, qualified=False)
    with pytest.raises(ValidationError):
        services.special_work_start(actor=world.user("ent_a"), work=work)
    analyse(world, work, minutes_ago=1)
    work = services.special_work_start(actor=world.user("ent_a"), work=work)
    assert work.status == "in_progress" and work.started_at is not None


def test_other_types_start_without_analysis(world):
    work = file_work(world, work_type="height", grade="2")
    assert services.special_work_start(actor=world.user("ent_a"), work=work).status == "in_progress"


def _started(world):
    work = file_work(world, work_type="confined", grade="")
    analyse(world, work)
    return services.special_work_start(actor=world.user("ent_a"), work=work)


def test_pause_and_resume_within_30_minutes(world):
    work = _started(world)
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now):
        work = services.special_work_pause(actor=world.user("ent_a"), work=work, reason="交接班")
    assert work.status == "paused"
    with mock.patch("django.utils.timezone.now", return_value=now + dt.timedelta(minutes=30)):
        work = services.special_work_resume(actor=world.user("ent_a"), work=work)
    assert work.status == "in_progress"
    pause = WorkPause.objects.get(work=work)
    assert pause.minutes == 30 and pause.reason == "交接班"


def test_resume_after_31_minutes_needs_new_analysis(world):
    work = _started(world)
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now):
        work = services.special_work_pause(actor=world.user("ent_a"), work=work)
    later = now + dt.timedelta(minutes=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        with pytest.raises(ValidationError) as exc:
            services.special_work_resume(actor=world.user("ent_a"), work=work)
        assert "31 分钟" in exc.value.message_dict["analyses"][0]
        work.refresh_from_db()
        assert work.status == "paused"
        assert WorkPause.objects.get(work=work).end is None  # nothing half-saved
        services.gas_analysis_record(
            actor=world.user("ent_a"),
            work=work,
            at=later - dt.timedelta(minutes=2),
            location="罐内",
            result="氧气 20.8%",
            qualified=True,
            analyst="王分析",
        )
        work = services.special_work_resume(actor=world.user("ent_a"), work=work)
    assert work.status == "in_progress"
    assert WorkPause.objects.get(work=work).minutes == 31


def test_complete_and_cancel(world):
    work = _started(world)
    work = services.special_work_complete(actor=world.user("ent_a"), work=work)
    assert work.status == "completed" and work.finished_at
    with pytest.raises(TransitionNotAllowed):
        services.special_work_cancel(actor=world.user("ent_a"), work=work, comment="x")
    with pytest.raises(ValidationError):
        services.gas_analysis_record(
            actor=world.user("ent_a"),
            work=work,
            at=timezone.now(),
            location="x",
            result="x",
            qualified=True,
            analyst="x",
        )
    other = file_work(world, permit_number="DH-2026-002")
    with pytest.raises(ValidationError) as exc:
        services.special_work_cancel(actor=world.user("ent_a"), work=other, comment="")
    assert "comment" in exc.value.message_dict
    assert (
        services.special_work_cancel(actor=world.user("ent_a"), work=other, comment="改期").status
        == "cancelled"
    )
    assert list(other.transitions.values_list("action", flat=True)) == ["file", "cancel"]


def test_moves_refused_to_other_enterprise(world):
    work = file_work(world, work_type="height", grade="1")
    with pytest.raises(PermissionDenied):
        services.special_work_start(actor=world.user("ent_b"), work=work)


# ---- the commitment -----------------------------------------------------------------------------------------


def _post(world, actor=None, **changes):
    today = timezone.localdate()
    data = {**services.commitment_prefill(world.ent_a, today), **changes}
    return services.commitment_post(
        actor=actor or principal(world), enterprise=world.ent_a, day=today, data=data
    )


def test_prefill_counts_from_filings_and_units(world):
    major_unit(world.ent_a)
    major_unit(world.ent_a, code="TK-A02")
    file_work(world)
    file_work(world, permit_number="DH-2", work_type="confined", grade="")
    cancelled = file_work(world, permit_number="DH-3")
    services.special_work_cancel(actor=world.user("ent_a"), work=cancelled, comment="取消")
    prefill = services.commitment_prefill(world.ent_a, timezone.localdate())
    assert prefill["units_total"] == 2 and prefill["units_running"] == 2
    assert (prefill["hot_one"], prefill["confined_space"], prefill["hot_two"]) == (1, 1, 0)


def test_post_commitment(world):
    major_unit(world.ent_a)
    file_work(world)
    c = _post(world)
    assert c.hot_one == 1 and c.differences == [] and c.filed_counts["hot_one"] == 1
    assert AuditEntry.objects.filter(object_id=str(c.pk), action="create").exists()
    with pytest.raises(ValidationError) as exc:
        _post(world, actor=principal(world, "lr_a2"))
    assert "day" in exc.value.message_dict


def test_differing_counts_need_explanation_naming_fields(world):
    major_unit(world.ent_a)
    file_work(world)
    with pytest.raises(ValidationError) as exc:
        _post(world, hot_one=0, other_special=2)
    message = exc.value.message_dict["explanation"][0]
    assert "一级动火作业（填报 0，报备 1）" in message and "其他特殊作业（填报 2，报备 0）" in message
    assert SafetyCommitment.objects.count() == 0
    c = _post(world, hot_one=0, other_special=2, explanation="一处动火作业推迟到明天")
    assert c.differences == ["hot_one", "other_special"]


def test_commitment_refusals(world):
    with pytest.raises(ValidationError) as exc:
        _post(world)
    assert "day" in exc.value.message_dict  # no major unit
    major_unit(world.ent_a)
    with pytest.raises(ValidationError) as exc:
        _post(world, units_running=0)
    assert "units_total" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        _post(world, actor=world.user("ent_a"))  # the safety manager is not the principal
    with pytest.raises(ValidationError) as exc:
        services.commitment_post(
            actor=principal(world),
            enterprise=world.ent_a,
            day=timezone.localdate() + dt.timedelta(days=1),
            data=services.commitment_prefill(world.ent_a, timezone.localdate()),
        )
    assert "day" in exc.value.message_dict


def _local(day, hour, minute=0):
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_default_timezone()
    )


def test_late_flag_from_deadline(world, settings):
    major_unit(world.ent_a)
    day = timezone.localdate()
    with mock.patch("django.utils.timezone.now", return_value=_local(day, 9, 59)):
        assert _post(world).late is False
    SafetyCommitment.objects.all().delete()
    with mock.patch("django.utils.timezone.now", return_value=_local(day, 10, 1)):
        assert _post(world, actor=principal(world, "lr_a3")).late is True
    SafetyCommitment.objects.all().delete()
    settings.SAFEGRID_SPECIAL_WORK = {"commitment_deadline": "11:00"}
    with mock.patch("django.utils.timezone.now", return_value=_local(day, 10, 30)):
        assert _post(world, actor=principal(world, "lr_a4")).late is False


def test_watch_lists_and_notifies_missing_after_deadline(world):
    major_unit(world.ent_a)
    major_unit(world.ent_b, code="TK-B01")
    lr = principal(world)
    day = timezone.localdate()
    before = services.commitment_watch(now=_local(day, 9, 0))
    assert before.skipped and before.missing == 0
    assert services.missing_enterprises(None, day, _local(day, 9, 0)).count() == 0
    services.commitment_post(
        actor=SYSTEM, enterprise=world.ent_b, day=day, data=services.commitment_prefill(world.ent_b, day)
    )
    result = services.commitment_watch(now=_local(day, 10, 5))
    assert result.enterprises == [world.ent_a.pk]
    assert list(services.missing_enterprises(world.user("dept_chem"), day, _local(day, 10, 5))) == [
        world.ent_a
    ]
    assert list(services.missing_enterprises(world.user("town_b"), day, _local(day, 10, 5))) == []
    assert Notification.objects.filter(recipient=lr, kind="majorhazards.commitment_missing").count() == 1
    assert (
        Notification.objects.filter(
            recipient=world.user("dept_chem"), kind="majorhazards.commitment_missing"
        ).count()
        == 1
    )
    again = services.commitment_watch(now=_local(day, 11, 5))
    assert again.missing == 0 and CommitmentNotice.objects.count() == 1
    # a late post leaves the list at once
    services.commitment_post(
        actor=lr, enterprise=world.ent_a, day=day, data=services.commitment_prefill(world.ent_a, day)
    )
    assert services.missing_enterprises(None, day, _local(day, 12, 0)).count() == 0


def test_board_issue_reissues(world):
    first = services.board_issue(actor=world.user("ent_a"), enterprise=world.ent_a)
    token = first.token
    second = services.board_issue(actor=world.user("ent_a"), enterprise=world.ent_a)
    assert second.pk == first.pk and second.token != token
    with pytest.raises(PermissionDenied):
        services.board_issue(actor=world.user("ent_b"), enterprise=world.ent_a)
