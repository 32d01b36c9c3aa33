"""The inspection API: tasks with their open occurrences, check records pushed once (Idempotency-Key),
presence from a checkpoint token, flags in the list, scope and field-named refusals."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone

from safegrid.core import tokens
from safegrid.core.testing import SYSTEM
from safegrid.hazards import checklists
from safegrid.hazards.models import ChecklistTemplate, CheckRecord, HiddenHazard
from safegrid.risks.tests.factories import make_point

from .factories import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def bearer(world):
    def _bearer(username: str) -> dict[str, str]:
        raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user(username), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


@pytest.fixture
def planned(world):
    point = make_point(world, lat=36.95, lon=118.08)
    checkpoint = checklists.checkpoint_issue(actor=world.user("ent_a"), risk_point=point)
    now = timezone.now()
    occ = checklists.inspection_from_checklist(
        actor=world.user("ent_a"),
        template=ChecklistTemplate.objects.get(shipped_code="SHIP-HC121"),
        enterprise=world.ent_a,
        data={
            "title": "开车前检查",
            "kind": 7,
            "window_start": now - dt.timedelta(minutes=1),
            "window_end": now + dt.timedelta(hours=2),
            "risk_point": point,
            "responsible_post": world.post_a,
        },
    )
    return occ, checkpoint


def test_tasks_list_open_occurrences_in_scope(world, client, bearer, planned) -> None:
    occ, _ = planned
    got = client.get("/api/v1/inspection-tasks?one_off=true", **bearer("post_a"))
    assert got.status_code == 200, got.content
    task = next(t for t in got.json()["items"] if t["id"] == occ.task_id)
    assert (
        task["open_occurrences"][0]["id"] == occ.pk
        and task["item_criteria"][task["check_items"][0]] == "HC-01"
    )
    assert occ.task.title not in client.get("/api/v1/inspection-tasks", **bearer("ent_b")).content.decode()


def test_push_a_check_once_with_scan_and_finding(world, client, bearer, planned) -> None:
    occ, checkpoint = planned
    items = [{"item": text, "ok": True} for text in occ.task.check_items]
    items[1]["ok"] = False  # HC-02 special-operation workers without certificates
    body = {
        "occurrence": occ.pk,
        "items": items,
        "result": "finding",
        "checkpoint_token": checkpoint.token,
        "lat": 36.9501,
        "lon": 118.0801,
        "accuracy": 10,
        "device_time": (timezone.now() - dt.timedelta(minutes=30)).isoformat(),  # checked offline, sent later
        "device_id": "ex-handheld-7",
        "photo": {"name": "p.jpg", "data": base64.b64encode(jpeg("green")).decode()},
        "hazard": {"title": "焊工证过期", "description": "动火作业焊工特种作业证已过期", "hazard_type": 1},
    }
    headers = {**bearer("post_a"), "HTTP_IDEMPOTENCY_KEY": "check-0001"}
    first = client.post("/api/v1/check-records", body, content_type="application/json", **headers)
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["presence"] == "scanned" and data["scanned_at"] and data["device_id"] == "ex-handheld-7"
    assert data["distance_m"] < 20 and data["flags"] == [] and len(data["hazards"]) == 1
    again = client.post("/api/v1/check-records", body, content_type="application/json", **headers)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert CheckRecord.objects.count() == 1 and HiddenHazard.objects.count() == 1
    hazard = HiddenHazard.objects.get()
    assert hazard.level == "major" and hazard.major_criteria == ["HC-02"]
    listed = client.get("/api/v1/check-records?presence=scanned", **bearer("town_a")).json()
    assert [r["id"] for r in listed["items"]] == [data["id"]]
    assert client.get("/api/v1/check-records", **bearer("town_b")).json()["items"] == []


def test_bad_push_refused_by_field(world, client, bearer, planned) -> None:
    occ, checkpoint = planned
    items = [{"item": text, "ok": True} for text in occ.task.check_items]
    post = bearer("post_a")
    wrong_token = client.post(
        "/api/v1/check-records",
        {"occurrence": occ.pk, "items": items, "result": "ok", "checkpoint_token": "not-a-token"},
        content_type="application/json",
        **post,
    )
    assert wrong_token.status_code == 422 and "checkpoint_token" in wrong_token.content.decode()
    missing_items = client.post(
        "/api/v1/check-records",
        {"occurrence": occ.pk, "items": items[:3], "result": "ok"},
        content_type="application/json",
        **post,
    )
    assert missing_items.status_code == 422 and "items" in missing_items.content.decode()
    other = client.post(
        "/api/v1/check-records",
        {"occurrence": occ.pk, "items": items, "result": "ok"},
        content_type="application/json",
        **bearer("ent_b"),
    )
    assert other.status_code == 422 and "occurrence" in other.content.decode()
    assert not CheckRecord.objects.exists()
