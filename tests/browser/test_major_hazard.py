"""A major hazard's page in the browser, desktop and phone: the treatment plan, the report to the regulator,
the suspension order with its overdue on-site review, the review done through the form, and the workers'
notice board."""

from __future__ import annotations

import pytest

from safegrid.hazards import testing as hazard_world
from safegrid.hazards.models import HiddenHazard, SuspensionOrder
from safegrid.testworld import extend_world
from tests.browser.signin import sign_in as _login

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_major_hazard_close_out_sections(browser, live_server, live_world, shots, viewport):
    extend_world(live_world)
    hazard = HiddenHazard.objects.get(title=hazard_world.MAJOR_TITLE)
    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _login(page, live_server.url, "county_admin")
    page.goto(f"{live_server.url}/hazards/{hazard.pk}/")
    major = page.locator("#major")
    assert "重大事故隐患治理方案" in major.inner_text()
    assert hazard_world.PLAN_PARTS["organisation"] in major.inner_text()
    assert hazard_world.REPORT_MARKER in major.inner_text()
    assert hazard_world.SUSPENSION_NUMBER in major.inner_text()
    assert "已超期 2 天" in major.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[viewport]["width"], "the page scrolls sideways"
    if shots:
        page.screenshot(path=str(shots / f"major-hazard-{viewport}.png"), full_page=True)

    review = page.locator("form", has=page.locator('button:has-text("现场审查")'))
    review.locator('select[name="result"]').select_option("pass")
    review.locator('button:has-text("现场审查")').click()
    page.wait_for_load_state("networkidle")
    assert "现场审查合格，待核销" in page.locator("#major").inner_text()
    assert SuspensionOrder.objects.get(hazard=hazard).status == "passed"

    context.close()
    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _login(page, live_server.url, "ent_b")
    page.goto(f"{live_server.url}/hazards/notice/{hazard.enterprise_id}/")
    assert hazard_world.MAJOR_TITLE in page.inner_text("body")
    assert hazard_world.INTERIM_MARKER in page.inner_text("body")
    if shots:
        page.screenshot(path=str(shots / f"major-notice-board-{viewport}.png"), full_page=True)
    assert not errors, errors
    context.close()
