"""The major hazard sources list and a unit's page in the browser, desktop and phone: the grade counts, the
grade explained term by term, the requirements checklist with its gaps; an enterprise manager adds a
substance line through the form and the grade follows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from safegrid.majorhazards import testing as mh_world
from safegrid.majorhazards.models import HazardUnit, Substance
from safegrid.majorhazards.services import sources as services
from safegrid.majorhazards.services.sources import LineIn
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _units(world) -> HazardUnit:
    mh_world.ship_reference_data()
    actor = world.user("ent_a")
    s = {
        name: Substance.objects.get(name=name, variant="")
        for name in ("氯", "甲醇", "液化石油气", "氢", "苯")
    }
    services.population_set(
        actor=actor, enterprise=world.ent_a, people=60, basis="村委会户籍登记", counted_on=dt.date(2026, 1, 5)
    )
    services.unit_create(
        actor=actor,
        enterprise=world.ent_a,
        data={
            "code": "CL-01",
            "name": "液氯储罐区",
            "kind": "tank_farm",
            "esd_in_place": True,
            "esd_note": "DCS联锁",
        },
        lines=[LineIn(s["氯"], Decimal(100), Decimal(60), "4×25吨卧式储罐")],
    )
    services.unit_create(
        actor=actor,
        enterprise=world.ent_a,
        data={"code": "LPG-01", "name": "液化石油气球罐区", "kind": "tank_farm"},
        lines=[LineIn(s["液化石油气"], Decimal(400))],
    )
    services.unit_create(
        actor=actor,
        enterprise=world.ent_a,
        data={"code": "SYN-01", "name": "甲醇合成装置", "kind": "production"},
        lines=[LineIn(s["甲醇"], Decimal(420)), LineIn(s["氢"], Decimal(6))],
    )
    return services.unit_create(
        actor=actor,
        enterprise=world.ent_a,
        data={"code": "TK-02", "name": "氯甲醇储存单元", "kind": "tank_farm"},
        lines=[LineIn(s["氯"], Decimal(20)), LineIn(s["甲醇"], Decimal(100), Decimal(35))],
    )


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_list_and_unit_page(browser, live_server, live_world, shots, viewport):
    unit = _units(live_world)
    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server.url, "dept_chem")
    page.goto(f"{live_server.url}/majorhazards/")
    counts = page.locator('[data-testid="grade-counts"]').inner_text()
    assert "一级" in counts and "三级" in counts
    body = page.inner_text("body")
    assert "液氯储罐区" in body and "氯甲醇储存单元" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[viewport]["width"]
    if shots:
        page.screenshot(path=str(shots / f"majorhazards-list-{viewport}.png"), full_page=True)

    page.goto(f"{live_server.url}/majorhazards/units/{unit.pk}/")
    explained = page.locator('[data-testid="grade-explained"]').inner_text()
    assert "S = 4.20" in explained and "24.30" in explained and "α = 1.5" in explained
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[viewport]["width"]
    if shots:
        page.screenshot(path=str(shots / f"majorhazards-unit-{viewport}.png"), full_page=True)
    grade1 = HazardUnit.objects.get(code="CL-01")
    page.goto(f"{live_server.url}/majorhazards/units/{grade1.pk}/")
    requirements = page.locator('[data-testid="requirements"]').inner_text()
    assert "2 项未落实" in requirements and "独立的安全仪表系统" in requirements
    if shots:
        page.screenshot(path=str(shots / f"majorhazards-unit-grade1-{viewport}.png"), full_page=True)
    context.close()
    assert errors == []


def test_manager_adds_a_line_and_the_grade_follows(browser, live_server, live_world):
    unit = _units(live_world)
    context = browser.new_context(viewport=SIZES["phone"], locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "ent_a")
    page.goto(f"{live_server.url}/majorhazards/units/{unit.pk}/substances/new/")
    benzene = Substance.objects.get(name="苯")
    page.select_option('select[name="substance"]', str(benzene.pk))
    page.fill('input[name="design_quantity"]', "500")
    page.click('form.card button[type="submit"]')
    page.wait_for_load_state("networkidle")
    assert f"/majorhazards/units/{unit.pk}/" in page.url
    unit.refresh_from_db()
    # S 4.2 + 10 = 14.2; Σβq/Q 16.2 + 10 = 26.2; α 1.5 → R 39.3: still grade 3, one more history row
    assert unit.grade == 3 and unit.gradings.count() == 2
    assert "39.30" in page.locator('[data-testid="grade-explained"]').inner_text()
    context.close()
