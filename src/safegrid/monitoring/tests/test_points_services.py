"""Point services (who writes, gas-detector defaults, unique codes, limits refused outside a limit change) and
the limit-change workflow (approval by another person, self-approval refused, scheduled start, expiry
restores, supersession, audit entries and notifications)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from safegrid.core.choices import AuditAction, Role
from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM, make_user
from safegrid.core.workflow import TransitionNotAllowed
from safegrid.jobs.testing import run_queued
from safegrid.monitoring.models import LimitChange, LimitChangeStatus, MonitoringPoint
from safegrid.monitoring.rules.limits import LimitSet
from safegrid.monitoring.services import limits as limit_services
from safegrid.monitoring.services import points as services
from safegrid.notifications.models import Notification

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _level(world, code="T101-LT-01", **extra):
    data = {
        "code": code,
        "name": "甲醇储罐液位",
        "kind": "level",
        "ll": 0.8,
        "l": 1.5,
        "h": 8.5,
        "hh": 9.2,
        "deadband": 0.05,
        "limits_version": "V2",
        "limits_source": "甲醇罐区工艺控制指标（2025版）",
        **extra,
    }
    return services.point_create(actor=world.user("ent_a"), enterprise=world.ent_a, data=data)


def _approver(world, name="lr_a", role=Role.LEGAL_REP):
    return make_user(name, {"role": role, "enterprise": world.ent_a})


def _request(world, point, *, kind="permanent", h=8.8, version="V3", expires=None, start=None, actor=None):
    values = LimitSet(
        ll=point.ll, l=point.l, h=h, hh=9.5, rate_limit=None, deadband=0.05, version=version, source="指标 V3"
    )
    return limit_services.limit_change_request(
        actor=actor or world.user("ent_a"),
        point=point,
        kind=kind,
        values=values,
        reason="储罐加高改造后重新核定",
        effective_from=start,
        expires_at=expires,
    )


# ---- points -------------------------------------------------------------------------------------------


def test_create_with_the_enterprises_limits_is_audited(world):
    point = _level(world)
    assert (point.h, point.hh, point.limits_version, point.measure_unit) == (8.5, 9.2, "V2", "m")
    entry = AuditEntry.objects.get(object_type="monitoring.monitoringpoint", object_id=str(point.pk))
    assert entry.action == AuditAction.CREATE and entry.after["hh"] == 9.2


@pytest.mark.parametrize(
    ("kind", "oel", "expected"),
    [
        ("gas_combustible", None, (None, None, 25.0, 50.0)),
        ("gas_toxic", 10.0, (None, None, 10.0, 20.0)),
        ("oxygen", None, (None, 19.5, 23.5, None)),
    ],
)
def test_gas_detectors_get_the_default_limits(world, kind, oel, expected):
    point = services.point_create(
        actor=world.user("ent_a"),
        enterprise=world.ent_a,
        data={"code": f"GD-{kind}", "name": "探测器", "kind": kind, "oel_ppm": oel},
    )
    assert (point.ll, point.l, point.h, point.hh) == expected
    assert point.limits_version == services.DEFAULT_VERSION
    assert "GB/T 50493-2019" in point.limits_source


def test_gas_detector_keeps_the_enterprises_own_limits(world):
    point = services.point_create(
        actor=world.user("ent_a"),
        enterprise=world.ent_a,
        data={
            "code": "GD-1",
            "name": "可燃气体",
            "kind": "gas_combustible",
            "h": 20.0,
            "hh": 40.0,
            "limits_version": "V1",
            "limits_source": "企业报警值设定表",
        },
    )
    assert (point.h, point.hh, point.limits_source) == (20.0, 40.0, "企业报警值设定表")


def test_limits_need_a_version_and_a_source(world):
    with pytest.raises(ValidationError) as exc:
        _level(world, limits_version="", limits_source="")
    assert set(exc.value.message_dict) == {"limits_version", "limits_source"}


def test_limits_out_of_order_are_refused_by_field(world):
    with pytest.raises(ValidationError) as exc:
        _level(world, h=9.5)
    assert set(exc.value.message_dict) == {"hh"}


def test_codes_are_unique_per_enterprise(world):
    _level(world)
    with pytest.raises(ValidationError) as exc:
        _level(world)
    assert "code" in exc.value.message_dict
    other = services.point_create(
        actor=world.user("ent_b"),
        enterprise=world.ent_b,
        data={"code": "T101-LT-01", "name": "乙液位", "kind": "level"},
    )
    assert other.code == "T101-LT-01"  # another enterprise may use the same code


def test_unit_of_another_enterprise_is_refused(world):
    from safegrid.majorhazards.models import HazardUnit

    unit = HazardUnit.objects.create(enterprise=world.ent_b, code="B-1", name="乙罐区", kind="tank_farm")
    with pytest.raises(ValidationError) as exc:
        _level(world, unit=unit)
    assert "unit" in exc.value.message_dict


@pytest.mark.parametrize("user", ["ent_b", "town_a", "post_a", "dept_chem", "outsider"])
def test_only_the_enterprises_editors_and_the_county_admin_write(world, user):
    with pytest.raises(PermissionDenied):
        services.point_create(
            actor=world.user(user), enterprise=world.ent_a, data={"code": "X", "name": "X", "kind": "level"}
        )


def test_county_admin_creates_points(world):
    point = services.point_create(
        actor=world.user("county_admin"),
        enterprise=world.ent_a,
        data={"code": "X", "name": "X", "kind": "flow"},
    )
    assert point.enterprise == world.ent_a and point.h is None


def test_edit_refuses_limits(world):
    point = _level(world)
    with pytest.raises(ValidationError) as exc:
        services.point_update(actor=world.user("ent_a"), point=point, data={"h": 8.9, "name": "新名"})
    assert "限值变更" in exc.value.message_dict["h"][0]
    updated = services.point_update(actor=world.user("ent_a"), point=point, data={"name": "新名"})
    assert updated.name == "新名" and updated.h == 8.5


def test_deactivate_needs_a_request_reactivate_is_direct(world):
    point = _level(world)
    with pytest.raises(ValidationError) as exc:
        services.point_set_active(actor=world.user("ent_a"), point=point, active=False)
    assert "active" in exc.value.message_dict  # services/deactivations.py (test_point_deactivation.py)
    services.write_active(actor=SYSTEM, point=point, active=False)
    assert services.point_set_active(actor=world.user("ent_a"), point=point, active=True).active is True
    with pytest.raises(PermissionDenied):
        services.point_set_active(actor=world.user("ent_b"), point=point, active=True)


# ---- limit changes -------------------------------------------------------------------------------------


def test_request_changes_nothing_and_tells_the_approvers(world):
    point = _level(world)
    approver = _approver(world)
    change = _request(world, point)
    assert change.status == LimitChangeStatus.REQUESTED
    point.refresh_from_db()
    assert point.h == 8.5
    assert Notification.objects.filter(recipient=approver, kind="monitoring.limit_change_requested").exists()
    assert not Notification.objects.filter(recipient=world.user("ent_a")).exists()  # not the requester


def test_approval_by_another_person_changes_the_limits_audited(world):
    point = _level(world)
    approver = _approver(world)
    change = _request(world, point)
    approved = limit_services.limit_change_approve(actor=approver, change=change)
    point.refresh_from_db()
    assert (point.h, point.hh, point.limits_version, point.limits_source) == (8.8, 9.5, "V3", "指标 V3")
    assert approved.approved_by == approver and approved.applied_at is not None
    assert (approved.old_h, approved.old_version) == (8.5, "V2")
    update = AuditEntry.objects.filter(
        object_type="monitoring.monitoringpoint", object_id=str(point.pk), action=AuditAction.UPDATE
    ).get()
    assert update.actor == approver and update.before["h"] == 8.5 and update.after["h"] == 8.8
    assert AuditEntry.objects.filter(
        object_type="monitoring.limitchange", action=AuditAction.TRANSITION
    ).exists()
    assert Notification.objects.filter(
        recipient=world.user("ent_a"), kind="monitoring.limit_change_decided"
    ).exists()


def test_self_approval_is_refused(world):
    point = _level(world)
    change = _request(world, point)
    with pytest.raises(PermissionDenied, match="不能审批自己"):
        limit_services.limit_change_approve(actor=world.user("ent_a"), change=change)
    point.refresh_from_db()
    assert point.h == 8.5


@pytest.mark.parametrize("user", ["county_admin", "town_a", "post_a", "ent_b"])
def test_approval_needs_an_approving_role_in_the_enterprise(world, user):
    change = _request(world, _level(world))
    with pytest.raises(PermissionDenied):
        limit_services.limit_change_approve(actor=world.user(user), change=change)


def test_reject_needs_a_comment_and_leaves_the_limits(world):
    point = _level(world)
    approver = _approver(world)
    change = _request(world, point)
    with pytest.raises(ValidationError):
        limit_services.limit_change_reject(actor=approver, change=change, comment="")
    rejected = limit_services.limit_change_reject(actor=approver, change=change, comment="依据文件未盖章")
    assert rejected.status == LimitChangeStatus.REJECTED
    point.refresh_from_db()
    assert point.h == 8.5
    with pytest.raises(TransitionNotAllowed):
        limit_services.limit_change_approve(actor=approver, change=rejected)


def test_request_is_checked_by_field(world):
    point = _level(world)
    with pytest.raises(ValidationError) as exc:
        _request(world, point, kind="temporary")
    assert set(exc.value.message_dict) == {"expires_at"}
    with pytest.raises(ValidationError) as exc:
        _request(world, point, version="V2")
    assert set(exc.value.message_dict) == {"version"}


def test_temporary_change_expires_and_restores_audited(world):
    point = _level(world)
    approver = _approver(world)
    now = timezone.now()
    change = _request(world, point, kind="temporary", version="V2-临时1", expires=now + 2 * HOUR)
    limit_services.limit_change_approve(actor=approver, change=change)
    point.refresh_from_db()
    assert point.h == 8.8
    assert limit_services.limits_watch(actor=SYSTEM, now=now + HOUR) == {"applied": 0, "expired": 0}
    counts = limit_services.limits_watch(actor=SYSTEM, now=now + 2 * HOUR)
    assert counts == {"applied": 0, "expired": 1}
    point.refresh_from_db()
    assert (point.h, point.hh, point.limits_version) == (8.5, 9.2, "V2")
    change.refresh_from_db()
    assert change.status == LimitChangeStatus.EXPIRED and change.ended_at is not None
    restore = AuditEntry.objects.filter(
        object_type="monitoring.monitoringpoint", object_id=str(point.pk), action=AuditAction.UPDATE
    ).order_by("pk")
    assert [e.after.get("h") for e in restore] == [8.8, 8.5]
    assert Notification.objects.filter(kind="monitoring.limit_change_expired", recipient=approver).exists()


def test_a_later_start_applies_on_the_schedule(world):
    point = _level(world)
    now = timezone.now()
    change = _request(world, point, start=now + HOUR)
    limit_services.limit_change_approve(actor=_approver(world), change=change)
    point.refresh_from_db()
    assert point.h == 8.5  # approved, not yet in force
    assert limit_services.limits_watch(actor=SYSTEM, now=now + HOUR)["applied"] == 1
    point.refresh_from_db()
    assert point.h == 8.8


def test_temporary_over_temporary_restores_the_baseline_and_supersedes(world):
    point = _level(world)
    approver = _approver(world)
    now = timezone.now()
    first = _request(world, point, kind="temporary", version="T1", h=8.7, expires=now + 5 * HOUR)
    limit_services.limit_change_approve(actor=approver, change=first)
    second = _request(world, point, kind="temporary", version="T2", h=8.9, expires=now + 2 * HOUR)
    limit_services.limit_change_approve(actor=approver, change=second)
    first.refresh_from_db()
    assert first.status == LimitChangeStatus.SUPERSEDED
    limit_services.limits_watch(actor=SYSTEM, now=now + 3 * HOUR)
    point.refresh_from_db()
    assert (point.h, point.limits_version) == (8.5, "V2")  # the baseline, not T1


def test_permanent_change_ends_a_temporary_one(world):
    point = _level(world)
    approver = _approver(world)
    now = timezone.now()
    temp = _request(world, point, kind="temporary", version="T1", h=8.7, expires=now + HOUR)
    limit_services.limit_change_approve(actor=approver, change=temp)
    perm = _request(world, point, version="V3", h=8.9)
    limit_services.limit_change_approve(actor=approver, change=perm)
    limit_services.limits_watch(actor=SYSTEM, now=now + 2 * HOUR)
    point.refresh_from_db()
    assert (point.h, point.limits_version) == (8.9, "V3")  # the expiry of T1 no longer restores
    assert LimitChange.objects.get(pk=temp.pk).status == LimitChangeStatus.SUPERSEDED


def test_the_schedule_job_runs_the_watch(world):
    from safegrid import jobs

    point = _level(world)
    change = _request(world, point, start=timezone.now() + dt.timedelta(seconds=1))
    limit_services.limit_change_approve(actor=_approver(world), change=change)
    LimitChange.objects.filter(pk=change.pk).update(effective_from=timezone.now() - HOUR)
    jobs.enqueue("monitoring.limits_watch", title="t", actor=SYSTEM, args={})
    assert run_queued("monitoring.limits_watch") == ["succeeded"]
    assert MonitoringPoint.objects.get(pk=point.pk).h == 8.8
