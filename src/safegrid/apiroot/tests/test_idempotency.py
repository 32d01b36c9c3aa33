"""Idempotency-Key on the assembled API: a retried write is answered from the first one, once for all routers."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from safegrid.api import idempotency
from safegrid.api.models import IdempotencyKey
from safegrid.core.models import AuditEntry
from safegrid.enterprises.models import Enterprise, Person
from safegrid.risks.models import RiskPoint

from .conftest import assert_error
from .test_enterprises import _new_enterprise

ENTERPRISES = "/api/v1/enterprises"
KEY = "5f0c2a9e-7d1b-4c8e-9a53-2f6b1e0d4c77"


def _post(client, url, body, headers, key=KEY, raw: str | None = None):
    data = raw if raw is not None else json.dumps(body)
    return client.post(url, data, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **headers)


def test_a_repeated_post_creates_one_enterprise(world, client, bearer):
    headers = bearer("county_admin")
    body = _new_enterprise(world)
    enterprises, audits = Enterprise.objects.count(), AuditEntry.objects.count()
    first = _post(client, ENTERPRISES, body, headers)
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    after = AuditEntry.objects.count()
    assert Enterprise.objects.count() == enterprises + 1 and after > audits

    # The same request again (keys in another order, other spacing): the first answer, nothing new.
    again = _post(client, ENTERPRISES, None, headers, raw=json.dumps(dict(reversed(body.items())), indent=2))
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert Enterprise.objects.count() == enterprises + 1 and AuditEntry.objects.count() == after
    # Another token of the same user shares the key.
    assert _post(client, ENTERPRISES, body, bearer("county_admin")).status_code == 201
    assert Enterprise.objects.count() == enterprises + 1


def test_a_repeated_post_creates_one_risk_point(world, client, bearer):
    body = {"enterprise": world.ent_a.pk, "code": "RP-900", "name": "装车台", "type": "facility"}
    for _ in range(3):
        response = _post(client, "/api/v1/risks/points", body, bearer("ent_a"))
        assert response.status_code == 201, response.content
    assert RiskPoint.objects.filter(code="RP-900").count() == 1


def test_the_same_key_for_another_request_is_422(world, client, bearer):
    headers = bearer("county_admin")
    assert _post(client, ENTERPRISES, _new_enterprise(world), headers).status_code == 201
    changed = _new_enterprise(world, name="丁机械制造有限公司")
    error = assert_error(_post(client, ENTERPRISES, changed, headers), 422, "validation_error")
    assert list(error["fields"]) == ["Idempotency-Key"]
    other_path = _post(client, "/api/v1/people", {"enterprise": world.ent_a.pk, "name": "周"}, headers)
    assert list(assert_error(other_path, 422, "validation_error")["fields"]) == ["Idempotency-Key"]
    assert not Enterprise.objects.filter(name="丁机械制造有限公司").exists()
    assert not Person.objects.filter(name="周").exists()


def test_keys_belong_to_their_user(world, client, bearer):
    body = {"enterprise": world.ent_a.pk, "name": "钱"}
    assert _post(client, "/api/v1/people", body, bearer("ent_a")).status_code == 201
    response = _post(client, "/api/v1/people", body, bearer("county_admin"))
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Person.objects.filter(name="钱").count() == 2


@pytest.mark.parametrize("key", ["short", "x" * 256, "has space in it", "中文的幂等键一二三"])
def test_a_malformed_key_is_refused(world, client, bearer, key):
    response = _post(
        client, "/api/v1/people", {"enterprise": world.ent_a.pk, "name": "孙"}, bearer("ent_a"), key=key
    )
    assert list(assert_error(response, 422, "validation_error")["fields"]) == ["Idempotency-Key"]
    assert not Person.objects.filter(name="孙").exists()


def test_the_drafts_quoted_form_is_the_same_key(world, client, bearer):
    body = {"enterprise": world.ent_a.pk, "name": "吴"}
    assert _post(client, "/api/v1/people", body, bearer("ent_a")).status_code == 201
    again = _post(client, "/api/v1/people", body, bearer("ent_a"), key=f'"{KEY}"')
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.filter(name="吴").count() == 1


def test_an_error_answer_is_not_stored(world, client, bearer):
    headers = bearer("county_admin")
    bad = _new_enterprise(world, lat=95)
    assert_error(_post(client, ENTERPRISES, bad, headers), 422, "validation_error")
    refused = _new_enterprise(world, uscc=world.ent_b.uscc)  # refused by the service, after the key check
    assert _post(client, ENTERPRISES, refused, headers).status_code in {409, 422}
    assert not IdempotencyKey.objects.exists()
    response = _post(client, ENTERPRISES, _new_enterprise(world), headers)  # corrected, same key
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


def test_a_failure_after_the_write_rolls_back_the_write_and_the_key(world, client, bearer, monkeypatch):
    from safegrid.enterprises import selectors

    headers = bearer("county_admin")
    enterprises, audits = Enterprise.objects.count(), AuditEntry.objects.count()
    real_get = selectors.enterprise_get

    def broken(user, pk):  # the enterprise and its audit entry are written; reading it back fails
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "enterprise_get", broken)
    assert_error(_post(client, ENTERPRISES, _new_enterprise(world), headers), 500, "server_error")
    assert (Enterprise.objects.count(), AuditEntry.objects.count()) == (enterprises, audits)
    assert not IdempotencyKey.objects.exists()
    monkeypatch.setattr(selectors, "enterprise_get", real_get)
    assert _post(client, ENTERPRISES, _new_enterprise(world), headers).status_code == 201
    assert Enterprise.objects.count() == enterprises + 1


def test_a_key_committed_meanwhile_is_a_conflict(world, client, bearer, monkeypatch):
    """The unique (user, key) row is the last guard: a racing commit of the same key rolls this one back."""
    from safegrid.enterprises import services

    user = world.user("ent_a")
    real_create = services.person_create

    def racing(**kwargs):
        person = real_create(**kwargs)
        IdempotencyKey.objects.create(
            user=user,
            key=KEY,
            fingerprint="0" * 64,
            method="POST",
            path="/",
            status_code=201,
            expires_at=idempotency.expiry(timezone.now()),
        )
        return person

    monkeypatch.setattr(services, "person_create", racing)
    response = _post(client, "/api/v1/people", {"enterprise": world.ent_a.pk, "name": "郑"}, bearer("ent_a"))
    assert list(assert_error(response, 409, "conflict")["fields"]) == ["Idempotency-Key"]
    assert not Person.objects.filter(name="郑").exists()


def test_a_retried_delete_answers_like_the_first(world, client, bearer):
    headers = bearer("ent_a")
    person = Person.objects.create(enterprise=world.ent_a, name="冯")
    url = f"/api/v1/people/{person.pk}"
    first = client.delete(url, HTTP_IDEMPOTENCY_KEY=KEY, **headers)
    assert first.status_code == 204
    again = client.delete(url, HTTP_IDEMPOTENCY_KEY=KEY, **headers)
    assert again.status_code == 204 and again["Idempotent-Replayed"] == "true"
    assert client.delete(url, **headers).status_code == 404  # without the key it is a new request


def test_safe_requests_ignore_the_header(world, client, bearer):
    response = client.get(ENTERPRISES, HTTP_IDEMPOTENCY_KEY="bad key", **bearer("county_admin"))
    assert response.status_code == 200
    assert not IdempotencyKey.objects.exists()


def test_expired_keys_are_new_again_and_purged(world, client, bearer):
    body = {"enterprise": world.ent_a.pk, "name": "陈"}
    assert _post(client, "/api/v1/people", body, bearer("ent_a")).status_code == 201
    stored = IdempotencyKey.objects.get()
    assert stored.expires_at - stored.created_at == dt.timedelta(hours=24)
    IdempotencyKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _post(client, "/api/v1/people", body, bearer("ent_a"))
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Person.objects.filter(name="陈").count() == 2
    assert idempotency.purge_expired() == 0  # the key was renewed by the second request
    assert idempotency.purge_expired(now=timezone.now() + dt.timedelta(hours=25)) == 1
    assert not IdempotencyKey.objects.exists()


def test_the_openapi_document_explains_the_header(db, client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "Idempotency-Key" in spec["info"]["description"]
    create = spec["paths"]["/api/v1/enterprises"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    listing = spec["paths"]["/api/v1/enterprises"]["get"]
    assert all(p["name"] != "Idempotency-Key" for p in listing.get("parameters", []))
    token = spec["paths"]["/api/v1/auth/token"]["post"]
    assert all(p["name"] != "Idempotency-Key" for p in token.get("parameters", []))


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time: the duplicate waits and is replayed",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_duplicate_while_the_first_is_running_is_409(world, bearer, monkeypatch):
    from safegrid.enterprises import services

    headers = bearer("ent_a")
    # Use the token once first: its first use in a window updates the token row, and a duplicate would
    # then wait on that row lock (and be replayed) instead of meeting the key's advisory lock.
    assert Client().get("/api/v1/people", **headers).status_code == 200
    started, release = threading.Event(), threading.Event()
    real_create = services.person_create

    def slow(**kwargs):
        started.set()
        release.wait(30)
        return real_create(**kwargs)

    monkeypatch.setattr(services, "person_create", slow)
    body = {"enterprise": world.ent_a.pk, "name": "韩"}
    answers = {}

    def first_request():
        answers["first"] = _post(Client(), "/api/v1/people", body, headers)
        connection.close()

    thread = threading.Thread(target=first_request)
    thread.start()
    assert started.wait(30)
    try:
        second = _post(Client(), "/api/v1/people", body, headers)
        assert list(assert_error(second, 409, "conflict")["fields"]) == ["Idempotency-Key"]
    finally:
        release.set()
        thread.join(30)
    assert answers["first"].status_code == 201
    third = _post(Client(), "/api/v1/people", body, headers)
    assert third["Idempotent-Replayed"] == "true"
    assert Person.objects.filter(name="韩").count() == 1
