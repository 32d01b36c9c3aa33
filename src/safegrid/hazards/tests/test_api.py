"""The hazards API: the closed loop through /api/v1/hazards with tokens, scope, 422 by field, idempotency."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone

from safegrid.core import tokens
from safegrid.core.testing import SYSTEM
from safegrid.hazards.models import HiddenHazard

from .factories import REPORT, jpeg

pytestmark = pytest.mark.django_db
URL = "/api/v1/hazards"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def bearer(world):
    def _bearer(username: str) -> dict[str, str]:
        raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user(username), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


def _post(client, url, body, headers, **extra):
    return client.post(url, body, content_type="application/json", **headers, **extra)


def _photo(colour: str = "red") -> dict[str, str]:
    return {"name": "p.jpg", "data": base64.b64encode(jpeg(colour)).decode()}


def test_closed_loop_over_the_api(world, client, bearer) -> None:
    grid, ent, town = bearer("grid_a"), bearer("ent_a"), bearer("town_a")
    created = _post(client, URL, {**REPORT, "enterprise": world.ent_a.pk, "photos": [_photo()]}, grid)
    assert created.status_code == 201, created.content
    hid = created.json()["id"]
    assert created.json()["origin"] == "grid" and created.json()["photos"][0]["kind"] == "before"
    assert _post(client, f"{URL}/{hid}/confirm", {"level": "general"}, ent).status_code == 200
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    body = {
        "responsible_person": world.person_a.pk,
        "measures": "恢复接地",
        "funds": "100",
        "deadline": tomorrow,
        "plan": "预案",
    }
    assert _post(client, f"{URL}/{hid}/assign", body, ent).json()["status"] == "rectifying"
    done = _post(client, f"{URL}/{hid}/submit", {"note": "已整改", "photos": [_photo("green")]}, ent)
    assert done.json()["status"] == "awaiting"
    refused = _post(client, f"{URL}/{hid}/accept", {}, ent)
    assert refused.status_code == 403
    closed = _post(client, f"{URL}/{hid}/accept", {"comment": "合格"}, town)
    assert closed.json()["status"] == "closed" and closed.json()["days_to_close"] == 0


def test_field_named_422(world, client, bearer) -> None:
    ent = bearer("ent_a")
    hid = _post(client, URL, {**REPORT, "enterprise": world.ent_a.pk}, ent).json()["id"]
    _post(client, f"{URL}/{hid}/confirm", {"level": "general"}, ent)
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = _post(client, f"{URL}/{hid}/assign", {"deadline": past, "measures": "x"}, ent)
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert {"responsible_person", "funds", "plan", "deadline"} <= set(fields)
    bad = _post(client, URL, {**REPORT, "enterprise": world.ent_a.pk, "photos": [{"data": "aGVsbG8="}]}, ent)
    assert bad.status_code == 422 and "photos" in bad.json()["error"]["fields"]
    illegal = _post(client, f"{URL}/{hid}/accept", {}, bearer("town_a"))
    assert illegal.status_code == 422 and "status" in illegal.json()["error"]["fields"]


def test_scope_404_and_422_for_references(world, client, bearer) -> None:
    hazard_b = _post(client, URL, {**REPORT, "enterprise": world.ent_b.pk}, bearer("ent_b")).json()["id"]
    assert client.get(f"{URL}/{hazard_b}", **bearer("town_a")).status_code == 404
    assert (
        _post(client, f"{URL}/{hazard_b}/confirm", {"level": "general"}, bearer("ent_a")).status_code == 404
    )
    response = _post(client, URL, {**REPORT, "enterprise": world.ent_b.pk}, bearer("grid_a"))
    assert response.status_code == 422 and "enterprise" in response.json()["error"]["fields"]
    listed = client.get(URL, **bearer("town_a")).json()
    assert all(item["enterprise"] == world.ent_a.pk for item in listed["items"])


def test_a_retried_report_is_created_once(world, client, bearer) -> None:
    headers = bearer("grid_a")
    body = {**REPORT, "enterprise": world.ent_a.pk, "photos": [_photo()]}
    first = _post(client, URL, body, headers, HTTP_IDEMPOTENCY_KEY="offline-report-0001")
    again = _post(client, URL, body, headers, HTTP_IDEMPOTENCY_KEY="offline-report-0001")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert HiddenHazard.objects.count() == 1
