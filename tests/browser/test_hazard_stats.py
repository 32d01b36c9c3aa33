"""Hazard statistics and the map's open-major-hazards layer in the browser, desktop and phone."""

from __future__ import annotations

import pytest

from safegrid.hazards import testing as hazard_world
from safegrid.regions.models import Division
from safegrid.testworld import extend_world
from tests.browser.signin import sign_in as _login

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SQUARE_A = {
    "type": "Polygon",
    "coordinates": [[[118.0, 36.9], [118.1, 36.9], [118.1, 36.96], [118.0, 36.96], [118.0, 36.9]]],
}
SQUARE_B = {
    "type": "Polygon",
    "coordinates": [[[118.1, 36.9], [118.2, 36.9], [118.2, 37.0], [118.1, 37.0], [118.1, 36.9]]],
}
COUNTY = {
    "type": "Polygon",
    "coordinates": [[[118.0, 36.9], [118.2, 36.9], [118.2, 37.0], [118.0, 37.0], [118.0, 36.9]]],
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_county_statistics_and_major_hazards_on_the_map(browser, live_server, live_world, shots, viewport):
    extend_world(live_world)
    Division.objects.filter(pk=live_world.county.pk).update(boundary=COUNTY)
    Division.objects.filter(pk=live_world.town_a.pk).update(boundary=SQUARE_A)
    Division.objects.filter(pk=live_world.town_b.pk).update(boundary=SQUARE_B)
    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _login(page, live_server.url, "county_admin")

    page.goto(f"{live_server.url}/hazards/stats/")
    page.locator("#chart-groups svg").first.wait_for()
    page.locator("#chart-months svg").first.wait_for()
    table = page.locator("#stats-table")
    assert "少海街道" in table.inner_text()
    assert page.locator('[data-kpi="open"]').inner_text().strip() != ""
    if shots:
        page.screenshot(path=str(shots / f"hazard-stats-county-{viewport}.png"), full_page=True)
    # the breakdown selector reloads the page by sector
    page.select_option('select[name="by"]', "sector")
    page.wait_for_url("**by=sector**")
    assert (
        "建筑施工" in page.locator("#stats-table").inner_text()
        or page.locator("#stats-table tbody tr").count() >= 1
    )

    page.goto(f"{live_server.url}/risks/map/")
    card = page.locator('[data-layer-card="major-hazards"]')
    card.locator("a", has_text=hazard_world.MAJOR_TITLE).wait_for()
    assert hazard_world.DOCUMENT_NUMBER in card.inner_text()
    if shots:
        page.screenshot(path=str(shots / f"map-major-hazards-{viewport}.png"), full_page=True)
    # switching the layer off hides its list
    page.locator('input[name="layer"][value="major-hazards"]').uncheck()
    card.wait_for(state="hidden")
    page.locator('input[name="layer"][value="major-hazards"]').check()
    link = card.locator("a", has_text=hazard_world.MAJOR_TITLE)
    link.wait_for()
    link.click()
    page.wait_for_url("**/hazards/*/")
    assert hazard_world.MAJOR_TITLE in page.content()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    context.close()


def test_town_a_sees_no_town_b_hazard_on_the_map_or_in_statistics(browser, live_server, live_world, shots):
    extend_world(live_world)
    context = browser.new_context(viewport=SIZES["phone"], locale="zh-CN")
    page = context.new_page()
    _login(page, live_server.url, "town_a")
    page.goto(f"{live_server.url}/risks/map/")
    card = page.locator('[data-layer-card="major-hazards"]')
    card.locator("[data-layer-list] .list-group-item").first.wait_for()
    assert hazard_world.MAJOR_TITLE not in page.content()
    page.goto(f"{live_server.url}/hazards/stats/")
    page.locator("#chart-groups svg").first.wait_for()
    assert live_world.ent_b.name not in page.content()
    if shots:
        page.screenshot(path=str(shots / "hazard-stats-town-a-phone.png"), full_page=True)
    context.close()
