"""Taking a point out of use (停用) is a request another person approves: request → approve → inactive (its
alarms cleared), self-approval refused, reject leaves it in use; reactivation is direct; `active` is refused
by the generic edit; the pages and the API (with Idempotency-Key)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from safegrid.core import tokens
from safegrid.core.choices import AuditAction, Role
from safegrid.core.models import AuditEntry
from safegrid.core.services import object_update
from safegrid.core.testing import SYSTEM, make_user
from safegrid.core.workflow import TransitionNotAllowed
from safegrid.monitoring.alarm_engine import AlarmEngine
from safegrid.monitoring.choices import ACTIVE_STATUSES, AlarmStatus
from safegrid.monitoring.models import Alarm, DeactivationStatus, MonitoringPoint, PointDeactivation
from safegrid.monitoring.selectors import wall as wall_selectors
from safegrid.monitoring.services import deactivations as services
from safegrid.monitoring.services import points as point_services
from safegrid.notifications.models import Notification

from .alarm_helpers import make_point, reading

pytestmark = pytest.mark.django_db
URL = "/api/v1/monitoring"


def _approver(world, name="lr_a"):
    return make_user(name, {"role": Role.LEGAL_REP, "enterprise": world.ent_a})


def _ask(world, point, reason="传感器拆除"):
    return services.deactivation_request(actor=world.user("ent_a"), point=point, reason=reason)


def test_request_then_approval_takes_the_point_out_of_use(world):
    point = make_point(world.ent_a)
    approver = _approver(world)
    request = _ask(world, point)
    point.refresh_from_db()
    assert request.status == DeactivationStatus.REQUESTED and point.active  # nothing yet
    assert Notification.objects.filter(recipient=approver, kind="monitoring.deactivation_requested").exists()
    approved = services.deactivation_approve(actor=approver, request=request, comment="同意")
    point.refresh_from_db()
    assert approved.status == DeactivationStatus.APPROVED and approved.approved_by == approver
    assert point.active is False
    update = AuditEntry.objects.get(
        object_type="monitoring.monitoringpoint", object_id=str(point.pk), action=AuditAction.UPDATE
    )
    assert update.actor == approver and update.before["active"] is True and update.after["active"] is False
    assert AuditEntry.objects.filter(
        object_type="monitoring.pointdeactivation", action=AuditAction.TRANSITION
    ).exists()
    assert Notification.objects.filter(
        recipient=world.user("ent_a"), kind="monitoring.deactivation_decided"
    ).exists()
    assert point not in [
        r.point for g in wall_selectors.enterprise_points(approver, world.ent_a) for r in g.points
    ]


def test_self_approval_is_refused(world):
    point = make_point(world.ent_a)
    request = _ask(world, point)
    with pytest.raises(PermissionDenied, match="不能审批自己"):
        services.deactivation_approve(actor=world.user("ent_a"), request=request)
    point.refresh_from_db()
    assert point.active


@pytest.mark.parametrize("user", ["county_admin", "town_a", "post_a", "ent_b"])
def test_approval_needs_an_approving_role_in_the_enterprise(world, user):
    request = _ask(world, make_point(world.ent_a))
    with pytest.raises(PermissionDenied):
        services.deactivation_approve(actor=world.user(user), request=request)


def test_reject_needs_a_comment_and_leaves_the_point_in_use(world):
    point = make_point(world.ent_a)
    approver = _approver(world)
    request = _ask(world, point)
    with pytest.raises(ValidationError):
        services.deactivation_reject(actor=approver, request=request, comment="")
    rejected = services.deactivation_reject(actor=approver, request=request, comment="仍在运行，不得停用")
    point.refresh_from_db()
    assert rejected.status == DeactivationStatus.REJECTED and point.active
    with pytest.raises(TransitionNotAllowed):
        services.deactivation_approve(actor=approver, request=rejected)


def test_request_is_checked(world):
    point = make_point(world.ent_a)
    with pytest.raises(ValidationError) as exc:
        _ask(world, point, reason="   ")
    assert "reason" in exc.value.message_dict
    _ask(world, point)
    with pytest.raises(ValidationError) as exc:
        _ask(world, point)  # one pending request at a time
    assert "待审批" in exc.value.message_dict["point"][0]
    with pytest.raises(PermissionDenied):
        services.deactivation_request(
            actor=world.user("post_a"), point=make_point(world.ent_a, "X"), reason="r"
        )


def test_direct_deactivation_and_generic_edit_are_refused_reactivation_is_direct(world):
    point = make_point(world.ent_a)
    with pytest.raises(ValidationError) as exc:
        point_services.point_set_active(actor=world.user("ent_a"), point=point, active=False)
    assert "停用申请" in exc.value.message_dict["active"][0]
    with pytest.raises(ValidationError):
        object_update(actor=SYSTEM, obj=point, data={"active": False})  # a workflow field
    with pytest.raises(ValidationError):
        point_services.point_update(actor=world.user("ent_a"), point=point, data={"active": False})
    services.deactivation_approve(actor=_approver(world), request=_ask(world, point))
    back = point_services.point_set_active(actor=world.user("ent_a"), point=point, active=True)
    assert back.active is True
    with pytest.raises(PermissionDenied):
        point_services.point_set_active(actor=world.user("ent_b"), point=point, active=True)


def test_alarms_of_a_point_taken_out_of_use_clear_and_no_more_are_raised(world):
    point = make_point(world.ent_a)
    engine = AlarmEngine(refresh_s=0)
    engine.process([reading(point, 0, 9.5)])
    alarm = Alarm.objects.get(point=point)
    assert alarm.status in ACTIVE_STATUSES
    services.deactivation_approve(actor=_approver(world), request=_ask(world, point, "装置拆除"))
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.CLEARED_UNACK  # can be acknowledged and closed
    assert "装置拆除" in alarm.transitions.get(action="clear").comment
    engine.process([reading(point, 60, 9.8), reading(point, 120, 1.0)])  # out of use: nothing raised
    assert Alarm.objects.filter(point=point).count() == 1


def test_the_wall_shows_a_point_out_of_use_with_its_approval(world, login):
    point = make_point(world.ent_a)
    approver = _approver(world)
    approved = services.deactivation_approve(actor=approver, request=_ask(world, point, "探头拆除送检"))
    retired = wall_selectors.retired_points(approver, world.ent_a)
    assert [(r.point, r.deactivation) for r in retired] == [(point, approved)]
    for name in ("monitoring:wall_enterprise", "monitoring:wall_enterprise_live"):
        url = reverse(name, args=[world.ent_a.pk])
        body = login(world.user("ent_a")).get(url).content.decode()
        row = body[body.index('data-testid="wall-retired-point"') :]
        row = row[: row.index("</tr>")]
        assert (
            point.code in row and "停用" in row and "探头拆除送检" in row and approved.approved_by_name in row
        )
        assert reverse("monitoring:deactivation", args=[approved.pk]) in row
    assert wall_selectors.retired_points(world.user("ent_b"), world.ent_a) == []


def test_pages_request_queue_and_decide(world, login):
    point = make_point(world.ent_a)
    approver = _approver(world)
    client = login(world.user("ent_a"))
    page = client.get(f"/monitoring/points/{point.pk}/").content.decode()
    assert f"/monitoring/points/{point.pk}/deactivate/" in page
    refused = client.post(f"/monitoring/points/{point.pk}/deactivate/", {"reason": ""})
    assert refused.status_code == 422
    answer = client.post(f"/monitoring/points/{point.pk}/deactivate/", {"reason": "传感器拆除"})
    request = PointDeactivation.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/monitoring/deactivations/{request.pk}/"
    page = client.get(f"/monitoring/points/{point.pk}/").content.decode()
    assert 'data-testid="deactivation-pending"' in page and "传感器拆除" in page
    own = client.get(f"/monitoring/deactivations/{request.pk}/")
    assert not own.context["actions"] and "不能审批自己" in own.context["refusal"]
    # the old direct button now leads to the request form
    assert client.post(f"/monitoring/points/{point.pk}/active/")["Location"].endswith("/deactivate/")
    decider = login(approver)
    assert "监测点位停用待审批" in decider.get("/").content.decode()  # the home page's to-do
    queue = decider.get("/monitoring/deactivations/?decide=yes")
    assert (
        queue.status_code == 200
        and queue.context["to_approve"] == 1
        and "传感器拆除" in queue.content.decode()
    )
    assert (
        decider.post(f"/monitoring/deactivations/{request.pk}/approve/", {"comment": "同意"}).status_code
        == 302
    )
    point.refresh_from_db()
    assert not point.active
    client = login(world.user("ent_a"))
    assert client.post(f"/monitoring/points/{point.pk}/active/").status_code == 302
    point.refresh_from_db()
    assert point.active
    assert login(world.user("ent_b")).get(f"/monitoring/deactivations/{request.pk}/").status_code == 404


def _bearer(user):
    raw, _ = tokens.token_issue(actor=SYSTEM, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_request_approve_reject_with_idempotency(client, world):
    point = make_point(world.ent_a)
    mine = _bearer(world.user("ent_a"))
    approver = _bearer(_approver(world))
    url = f"{URL}/points/{point.pk}/deactivations"
    body = {"reason": "传感器拆除"}
    first = client.post(
        url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deactivate-0001", **mine
    )
    again = client.post(
        url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deactivate-0001", **mine
    )
    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert PointDeactivation.objects.count() == 1
    blank = client.post(url, {"reason": ""}, content_type="application/json", **mine)
    assert blank.status_code == 422 and "reason" in blank.json()["error"]["fields"]
    pk = first.json()["id"]
    own = client.post(f"{URL}/deactivations/{pk}/approve", {}, content_type="application/json", **mine)
    assert own.status_code == 403
    ok = client.post(f"{URL}/deactivations/{pk}/approve", {}, content_type="application/json", **approver)
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    assert MonitoringPoint.objects.get(pk=point.pk).active is False
    assert [d["id"] for d in client.get(url, **mine).json()] == [pk]
    back = client.post(f"{URL}/points/{point.pk}/reactivate", {}, content_type="application/json", **mine)
    assert back.status_code == 200 and back.json()["active"] is True
    second = client.post(url, {"reason": "再次停用"}, content_type="application/json", **mine).json()["id"]
    no = client.post(f"{URL}/deactivations/{second}/reject", {}, content_type="application/json", **approver)
    assert no.status_code == 422
    no = client.post(
        f"{URL}/deactivations/{second}/reject",
        {"comment": "不同意"},
        content_type="application/json",
        **approver,
    )
    assert no.status_code == 200 and no.json()["status"] == "rejected"
    assert MonitoringPoint.objects.get(pk=point.pk).active is True
    assert client.get(f"{URL}/deactivations/{pk}", **_bearer(world.user("ent_b"))).status_code == 404
