from __future__ import annotations

import datetime as dt
import json

import pytest

from safegrid.core import tokens
from safegrid.core.testing import SYSTEM
from safegrid.monitoring.models import DeadLetter, Reading, ReadingRollup

from .ingest_helpers import make_point, ms

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/readings"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture
def bearer(world):
    def _bearer(username: str) -> dict[str, str]:
        raw, _ = tokens.token_issue(actor=SYSTEM, user=world.user(username), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


@pytest.fixture
def point(world):
    make_point(world.ent_b, "LT-501")  # the same code elsewhere must not catch ent_a's readings
    return make_point(world.ent_a, "LT-501", measure_unit="m")


def _post(client, body, headers, **extra):
    return client.post(URL, json.dumps(body), content_type="application/json", **headers, **extra)


def test_enterprise_posts_readings_stored_once_with_refusals_listed(client, bearer, point, world):
    body = {
        "readings": [
            {"point": "LT-501", "ts": ms(NOW), "value": 1.25},
            {"point": "LT-501", "ts": "2026-01-01T00:00:00Z", "value": 1.0},
            {"point": "NOPE", "ts": ms(NOW), "value": 1.0},
        ],
        "publisher": "gw",
        "seq": 1,
    }
    headers = bearer("ent_a")
    response = _post(client, body, headers, HTTP_IDEMPOTENCY_KEY="readings-0001")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["enterprise"], data["accepted"], data["duplicates"]) == (world.ent_a.uscc, 1, 0)
    assert [r["reason"] for r in data["rejected"]] == ["too_old", "unknown_point"]
    # The same key again: the stored answer, nothing written twice.
    again = _post(client, body, headers, HTTP_IDEMPOTENCY_KEY="readings-0001")
    assert again.headers["Idempotent-Replayed"] == "true"
    # Sent again without a key: the reading is a duplicate of what is stored.
    assert _post(client, body, headers).status_code == 200
    assert list(Reading.objects.values_list("point_id", "value")) == [(point.pk, 1.25)]
    assert DeadLetter.objects.filter(enterprise=world.ent_a).count() == 4


def test_who_may_post(client, bearer, point, world):
    body = {"readings": [{"point": "LT-501", "ts": ms(NOW), "value": 1.0}]}
    assert _post(client, body, bearer("county_admin")).status_code == 403
    assert _post(client, body, bearer("post_a")).status_code == 403
    refused = _post(client, {**body, "enterprise": world.ent_b.uscc}, bearer("ent_a"))
    assert refused.status_code == 422 and "enterprise" in refused.json()["error"]["fields"]
    assert Reading.objects.count() == 0


def test_malformed_body_is_a_field_named_422(client, bearer, point):
    response = _post(client, {"readings": [{"point": "LT-501", "ts": [], "value": "x"}]}, bearer("ent_a"))
    assert response.status_code == 422
    assert response.json()["error"]["fields"]


def test_point_readings_raw_and_rollups_scoped(client, bearer, point, world):
    _post(
        client,
        {
            "readings": [
                {"point": "LT-501", "ts": ms(NOW - dt.timedelta(minutes=m)), "value": m} for m in range(3)
            ]
        },
        bearer("ent_a"),
    )
    url = f"/api/v1/monitoring/points/{point.pk}/readings"
    start = (NOW - dt.timedelta(hours=1)).isoformat()
    end = (NOW + dt.timedelta(seconds=1)).isoformat()
    raw = client.get(url, {"start": start, "end": end}, **bearer("ent_a"))
    assert raw.status_code == 200, raw.content
    assert raw.json()["resolution"] == "raw"
    assert [r["value"] for r in raw.json()["rows"]] == [2.0, 1.0, 0.0]
    bucket = (NOW - dt.timedelta(days=2)).replace(minute=0, second=0)
    ReadingRollup.objects.create(point=point, period="1h", bucket=bucket, count=4, min=1, max=3, sum=8)
    long = client.get(
        url, {"start": (NOW - dt.timedelta(days=10)).isoformat(), "end": end}, **bearer("county_admin")
    )
    assert long.json()["resolution"] == "1h"
    assert long.json()["rows"] == [
        {"ts": bucket.isoformat().replace("+00:00", "Z"), "value": 2.0, "min": 1.0, "max": 3.0, "count": 4}
    ]
    assert client.get(url, {"start": start, "end": end}, **bearer("ent_b")).status_code == 404
    backwards = client.get(url, {"start": end, "end": start}, **bearer("ent_a"))
    assert backwards.status_code == 422 and "end" in backwards.json()["error"]["fields"]


def test_dead_letters_each_enterprise_sees_its_own(client, bearer, point, world):
    from safegrid.monitoring.selectors.readings import dead_letter_counts

    _post(client, {"readings": [{"point": "NOPE-A", "ts": ms(NOW), "value": 1.0}]}, bearer("ent_a"))
    _post(client, {"readings": [{"point": "NOPE-B", "ts": ms(NOW), "value": 1.0}]}, bearer("ent_b"))
    url = "/api/v1/monitoring/dead-letters"
    mine = client.get(url, **bearer("ent_a")).json()
    assert mine["total"] == 1 and "NOPE-A" in mine["items"][0]["payload"]
    assert mine["items"][0]["reason_label"] == "未知点位"
    assert client.get(url, {"reason": "future"}, **bearer("ent_a")).json()["total"] == 0
    assert client.get(url, **bearer("county_admin")).json()["total"] == 2
    counts = dead_letter_counts(world.user("county_admin"), since=NOW - dt.timedelta(hours=1))
    assert [(c["enterprise_id"], c["reason"], c["count"]) for c in counts] == [
        (world.ent_a.pk, "unknown_point", 1),
        (world.ent_b.pk, "unknown_point", 1),
    ]
