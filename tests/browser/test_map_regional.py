"""The map in the browser: the region list opens the adjust form; an editor places a risk point on the
site plan by clicking it; every point shows, on the plan or by lat/lon. Desktop and phone."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from safegrid.core.testing import PASSWORD, SYSTEM
from safegrid.regions.models import Division
from safegrid.risks.models import RegionalRisk, RiskPoint, RiskSettings
from safegrid.risks.services import regional as regional_services
from safegrid.risks.tests.test_regional_services import graded_point

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SQUARE = {"type": "Polygon", "coordinates": [[[118.0, 36.9], [118.1, 36.9], [118.1, 37.0], [118.0, 36.9]]]}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _login(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login/" not in page.url, f"login as {username} failed"


def _plan_png() -> bytes:
    """A small drawn site plan: two buildings and a road."""
    image = Image.new("RGB", (800, 500), "#f8f9fa")
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 360, 220), outline="#495057", width=4)
    draw.rectangle((460, 80, 740, 300), outline="#495057", width=4)
    draw.rectangle((0, 380, 800, 420), fill="#ced4da")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_region_list_opens_the_adjust_form(browser, live_server, live_world, shots, viewport):
    for division in (live_world.county, live_world.town_a, live_world.town_b):
        Division.objects.filter(pk=division.pk).update(boundary=SQUARE)
    graded_point(live_world.ent_a, "RP-1", 1, lat=36.95, lon=118.05)
    RiskSettings.objects.create(county=live_world.county, regional_min_base=1)
    year = timezone.localdate().year
    regional_services.regional_propose(actor=SYSTEM, year=year)
    row = RegionalRisk.objects.get(division=live_world.town_a, year=year)

    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    base = live_server.url
    _login(page, base, "county_admin")
    page.goto(f"{base}/risks/map/regional/?year={year}")
    body = page.content()
    assert row.next_review_on.isoformat() in body and "风险指数" in body  # due date and basis
    if shots:
        page.screenshot(path=str(shots / f"regional-list-{viewport}.png"), full_page=True)
    adjust = page.locator(f'a[href="/risks/map/regional/{row.pk}/"]').filter(has_text="确定/调整")
    adjust.first.scroll_into_view_if_needed()
    adjust.first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/risks/map/regional/{row.pk}/")
    assert page.locator("select[name=level]").count() == 1
    if shots:
        page.screenshot(path=str(shots / f"regional-adjust-{viewport}.png"), full_page=True)
    page.select_option("select[name=level]", "2")
    page.fill("textarea[name=reason]", "园区已整改，经分析研判调整为较大风险")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    row.refresh_from_db()
    assert (row.level, row.adjusted) == (2, True)
    context.close()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_an_editor_places_a_point_by_clicking_the_plan(browser, live_server, live_world, shots, viewport):
    ent = live_world.ent_a
    on_plan = graded_point(ent, "RP-1", 1, plan_x=0.2, plan_y=0.3, lat=36.9501, lon=118.0801)
    by_coords = graded_point(ent, "RP-2", 3, lat=36.9503, lon=118.0806)
    graded_point(ent, "RP-3", 2, lat=36.9499, lon=118.0803)
    upload = SimpleUploadedFile("plan.png", _plan_png(), content_type="image/png")
    regional_services.site_plan_upload(actor=SYSTEM, enterprise=ent, image=upload)

    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    base = live_server.url
    _login(page, base, "ent_a")
    page.goto(f"{base}/risks/map/?enterprise={ent.pk}")
    page.wait_for_selector("#plan-view:not(.d-none) .sg-plan-dot")
    status = page.locator("#map-status")
    assert "2 个风险点尚未在平面图上标注" in status.inner_text()
    assert "既无平面图位置也无经纬度" not in status.inner_text()  # they have lat/lon
    assert page.locator("#side-list [data-point]").count() == 3  # every point is listed
    if shots:
        page.screenshot(path=str(shots / f"map-plan-{viewport}.png"), full_page=True)

    page.locator(f'[data-place="{by_coords.pk}"]').click()
    assert "sg-placing" in (page.locator("#plan-view").get_attribute("class") or "")
    page.wait_for_timeout(600)  # the page scrolls (smoothly) up to the plan
    page.locator("#plan-image").scroll_into_view_if_needed()
    if shots:
        page.screenshot(path=str(shots / f"map-placing-{viewport}.png"))
    box = page.locator("#plan-image").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.4)
    page.locator("#map-status", has_text="已保存").wait_for()
    by_coords.refresh_from_db()
    assert by_coords.plan_x == pytest.approx(0.75, abs=0.02) and by_coords.plan_y == pytest.approx(
        0.4, abs=0.02
    )
    assert page.locator(".sg-plan-dot").count() == 2
    on_plan.refresh_from_db()
    assert (on_plan.plan_x, on_plan.plan_y) == (0.2, 0.3)  # untouched

    page.locator('#plan-toggle [data-view="coords"]').click()
    page.wait_for_selector("#risk-map:not(.d-none)")
    page.wait_for_timeout(300)
    assert "没有经纬度" not in page.locator("#map-status").inner_text()
    if shots:
        page.screenshot(path=str(shots / f"map-coords-{viewport}.png"), full_page=True)
    assert RiskPoint.objects.filter(enterprise=ent, plan_x__isnull=False).count() == 2
    context.close()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_county_labels_sit_above_the_dots_and_an_enterprise_s_points_spread_out(
    browser, live_server, transactional_db, settings, shots, viewport
):
    """On the demo county (its real outline and illustrative towns), signed in as its county admin."""
    from safegrid.demo import builders
    from safegrid.enterprises.models import Enterprise
    from safegrid.risks.models import EnterpriseSitePlan
    from safegrid.testworld import ensure_reference_data

    ensure_reference_data()  # sectors and departments (an earlier transactional test flushed them)
    builders.build(enterprises=60, seed=11)
    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    base = live_server.url
    _login(page, base, "county_admin", settings.SAFEGRID_DEMO_PASSWORD)
    page.goto(f"{base}/risks/map/")
    page.locator("#risk-map canvas, #risk-map svg").first.wait_for(state="attached")
    page.locator("#side-list .list-group-item").nth(3).wait_for(state="attached")
    series = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('risk-map')).getOption().series
            .map(s => ({id: s.id || "", type: s.type, z: s.z, names: (s.data || []).map(d => d.name), label: !!(s.label && s.label.show)}))"""
    )
    series = [
        s for s in series if not s["id"].startswith("layer:")
    ]  # other apps' layers (hazard pins) sit on top
    labels = [s for s in series if s["type"] == "scatter" and s["label"]]
    dots = [s for s in series if s["type"] == "scatter" and not s["label"]]
    assert labels and dots, series
    assert "索镇街道" in labels[0]["names"]
    assert labels[0]["z"] > max(s["z"] for s in dots)  # the town names are drawn over the enterprises
    if shots:
        page.screenshot(path=str(shots / f"map-county-{viewport}.png"), full_page=True)

    # An enterprise without a site plan whose points have lat/lon: they spread over the chart.
    enterprise = (
        Enterprise.objects.filter(risk_points__lat__isnull=False)
        .exclude(pk__in=EnterpriseSitePlan.objects.values("enterprise_id"))
        .distinct()
        .first()
    )
    if enterprise is None:
        pytest.skip("the demo has no enterprise with located points")
    page.goto(f"{base}/risks/map/?enterprise={enterprise.pk}")
    page.locator("#side-list [data-point]").first.wait_for(state="attached")
    page.wait_for_timeout(300)
    spread = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('risk-map'));
          const pts = [];
          chart.getOption().series.forEach((s, i) => (s.data || []).forEach(d => {
            if (s.symbol !== 'diamond') pts.push(chart.convertToPixel({seriesIndex: i}, d.value));
          }));
          const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
          return {n: pts.length, w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys),
                  width: document.getElementById('risk-map').clientWidth};
        }"""
    )
    if spread["n"] > 1:
        assert max(spread["w"], spread["h"]) > spread["width"] * 0.3, spread  # not a tiny cluster
    if shots:
        page.screenshot(path=str(shots / f"map-enterprise-{viewport}.png"), full_page=True)
    context.close()
