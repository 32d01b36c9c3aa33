"""The enterprise's self-report page (自查自报) in the browser, desktop and phone: the periods due, generating
a draft, the report page with its figures and the sign form; nothing wider than the phone's screen."""

from __future__ import annotations

import pytest

from safegrid.testworld import extend_world
from tests.browser.signin import sign_in as _login

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the screen"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_enterprise_self_report_page(browser, live_server, live_world, shots, viewport):
    extend_world(live_world)  # enterprise B: last quarter's report submitted, earlier periods missing
    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _login(page, live_server.url, "ent_b")
    page.goto(f"{live_server.url}/hazards/self-reports/")
    body = page.locator("main, body").first.inner_text()
    assert "本期自查自报" in body and "未报" in body
    _fits(page)
    if shots:
        page.screenshot(path=str(shots / f"self-report-enterprise-{viewport}.png"), full_page=True)
    page.locator("button", has_text="生成报告").first.click()
    page.wait_for_load_state("networkidle")
    assert "/hazards/self-reports/" in page.url and "隐患排查治理情况" in page.content()
    _fits(page)
    if shots:
        page.screenshot(path=str(shots / f"self-report-draft-{viewport}.png"), full_page=True)
    context.close()

    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    _login(page, live_server.url, "legal_b")
    page.goto(f"{live_server.url}/hazards/self-reports/")
    page.locator("a", has_text="核对并签署").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("input[name=password]").count() == 1
    _fits(page)
    if shots:
        page.screenshot(path=str(shots / f"self-report-sign-{viewport}.png"), full_page=True)
    context.close()

    # Town B's officer: the missing list, then receives B's submitted report.
    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _login(page, live_server.url, "town_b")
    page.goto(f"{live_server.url}/hazards/self-reports/missing/")
    assert "报送截止日" in page.content()
    _fits(page)
    if shots:
        page.screenshot(path=str(shots / f"self-report-missing-{viewport}.png"), full_page=True)
    page.goto(f"{live_server.url}/hazards/self-reports/?status=submitted")
    page.locator("table tbody a").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("button", has_text="查收").first.click()
    page.wait_for_load_state("networkidle")
    assert "已查收" in page.content()
    _fits(page)
    if shots:
        page.screenshot(path=str(shots / f"self-report-received-{viewport}.png"), full_page=True)
    assert not errors, errors
    context.close()
