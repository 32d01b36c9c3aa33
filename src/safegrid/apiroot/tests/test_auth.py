"""The token flow: issue, use, record use, revoke, expiry, wrong passwords and the lock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from safegrid.core import tokens
from safegrid.core.choices import AuditAction
from safegrid.core.models import ApiToken, AuditEntry
from safegrid.core.testing import PASSWORD

from .conftest import assert_error

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/auth/me"


def _issue(client, username: str = "town_a", password: str = PASSWORD, **extra):
    return client.post(
        TOKEN_URL, {"username": username, "password": password, **extra}, content_type="application/json"
    )


def _auth(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_issue_use_and_revoke(world, client):
    response = _issue(client, name="巡查 App")
    assert response.status_code == 200, response.content
    body = response.json()
    raw = body["token"]
    assert raw.startswith(tokens.TOKEN_TAG) and len(raw) > 40
    token = ApiToken.objects.get(user=world.user("town_a"))
    # Only the digest is stored; the prefix identifies the token.
    assert token.digest == tokens.token_digest(raw) and raw not in token.digest
    assert body["prefix"] == token.prefix == raw[: tokens.PREFIX_LENGTH]
    assert token.name == "巡查 App"
    expected_expiry = timezone.now() + dt.timedelta(days=settings.SAFEGRID_API_TOKEN_DAYS)
    assert abs(token.expires_at - expected_expiry) < dt.timedelta(minutes=1)
    assert token.last_used_at is None

    me = client.get(ME_URL, **_auth(raw))
    assert me.status_code == 200
    data = me.json()
    assert data["username"] == "town_a" and data["auth"] == "token"
    assert [r["role"] for r in data["roles"]] == ["town_officer"]
    assert data["roles"][0]["division"] == world.town_a.code
    token.refresh_from_db()
    assert token.last_used_at is not None

    revoked = client.delete(TOKEN_URL, **_auth(raw))
    assert revoked.status_code == 204
    assert_error(client.get(ME_URL, **_auth(raw)), 401, "unauthorized")
    token.refresh_from_db()
    assert token.revoked_at is not None

    events = list(AuditEntry.objects.filter(action=AuditAction.TOKEN, object_id=str(token.pk)).order_by("id"))
    assert [e.after["event"] for e in events] == ["issue", "revoke"]
    assert all(token.digest not in str(e.after) for e in events)


def test_last_used_is_written_at_most_once_a_minute(world, client, django_assert_num_queries):
    raw, token = tokens.token_issue(actor=world.user("ent_a"), user=world.user("ent_a"))
    assert client.get(ME_URL, **_auth(raw)).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    # A second request within the minute reads the token but does not write it.
    with django_assert_num_queries(2):  # token + user lookup; role assignments
        assert client.get(ME_URL, **_auth(raw)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    assert client.get(ME_URL, **_auth(raw)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(minutes=1)


def test_expired_token_is_refused(world, client):
    raw, token = tokens.token_issue(actor=world.user("ent_a"), user=world.user("ent_a"))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_error(client.get(ME_URL, **_auth(raw)), 401, "unauthorized")
    assert_error(client.get("/api/v1/enterprises", **_auth(raw)), 401, "unauthorized")


def test_inactive_user_token_is_refused(world, client):
    user = world.user("ent_a")
    raw, _ = tokens.token_issue(actor=user, user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_error(client.get(ME_URL, **_auth(raw)), 401, "unauthorized")
    assert_error(_issue(client, "ent_a"), 401, "unauthorized")


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer nonsense", "Bearer sg_not-a-real-token", "Token abc", "Basic dXNlcjpwYXNz"],
)
def test_missing_or_bad_credentials(world, client, header):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/enterprises", **kwargs)
    error = assert_error(response, 401, "unauthorized")
    assert error["fields"] == {}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bad_token_on_a_write_is_401_not_a_csrf_error(world, client):
    response = client.post(
        "/api/v1/people", {}, content_type="application/json", HTTP_AUTHORIZATION="Bearer sg_wrong"
    )
    assert_error(response, 401, "unauthorized")


def test_revoke_without_a_token_is_refused(world, login):
    client = login(world.user("ent_a"))
    assert_error(client.delete(TOKEN_URL), 422, "validation_error")


def test_wrong_password_then_lock(world, client):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        error = assert_error(_issue(client, password="wrong-password"), 401, "unauthorized")
        assert error["message"] == "用户名或密码错误"
    locked = _issue(client, password="wrong-password")
    error = assert_error(locked, 429, "throttled")
    assert "锁定" in error["message"]
    # Now even the right password is refused until the cool-off passes.
    assert_error(_issue(client), 429, "throttled")
    assert not ApiToken.objects.filter(user=world.user("town_a")).exists()
    failures = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, object_id="town_a").count()
    assert failures >= limit
    # Other users are not locked.
    assert _issue(client, "town_b").status_code == 200


def test_session_may_read_and_needs_csrf_to_write(world, client):
    from django.test import Client

    client.force_login(world.user("county_admin"), backend="django.contrib.auth.backends.ModelBackend")
    me = client.get(ME_URL)
    assert me.status_code == 200 and me.json()["auth"] == "session"

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.user("county_admin"), backend="django.contrib.auth.backends.ModelBackend")
    assert strict.get("/api/v1/enterprises").status_code == 200
    response = strict.patch(
        f"/api/v1/enterprises/{world.ent_a.pk}", {"employees": 3}, content_type="application/json"
    )
    assert_error(response, 403, "forbidden")
    world.ent_a.refresh_from_db()
    assert world.ent_a.employees == 0
