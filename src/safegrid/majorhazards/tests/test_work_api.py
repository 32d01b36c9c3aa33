"""/api/v1/special-works and /api/v1/commitments: scope, field-named 422s, moves, idempotency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safegrid.core import tokens
from safegrid.core.testing import SYSTEM
from safegrid.majorhazards.models import SafetyCommitment, SpecialWork

from .work_helpers import file_work, major_unit, principal

pytestmark = pytest.mark.django_db
URL = "/api/v1/special-works"


@pytest.fixture
def bearer(world):
    def _bearer(user) -> dict[str, str]:
        user = world.user(user) if isinstance(user, str) else user
        raw, _ = tokens.token_issue(actor=SYSTEM, user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


def _post(client, url, body, headers, **extra):
    return client.post(url, body, content_type="application/json", **headers, **extra)


def _body(world, **changes):
    start = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None) - dt.timedelta(minutes=5)
    body = {
        "enterprise": world.ent_a.pk,
        "work_type": "hot",
        "grade": "1",
        "content": "储罐区管线焊接",
        "place": "1 号罐区",
        "latitude": 36.9501,
        "longitude": 118.0801,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=6)).isoformat(),
        "permit_number": "API-001",
        "watcher_name": "李监护",
    }
    body.update(changes)
    return body


def test_file_and_move_over_the_api(world, client, bearer):
    ent = bearer("ent_a")
    created = _post(client, URL, _body(world), ent)
    assert created.status_code == 201, created.content
    wid = created.json()["id"]
    assert created.json()["high_risk"] is True and created.json()["type_label"] == "一级动火作业"
    refused = _post(client, f"{URL}/{wid}/start", {}, ent)
    assert refused.status_code == 422 and "analyses" in refused.json()["error"]["fields"]
    analysis = {
        "at": timezone.localtime().replace(tzinfo=None).isoformat(timespec="minutes"),
        "location": "罐区",
        "result": "可燃气体 0%LEL",
        "qualified": True,
        "analyst": "王分析",
    }
    assert _post(client, f"{URL}/{wid}/gas-analyses", analysis, ent).status_code == 201
    assert _post(client, f"{URL}/{wid}/start", {}, ent).json()["status"] == "in_progress"
    assert _post(client, f"{URL}/{wid}/pause", {"comment": "交接班"}, ent).json()["status"] == "paused"
    assert _post(client, f"{URL}/{wid}/resume", {}, ent).json()["status"] == "in_progress"
    done = _post(client, f"{URL}/{wid}/complete", {}, ent).json()
    assert done["status"] == "completed" and done["pauses"][0]["reason"] == "交接班"
    again = _post(client, f"{URL}/{wid}/cancel", {"comment": "x"}, ent)
    assert again.status_code == 422 and "status" in again.json()["error"]["fields"]
    detail = client.get(f"{URL}/{wid}", **ent).json()
    assert len(detail["analyses"]) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"grade": "3"}, "grade"),
        ({"work_type": "welding"}, "work_type"),
        ({"latitude": 95}, "latitude"),
        ({"latitude": 38.5}, "latitude"),
        ({"permit_number": ""}, "permit_number"),
    ],
)
def test_field_named_422(world, client, bearer, changes, field):
    response = _post(client, URL, _body(world, **changes), bearer("ent_a"))
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert SpecialWork.objects.count() == 0


def test_too_long_hot_work_names_end(world, client, bearer):
    body = _body(world)
    start = dt.datetime.fromisoformat(body["start"])
    body["end"] = (start + dt.timedelta(hours=8, minutes=1)).isoformat()
    response = _post(client, URL, body, bearer("ent_a"))
    assert response.status_code == 422 and "end" in response.json()["error"]["fields"]


def test_scope(world, client, bearer):
    work = file_work(world)
    assert client.get(f"{URL}/{work.pk}", **bearer("ent_b")).status_code == 404
    assert client.get(URL, **bearer("ent_b")).json()["total"] == 0
    assert client.get(URL, **bearer("dept_chem")).json()["total"] == 1
    assert _post(client, f"{URL}/{work.pk}/cancel", {"comment": "x"}, bearer("ent_b")).status_code == 404
    other = _post(client, URL, _body(world), bearer("ent_b"))
    assert other.status_code == 422 and "enterprise" in other.json()["error"]["fields"]
    # a regulator reads but does not file or move
    assert _post(client, f"{URL}/{work.pk}/cancel", {"comment": "x"}, bearer("dept_chem")).status_code == 403


def test_idempotent_post(world, client, bearer):
    ent = bearer("ent_a")
    first = _post(client, URL, _body(world), ent, HTTP_IDEMPOTENCY_KEY="work-key-0001")
    second = _post(client, URL, _body(world), ent, HTTP_IDEMPOTENCY_KEY="work-key-0001")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert SpecialWork.objects.count() == 1


def test_commitments(world, client, bearer):
    major_unit(world.ent_a)
    file_work(world)
    lr = bearer(principal(world))
    base = {"enterprise": world.ent_a.pk, "commitment_text": "今日承诺安全", "principal_name": "张甲"}
    refused = _post(client, "/api/v1/commitments", {**base, "hot_one": 0}, lr)
    assert refused.status_code == 422 and "explanation" in refused.json()["error"]["fields"]
    assert "一级动火作业" in refused.json()["error"]["fields"]["explanation"][0]
    assert _post(client, "/api/v1/commitments", base, bearer("ent_a")).status_code == 403
    posted = _post(client, "/api/v1/commitments", base, lr, HTTP_IDEMPOTENCY_KEY="commit-key-1")
    assert posted.status_code == 201, posted.content
    assert posted.json()["hot_one"] == 1 and posted.json()["units_total"] == 1  # counts from the filings
    replay = _post(client, "/api/v1/commitments", base, lr, HTTP_IDEMPOTENCY_KEY="commit-key-1")
    assert replay.status_code == 201 and SafetyCommitment.objects.count() == 1
    assert client.get("/api/v1/commitments", **bearer("dept_chem")).json()["total"] == 1
    assert client.get("/api/v1/commitments", **bearer("ent_b")).json()["total"] == 0
    assert (
        client.get(f"/api/v1/commitments?day={timezone.localdate().isoformat()}&differs=false", **lr).json()[
            "total"
        ]
        == 1
    )
