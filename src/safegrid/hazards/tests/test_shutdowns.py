"""Shutdowns for maintenance (停用检修): the service (record, end, refusals), the pages and /api/v1/shutdowns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from safegrid.core import tokens
from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.hazards import inspections, rollups
from safegrid.hazards.choices import OccurrenceStatus
from safegrid.hazards.models import ShutdownRecord, TaskOccurrence
from safegrid.risks.tests.factories import make_measure, make_point

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def point(world: Any) -> Any:
    point = make_point(world)
    make_measure(world, point)  # every 2 hours, all day
    return point


def record(world: Any, **data: Any) -> ShutdownRecord:
    values: dict[str, Any] = {
        "actor": world.user("ent_a"),
        "enterprise": world.ent_a,
        "start": timezone.now(),
        "end": None,
        "planned_end": timezone.now() + 48 * H,
        "reason": "年度停车大检修",
        "approver": "张厂长",
    }
    values.update(data)
    return inspections.shutdown_record(**values)


def test_record_then_end_resumes_the_later_windows_and_keeps_the_rollups(world: Any, point: Any) -> None:
    inspections.occurrences_generate(day=timezone.localdate())
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0)))
    row = record(world, risk_point=point, start=midnight, planned_end=midnight + 30 * H)
    assert set(TaskOccurrence.objects.values_list("status", flat=True)) == {OccurrenceStatus.SUSPENDED}
    assert (row.approver, row.planned_end) == ("张厂长", midnight + 30 * H)
    end_at = min(timezone.now(), midnight + 23 * H)
    ended = inspections.shutdown_end(actor=world.user("ent_a"), shutdown=row, end=end_at)
    assert ended.end == end_at and ended.ended_by == world.user("ent_a")
    statuses = dict(TaskOccurrence.objects.values_list("window_start", "status"))
    assert all(
        status == (OccurrenceStatus.DUE if start >= end_at else OccurrenceStatus.SUSPENDED)
        for start, status in statuses.items()
    )
    assert rollups.check() == 0
    assert AuditEntry.objects.filter(object_type="hazards.shutdownrecord", comment="结束停用检修").exists()
    with pytest.raises(ValidationError) as exc:
        inspections.shutdown_end(actor=world.user("ent_a"), shutdown=ended, end=end_at)
    assert "end" in exc.value.message_dict


def test_refusals(world: Any, point: Any) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        record(world, start=now, planned_end=now - H)
    assert "planned_end" in exc.value.message_dict
    first = record(world, risk_point=point, start=now, planned_end=now + 10 * H)
    with pytest.raises(ValidationError) as exc:
        record(world, risk_point=point, start=now + 5 * H, planned_end=now + 20 * H)
    assert "start" in exc.value.message_dict and "重叠" in exc.value.message_dict["start"][0]
    record(world, start=now + 5 * H)  # another unit (the whole enterprise) may overlap
    with pytest.raises(ValidationError) as exc:
        inspections.shutdown_end(actor=world.user("ent_a"), shutdown=first, end=now - H)
    assert "end" in exc.value.message_dict
    with pytest.raises(ValidationError):
        inspections.shutdown_end(actor=world.user("ent_a"), shutdown=first, end=now + 5 * H)  # in the future
    with pytest.raises(PermissionDenied):
        inspections.shutdown_end(
            actor=world.user("town_a"), shutdown=first, end=now + dt.timedelta(seconds=1)
        )
    with pytest.raises(PermissionDenied):
        record(world, actor=world.user("post_a"), start=now + 100 * H)
    # an ended shutdown no longer blocks the unit after its end
    ended = inspections.shutdown_end(actor=world.user("ent_a"), shutdown=first, end=timezone.now())
    record(world, risk_point=point, start=ended.end + H)
    assert ShutdownRecord.objects.count() == 3


def test_pages(world: Any, point: Any, login: Any) -> None:
    manager = login(world.user("ent_a"))
    start = timezone.localtime(timezone.now() - H).strftime("%Y-%m-%dT%H:%M")
    planned = timezone.localtime(timezone.now() + 24 * H).strftime("%Y-%m-%dT%H:%M")
    form = manager.get(reverse("hazards:shutdown_new"))
    assert form.status_code == 200 and point.name in form.content.decode()
    data = {"enterprise": world.ent_a.pk, "risk_point": point.pk, "start": start, "planned_end": planned,
            "reason": "储罐清罐检修", "approver": "张厂长"}  # fmt: skip
    saved = manager.post(reverse("hazards:shutdown_new"), data)
    assert saved.status_code == 302
    row = ShutdownRecord.objects.get()
    overlapping = manager.post(reverse("hazards:shutdown_new"), data)
    assert overlapping.status_code == 422 and "重叠" in overlapping.content.decode()
    checks = manager.get(reverse("hazards:my_checks")).content.decode()
    assert "储罐清罐检修" in checks and "停用中" in checks
    detail_url = reverse("hazards:shutdown", args=[row.pk])
    assert 'name="end"' in manager.get(detail_url).content.decode()
    town = login(world.user("town_a"))
    assert "储罐清罐检修" in town.get(reverse("hazards:shutdowns")).content.decode()
    page = town.get(detail_url).content.decode()
    assert "张厂长" in page and 'name="end"' not in page
    assert town.post(detail_url, {"end": planned}).status_code == 403
    assert town.get(reverse("hazards:shutdown_new")).status_code == 403
    assert login(world.user("ent_b")).get(detail_url).status_code == 404
    manager = login(world.user("ent_a"))
    ended = manager.post(detail_url, {"end": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assert ended.status_code == 302
    row.refresh_from_db()
    assert row.end is not None


@pytest.fixture
def bearer(world: Any) -> Any:
    def _bearer(username: str) -> dict[str, str]:
        raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user(username), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


def test_api(world: Any, point: Any, client: Any, bearer: Any) -> None:
    now = timezone.now()
    body = {"enterprise": world.ent_a.pk, "risk_point": point.pk, "start": now.isoformat(),
            "planned_end": (now + 24 * H).isoformat(), "reason": "检修", "approver": "张厂长"}  # fmt: skip
    created = client.post("/api/v1/shutdowns", body, content_type="application/json", **bearer("ent_a"))
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    assert created.json()["end"] is None and created.json()["risk_point"] == point.pk
    again = client.post("/api/v1/shutdowns", body, content_type="application/json", **bearer("ent_a"))
    assert again.status_code == 422 and "start" in again.json()["error"]["fields"]
    bad = client.post(
        "/api/v1/shutdowns",
        {**body, "risk_point": None, "planned_end": (now - H).isoformat()},
        content_type="application/json",
        **bearer("ent_a"),
    )
    assert bad.status_code == 422 and "planned_end" in bad.json()["error"]["fields"]
    other = client.post(
        "/api/v1/shutdowns",
        {**body, "enterprise": world.ent_b.pk},
        content_type="application/json",
        **bearer("ent_a"),
    )
    assert other.status_code == 422 and "enterprise" in other.json()["error"]["fields"]
    regulator = client.post("/api/v1/shutdowns", {**body, "start": (now + 100 * H).isoformat(),
                            "planned_end": (now + 101 * H).isoformat()}, content_type="application/json",
                            **bearer("town_a"))  # fmt: skip
    assert regulator.status_code == 403
    assert [
        r["id"] for r in client.get("/api/v1/shutdowns?running=true", **bearer("town_a")).json()["items"]
    ] == [sid]
    assert client.get("/api/v1/shutdowns", **bearer("ent_b")).json()["items"] == []
    end = client.post(
        f"/api/v1/shutdowns/{sid}/end",
        {"end": timezone.now().isoformat()},
        content_type="application/json",
        **bearer("ent_a"),
    )
    assert end.status_code == 200 and end.json()["end"]
    assert client.post(
        f"/api/v1/shutdowns/{sid}/end", {"end": timezone.now().isoformat()}, content_type="application/json",
        **bearer("ent_b"),
    ).status_code == 404  # fmt: skip
