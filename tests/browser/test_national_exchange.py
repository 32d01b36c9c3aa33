"""The national-format page in the browser, desktop and phone: the forms, and a refused upload listing each
problem by path (nothing imported)."""

from __future__ import annotations

import json

import pytest

from safegrid.core.testing import PASSWORD
from safegrid.risks.models import RiskPoint

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_refused_upload_lists_each_problem(browser, live_server, live_world, shots, tmp_path, viewport):
    ent = live_world.ent_a
    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "ent_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/hazards/national/")  # an enterprise manager lands on their enterprise
    assert page.url.endswith(f"/hazards/national/{ent.pk}/")
    assert page.locator("[data-testid=national-download]").is_visible()
    if shots:
        page.screenshot(path=str(shots / f"national-{viewport}.png"), full_page=True)

    payload = {
        "units": [{"id": "u-0000001", "companyCode": ent.uscc, "riskUnitName": "一号罐区"}],
        "hazards": [
            {"id": "h-0000001", "companyCode": ent.uscc, "riskMeasureId": "m-unknown1", "dangerName": "接地线断开",
             "dangerLevel": 0, "registTime": "2026-03-01 08:00:00", "registrant": "王", "dangerSrc": 12,
             "dangerManageType": 1, "hazardDangerType": 3, "dangerDesc": "接地线断开", "dangerState": 0,
             "dangerManageDeadline": "2026-03-10 23:59:59"}
        ],
    }  # fmt: skip
    upload = tmp_path / "bad.json"
    upload.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    page.set_input_files("input[name=file]", str(upload))
    page.click("[data-testid=national-upload]")
    page.wait_for_load_state("networkidle")
    problems = page.locator("[data-testid=national-problems]")
    text = problems.inner_text()
    assert "hazards[0].riskMeasureId" in text and "unknown parent id" in text
    assert "hazards[0].dangerSrc" in text
    assert not RiskPoint.objects.filter(enterprise=ent, name="一号罐区").exists()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[viewport]["width"] + 1, width
    if shots:
        page.screenshot(path=str(shots / f"national-refused-{viewport}.png"), full_page=True)
    context.close()
