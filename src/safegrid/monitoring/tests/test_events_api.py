"""POST /api/v1/monitoring/events and /api/v1/monitoring/event-sources: 201, 422 naming the field, dead
letters listed, scoped reads (another enterprise's source is a 404)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from safegrid.core import tokens
from safegrid.core.testing import SYSTEM
from safegrid.monitoring.models import Alarm, DeadLetter

from .events_helpers import make_source
from .ingest_helpers import ms

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/events"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture
def bearer(world):
    def _bearer(username: str) -> dict[str, str]:
        raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user(username), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


def _post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_enterprise_posts_events_and_an_alarm_is_raised(client, bearer, world):
    zone = make_source(world.ent_a, "ZONE-1", rated_headcount=5)
    body = {
        "events": [
            {"source": "ZONE-1", "ts": ms(NOW), "type": "headcount", "value": 7},
            {"source": "ZONE-1", "ts": ms(NOW), "type": "teleport"},
            {"source": "NOPE", "ts": ms(NOW), "type": "headcount", "value": 1},
        ]
    }
    response = _post(client, URL, body, bearer("ent_a"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["enterprise"], data["accepted"], data["duplicates"]) == (world.ent_a.uscc, 1, 0)
    assert [(r["reason"], r["reason_label"]) for r in data["rejected"]] == [
        ("unknown_event", "未知事件类型"),
        ("unknown_point", "未知点位"),
    ]
    alarm = Alarm.objects.get(point=zone)
    assert data["alarm_ids"] == [alarm.pk] and (alarm.rule, alarm.severity) == ("overcrowd", "HH")
    assert DeadLetter.objects.filter(source="http").count() == 2
    again = _post(client, URL, body, bearer("ent_a")).json()
    assert (again["accepted"], again["duplicates"]) == (0, 1)


def test_wrong_shape_is_422_naming_the_field(client, bearer, world):
    response = _post(client, URL, {"events": [{"source": "Z", "type": "headcount"}]}, bearer("ent_a"))
    assert response.status_code == 422
    assert "ts" in json.dumps(response.json(), ensure_ascii=False)


def test_regulator_cannot_send_events(client, bearer, world):
    response = _post(client, URL, {"events": []}, bearer("county_admin"))
    assert response.status_code in (403, 422)


def test_event_source_created_and_read_scoped(client, bearer, world):
    body = {"enterprise": world.ent_a.pk, "kind": "video", "code": "CAM-7", "name": "罐区摄像机"}
    created = _post(client, "/api/v1/monitoring/event-sources", body, bearer("ent_a"))
    assert created.status_code == 201, created.content
    assert (created.json()["kind"], created.json()["code"]) == ("video", "CAM-7")
    zone = {"enterprise": world.ent_a.pk, "kind": "zone", "code": "Z-7", "name": "区", "rated_headcount": 0}
    refused = _post(client, "/api/v1/monitoring/event-sources", zone, bearer("ent_a"))
    assert refused.status_code == 422 and "rated_headcount" in refused.content.decode()
    other = make_source(world.ent_b, "ZONE-B", rated_headcount=3)
    headers = bearer("ent_a")
    assert client.get(f"/api/v1/monitoring/event-sources/{other.pk}", **headers).status_code == 404
    listed = client.get("/api/v1/monitoring/event-sources", **headers).json()
    assert [row["code"] for row in listed["items"]] == ["CAM-7"]
    events = client.get(f"/api/v1/monitoring/event-sources/{other.pk}/events", **headers)
    assert events.status_code == 404
