"""A town officer sees only their town's enterprises, in the browser and through the API."""

from __future__ import annotations

import pytest

from safegrid.core.testing import PASSWORD
from tests.browser.signin import sign_in as _login

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_town_a_sees_its_town_only(browser, live_server, live_world, shots, viewport):
    size = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}[viewport]
    context = browser.new_context(viewport=size, locale="zh-CN")
    page = context.new_page()
    base = live_server.url
    _login(page, base, "town_a")

    page.goto(f"{base}/enterprises/")
    body = page.content()
    assert live_world.ent_a.name in body
    assert live_world.ent_b.name not in body
    if shots:
        page.screenshot(path=str(shots / f"enterprise-list-{viewport}.png"), full_page=True)

    page.get_by_text(live_world.ent_a.name).first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/").endswith(f"/enterprises/{live_world.ent_a.pk}")
    assert live_world.ent_a.uscc in page.content()
    if shots:
        page.screenshot(path=str(shots / f"enterprise-detail-{viewport}.png"), full_page=True)

    response = page.goto(f"{base}/enterprises/{live_world.ent_b.pk}/")
    assert response is not None and response.status == 404
    assert live_world.ent_b.name not in page.content()
    context.close()


def test_town_a_api_with_token(browser, live_server, live_world):
    context = browser.new_context()
    api = context.request
    base = live_server.url
    issued = api.post(f"{base}/api/v1/auth/token", data={"username": "town_a", "password": PASSWORD})
    assert issued.status == 200, issued.text()
    headers = {"Authorization": f"Bearer {issued.json()['token']}"}

    listed = api.get(f"{base}/api/v1/enterprises", headers=headers)
    assert listed.status == 200
    names = {item["name"] for item in listed.json()["items"]}
    assert names == {live_world.ent_a.name}

    assert api.get(f"{base}/api/v1/enterprises/{live_world.ent_a.pk}", headers=headers).status == 200
    hidden = api.get(f"{base}/api/v1/enterprises/{live_world.ent_b.pk}", headers=headers)
    assert hidden.status == 404
    assert hidden.json()["error"]["code"] == "not_found"
    assert api.get(f"{base}/api/v1/enterprises", headers={"Authorization": "Bearer wrong"}).status == 401
    context.close()
