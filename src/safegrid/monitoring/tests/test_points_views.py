"""The points' pages: the scoped list with filters and export, a point with its limits and history, the
new/edit forms (limits refused on edit), the limit-change request, queue and decision pages."""

from __future__ import annotations

import pytest

from safegrid.core.choices import Role
from safegrid.core.testing import SYSTEM, make_user
from safegrid.monitoring.models import LimitChange, LimitChangeStatus, MonitoringPoint
from safegrid.monitoring.services import points as services

pytestmark = pytest.mark.django_db


def _point(world, enterprise=None, code="A-LT-01", **extra):
    return services.point_create(
        actor=SYSTEM,
        enterprise=enterprise or world.ent_a,
        data={"code": code, "name": "储罐液位", "kind": "level", "h": 8.0, "hh": 9.0,
              "limits_version": "V1", "limits_source": "工艺控制指标", **extra},
    )  # fmt: skip


def test_list_scoped_and_filtered(world, login):
    _point(world)
    _point(world, world.ent_b, code="B-LT-77")
    page = login(world.user("ent_a")).get("/monitoring/points/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "A-LT-01" in text and "B-LT-77" not in text and "H 8 / HH 9" in text
    county = login(world.user("county_admin")).get("/monitoring/points/?kind=level&town=370321002")
    assert "B-LT-77" in county.content.decode() and "A-LT-01" not in county.content.decode()
    export = login(world.user("county_admin")).get("/monitoring/points/?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_detail_shows_limits_version_and_source(world, login):
    point = _point(world)
    page = login(world.user("ent_a")).get(f"/monitoring/points/{point.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "工艺控制指标" in text and "尚未收到数据" in text
    assert login(world.user("ent_b")).get(f"/monitoring/points/{point.pk}/").status_code == 404


def test_new_point_form(world, login):
    client = login(world.user("ent_a"))
    assert client.get("/monitoring/points/new/").status_code == 200
    answer = client.post(
        "/monitoring/points/new/",
        {"code": "A-GC-01", "name": "可燃气体", "kind": "gas_combustible", "expected_interval_s": 10,
         "offline_timeout_s": 300},
    )  # fmt: skip
    assert answer.status_code == 302
    point = MonitoringPoint.objects.get(code="A-GC-01")
    assert (point.h, point.hh) == (25.0, 50.0)
    again = client.post("/monitoring/points/new/", {"code": "A-GC-01", "name": "x", "kind": "level",
                                                    "expected_interval_s": 10, "offline_timeout_s": 300})  # fmt: skip
    assert again.status_code == 422 and "本企业已有编码" in again.content.decode()
    assert (
        login(world.user("town_a")).get(f"/monitoring/points/new/?enterprise={world.ent_a.pk}").status_code
        == 404
    )


def test_edit_keeps_the_limits(world, login):
    point = _point(world)
    client = login(world.user("ent_a"))
    answer = client.post(
        f"/monitoring/points/{point.pk}/edit/",
        {
            "code": point.code,
            "name": "改名",
            "kind": "level",
            "expected_interval_s": 5,
            "offline_timeout_s": 60,
        },
    )
    assert answer.status_code == 302
    point.refresh_from_db()
    assert (point.name, point.h) == ("改名", 8.0)
    assert login(world.user("town_a")).post(f"/monitoring/points/{point.pk}/active/").status_code == 403
    assert login(world.user("ent_b")).post(f"/monitoring/points/{point.pk}/active/").status_code == 404


def test_request_approve_through_the_pages(world, login):
    point = _point(world)
    client = login(world.user("ent_a"))
    answer = client.post(
        f"/monitoring/points/{point.pk}/limits/new/",
        {"kind": "permanent", "h": 8.5, "hh": 9.5, "deadband": 0, "version": "V2", "source": "新指标",
         "reason": "改造后重新核定"},
    )  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:2000]
    change = LimitChange.objects.get(point=point)
    own = client.get(f"/monitoring/limit-changes/{change.pk}/").content.decode()
    assert "不能审批自己" in own
    approver = make_user("lr_a", {"role": Role.LEGAL_REP, "enterprise": world.ent_a})
    queue = login(approver).get("/monitoring/limit-changes/?status=requested")
    assert queue.status_code == 200 and "有 1 项限值变更等待您审批" in queue.content.decode()
    login(approver).post(f"/monitoring/limit-changes/{change.pk}/approve/", {"comment": "同意"})
    change.refresh_from_db()
    point.refresh_from_db()
    assert change.status == LimitChangeStatus.APPROVED and point.h == 8.5
    assert login(world.user("ent_b")).get(f"/monitoring/limit-changes/{change.pk}/").status_code == 404


def test_request_form_refuses_a_temporary_change_without_expiry(world, login):
    point = _point(world)
    answer = login(world.user("ent_a")).post(
        f"/monitoring/points/{point.pk}/limits/new/",
        {"kind": "temporary", "h": 8.5, "hh": 9.5, "version": "T1", "source": "s", "reason": "r"},
    )
    assert answer.status_code == 422 and "临时变更必须设定到期时间" in answer.content.decode()
