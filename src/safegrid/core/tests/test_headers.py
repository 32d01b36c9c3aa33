"""Security headers: a CSP with nothing unsafe, and no caching of what a signed-in user sees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safegrid.core.testing import SYSTEM
from safegrid.core.tokens import token_issue


def test_csp_allows_no_inline_script_eval_or_inline_style(client, db):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in policy


@pytest.mark.parametrize("path", ["/", "/enterprises/", "/notifications/", "/risks/map/divisions.json"])
def test_signed_in_pages_and_json_are_not_stored(world, login, path):
    response = login(world.user("county_admin")).get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_api_answers_to_a_token_are_not_stored(world, client):
    token, _ = token_issue(actor=SYSTEM, user=world.user("town_a"), name="headers test")
    response = client.get("/api/v1/enterprises", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_views_own_caching_is_kept_and_anonymous_answers_are_left_alone(world, login, client):
    asset = reverse("api_docs_asset", kwargs={"name": "swagger-ui.css"})
    assert client.get(asset)["Cache-Control"] == "public, max-age=86400"
    # Signed in: the view chose public caching for a versioned library file, and keeps it.
    assert login(world.user("town_a")).get(asset)["Cache-Control"] == "public, max-age=86400"
