"""The pages work under the strict CSP (no inline style, no inline script, no eval): the browser reports no
violation, charts and the map draw, tooltips open, and what used to be inline style is still applied."""

from __future__ import annotations

import pytest

from safegrid.core.testing import PASSWORD

pytestmark = pytest.mark.browser


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login/" not in page.url


def _hover(page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box, f"{selector} is not drawn"
    for fx, fy in ((0.5, 0.3), (0.3, 0.5), (0.6, 0.7)):
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_timeout(150)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_pages_raise_no_csp_violation(browser, live_server, live_world, viewport):
    from safegrid.jobs.models import Job
    from safegrid.jobs.testing import JOB_TITLE
    from safegrid.risks.models import RiskPoint
    from safegrid.risks.testing import POINT_NAME
    from safegrid.testworld import extend_world

    extend_world(live_world)
    point = RiskPoint.objects.get(enterprise=live_world.ent_b, name=POINT_NAME)
    job = Job.objects.get(title=JOB_TITLE)
    Job.objects.filter(pk=job.pk).update(status="running", done=3, total=4)

    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber));"
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = live_server.url
    _login(page, base, "county_admin")

    visits = {
        "/": "#chart-sector",
        "/risks/map/": "#risk-map",
        f"/enterprises/{live_world.ent_b.pk}/": None,
        f"/risks/cards/point/{point.pk}/": None,
        f"/risks/cards/enterprise/{live_world.ent_b.pk}/notice/": None,
        f"/jobs/{job.uuid}/": None,
        "/api/v1/docs": "#swagger-ui .info",
    }
    for path, drawn in visits.items():
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        if drawn:
            page.wait_for_selector(f"{drawn} >> nth=0", state="visible")
            if drawn.startswith("#chart") or drawn == "#risk-map":
                page.wait_for_selector(f"{drawn} svg, {drawn} canvas", state="attached")
                _hover(page, drawn)
        violations = page.evaluate("window.__csp")
        assert not violations, f"{path}: {violations}"
        if path.startswith("/risks/cards/point/"):
            fill = page.locator("section.sg-level").evaluate("e => getComputedStyle(e).backgroundColor")
            assert fill != "rgba(0, 0, 0, 0)", "the level's fill class is not applied"
        if path.startswith("/jobs/"):
            bar = page.locator(".progress-bar").first
            assert bar.evaluate("e => e.style.width") == "75%"
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
