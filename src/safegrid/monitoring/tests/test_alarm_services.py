"""The alarm lifecycle on the workflow kit: moves, refusals naming what is allowed, audit, notifications;
bypasses with another person's approval; the minute watch (offline, escalation ladder, bypass expiry)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safegrid.core.audit import SystemActor
from safegrid.core.choices import Role
from safegrid.core.models import AuditEntry
from safegrid.core.testing import make_user
from safegrid.core.workflow import TransitionNotAllowed
from safegrid.hazards.models import HiddenHazard
from safegrid.monitoring.alarm_engine import AlarmEngine
from safegrid.monitoring.choices import AlarmStatus, BypassStatus, DisposalCause
from safegrid.monitoring.models import Alarm, AlarmComment, AlarmCount, LatestValue, MonitoringPoint
from safegrid.monitoring.services import alarms as services
from safegrid.notifications.models import Notification

from .alarm_helpers import make_point, reading

pytestmark = pytest.mark.django_db


def raised(world, value: float = 8.5) -> Alarm:
    point = make_point(world.ent_a)
    AlarmEngine().process([reading(point, 0, value)])
    return Alarm.objects.select_related("point", "enterprise").get(point=point)


def cleared(world) -> Alarm:
    alarm = raised(world)
    AlarmEngine().process([reading(alarm.point, 60, 5.0)])
    alarm.refresh_from_db()
    return alarm


def test_acknowledge_audited(world):
    alarm = raised(world)
    alarm = services.alarm_acknowledge(actor=world.user("ent_a"), alarm=alarm, comment="已安排巡检")
    assert alarm.status == AlarmStatus.ACTIVE_ACK and alarm.acknowledged_by == world.user("ent_a")
    entry = AuditEntry.objects.filter(object_type="monitoring.alarm", action="transition").latest("id")
    assert "确认" in entry.comment
    assert AlarmCount.objects.get(pk=world.ent_a.pk).unacknowledged == 0


def test_regulator_of_the_enterprise_may_acknowledge(world):
    alarm = raised(world)
    services.alarm_acknowledge(actor=world.user("town_a"), alarm=alarm)
    with pytest.raises(PermissionDenied):
        services.alarm_acknowledge(actor=world.user("town_b"), alarm=raised_other(world))


def raised_other(world) -> Alarm:
    point = make_point(world.ent_a, code="OTHER-1")
    AlarmEngine().process([reading(point, 0, 9.9)])
    return Alarm.objects.get(point=point)


def test_close_needs_cleared_and_disposal(world):
    manager = world.user("ent_a")
    alarm = raised(world)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.alarm_close(actor=manager, alarm=alarm)
    assert "报警中·未确认" in refused.value.text and "登记处置" in refused.value.text  # says what is allowed
    AlarmEngine().process([reading(alarm.point, 60, 5.0)])
    alarm.refresh_from_db()
    with pytest.raises(ValidationError) as missing:
        services.alarm_close(actor=manager, alarm=alarm)
    assert "disposal_cause" in missing.value.message_dict
    with pytest.raises(ValidationError) as bad_cause:
        services.alarm_dispose(actor=manager, alarm=alarm, cause="weather")
    assert "cause" in bad_cause.value.message_dict
    services.alarm_dispose(
        actor=manager, alarm=alarm, cause=DisposalCause.INSTRUMENT, note="变送器零点漂移，已校准"
    )
    closed = services.alarm_close(actor=manager, alarm=alarm)
    assert closed.status == AlarmStatus.CLOSED and closed.closed_by == manager
    count = AlarmCount.objects.get(pk=world.ent_a.pk)
    assert (count.open, count.unacknowledged) == (0, 0)
    actions = list(closed.transitions.values_list("action", flat=True))
    assert actions == ["raise", "clear", "dispose", "close"]


def test_post_worker_acknowledges_but_does_not_close(world):
    alarm = cleared(world)
    services.alarm_acknowledge(actor=world.user("post_a"), alarm=alarm)
    with pytest.raises(PermissionDenied):
        services.alarm_dispose(actor=world.user("post_a"), alarm=alarm, cause=DisposalCause.REAL)


def test_assign_to_enterprise_people_only(world):
    alarm = raised(world)
    with pytest.raises(ValidationError) as refused:
        services.alarm_assign(actor=world.user("ent_a"), alarm=alarm, assignee=world.user("ent_b"))
    assert "assignee" in refused.value.message_dict
    services.alarm_assign(actor=world.user("ent_a"), alarm=alarm, assignee=world.user("post_a"))
    alarm.refresh_from_db()
    assert alarm.assignee == world.user("post_a")
    assert Notification.objects.filter(
        recipient=world.user("post_a"), kind="monitoring.alarm_assigned"
    ).exists()


def test_comment(world):
    alarm = raised(world)
    with pytest.raises(ValidationError):
        services.alarm_comment(actor=world.user("town_a"), alarm=alarm, text="   ")
    comment = services.alarm_comment(actor=world.user("town_a"), alarm=alarm, text="请尽快核实")
    assert AlarmComment.objects.get() == comment
    assert AuditEntry.objects.filter(object_type="monitoring.alarmcomment").count() == 1


def test_to_hazard_keeps_the_link(world):
    alarm = raised(world)
    hazard = services.alarm_to_hazard(actor=world.user("ent_a"), alarm=alarm)
    alarm.refresh_from_db()
    assert alarm.hazard == hazard and hazard.enterprise_id == world.ent_a.pk
    assert "T101-LT-01" in hazard.title and HiddenHazard.objects.count() == 1
    with pytest.raises(ValidationError):
        services.alarm_to_hazard(actor=world.user("ent_a"), alarm=alarm)


# ---- bypasses --------------------------------------------------------------------------------------------


def approver(world):
    return make_user("legal_a", {"role": Role.LEGAL_REP, "enterprise": world.ent_a})


def test_bypass_needs_reason_and_expiry(world):
    point = make_point(world.ent_a)
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.bypass_request(
            actor=world.user("ent_a"), point=point, rule="", reason="", starts_at=now, ends_at=None
        )
    assert set(refused.value.message_dict) == {"reason", "ends_at"}


def test_bypass_approved_by_another_person_clears_and_masks(world):
    alarm = raised(world)
    now = timezone.now()
    requester = world.user("ent_a")
    boss = approver(world)
    bypass = services.bypass_request(
        actor=requester,
        point=alarm.point,
        rule="",
        reason="液位计更换",
        starts_at=now - dt.timedelta(minutes=1),
        ends_at=now + dt.timedelta(hours=2),
    )
    assert Notification.objects.filter(recipient=boss, kind="monitoring.bypass_requested").exists()
    with pytest.raises(PermissionDenied):
        services.bypass_approve(actor=requester, bypass=bypass)  # not the requester
    with pytest.raises(PermissionDenied):
        services.bypass_approve(actor=world.user("town_b"), bypass=bypass)
    bypass = services.bypass_approve(actor=boss, bypass=bypass)
    assert bypass.status == BypassStatus.APPROVED and bypass.approved_by == boss
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED_UNACK  # cleared with the bypass's reason, so it can be closed
    AlarmEngine().process([reading(alarm.point, 120, 9.9)])
    assert Alarm.objects.filter(status__in=("active_unack", "active_ack")).count() == 0
    assert AuditEntry.objects.filter(object_type="monitoring.pointbypass").count() == 2
    # expiry
    assert services.bypass_expire(now=now + dt.timedelta(hours=3)) == 1
    bypass.refresh_from_db()
    assert bypass.status == BypassStatus.EXPIRED
    assert Notification.objects.filter(recipient=requester, kind="monitoring.bypass_expired").exists()


# ---- the minute watch -----------------------------------------------------------------------------------


def test_offline_scan_raises_and_clears(world):
    now = timezone.now()
    silent = make_point(world.ent_a, code="SILENT", offline_timeout_s=60)
    MonitoringPoint.objects.filter(pk=silent.pk).update(created_at=now - dt.timedelta(minutes=5))
    reporting = make_point(world.ent_a, code="REPORTING", offline_timeout_s=60)
    LatestValue.objects.create(point=reporting, ts=now, value=5.0, received_at=now - dt.timedelta(seconds=30))
    stale = make_point(world.ent_a, code="STALE", offline_timeout_s=60)
    LatestValue.objects.create(point=stale, ts=now, value=5.0, received_at=now - dt.timedelta(seconds=90))
    result = services.offline_scan(now=now)
    offline = Alarm.objects.filter(rule="offline")
    assert sorted(offline.values_list("point__code", flat=True)) == ["SILENT", "STALE"]
    assert result.raised == 2
    assert services.offline_scan(now=now).raised == 0  # once
    LatestValue.objects.filter(point=stale).update(received_at=now + dt.timedelta(seconds=5))
    assert services.offline_scan(now=now + dt.timedelta(seconds=10)).cleared == 1
    assert Alarm.objects.get(point=stale).status == AlarmStatus.CLEARED_UNACK
    assert AlarmCount.objects.get(pk=world.ent_a.pk).offline == 1


def test_escalation_ladder(world):
    alarm = raised(world)
    start = alarm.first_at
    assert services.escalation_scan(now=start + dt.timedelta(minutes=5)).escalated == 0
    assert services.escalation_scan(now=start + dt.timedelta(minutes=10)).reminded == 1
    result = services.escalation_scan(now=start + dt.timedelta(minutes=15))
    assert result.escalated == 1
    alarm.refresh_from_db()
    assert alarm.level == 1
    assert Notification.objects.filter(
        recipient=world.user("town_a"), kind="monitoring.alarm_escalated"
    ).exists()
    assert not Notification.objects.filter(recipient=world.user("town_b")).exists()
    services.escalation_scan(now=start + dt.timedelta(minutes=31))
    alarm.refresh_from_db()
    assert alarm.level == 2
    county = Notification.objects.filter(kind="monitoring.alarm_escalated").exclude(
        recipient=world.user("town_a")
    )
    assert county.exists()  # the county: the sector department's officers, or the county office
    services.alarm_acknowledge(actor=world.user("ent_a"), alarm=alarm)
    later = services.escalation_scan(now=start + dt.timedelta(minutes=60))
    assert (later.escalated, later.reminded) == (0, 0)


def test_watch_job_on_the_worker(world):
    """The minute schedule's job, run as the worker runs it: a point silent since long ago goes offline."""
    from safegrid import jobs
    from safegrid.jobs.models import Job
    from safegrid.jobs.testing import run_queued

    point = make_point(world.ent_a, code="SILENT-JOB", offline_timeout_s=60)
    MonitoringPoint.objects.filter(pk=point.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    jobs.enqueue("monitoring.alarm_watch", title="监测报警检查", actor=SystemActor("system:test"), args={})
    assert run_queued("monitoring.alarm_watch") == ["succeeded"]
    assert Alarm.objects.get(point=point).rule == "offline"
    assert Job.objects.get(kind="monitoring.alarm_watch").result["raised"] == 1


def test_comment_needs_reach(world):
    alarm = raised(world)
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.alarm_comment(actor=world.user("ent_b"), alarm=alarm, text="越权评论")
    assert AuditEntry.objects.count() == before and not AlarmComment.objects.exists()
