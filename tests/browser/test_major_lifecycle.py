"""A major hazard source's lifecycle and responsible persons in the browser, desktop and phone: the regulator
accepts a filing from the review page; the enterprise sees the unit's lifecycle, the due list and its three
responsible persons; no page scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safegrid.majorhazards.models import SourceFiling
from safegrid.majorhazards.services import lifecycle, responsibility
from safegrid.majorhazards.tests.lifecycle_fixtures import accepted, draft, person_a, unit_a
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _story(world):
    today = timezone.localdate()
    unit = unit_a(world, name="甲液氯罐区")
    accepted(world, unit, today - dt.timedelta(days=3 * 365 - 20))
    manager = world.user("ent_a")
    lifecycle.trigger_record(
        actor=manager,
        unit=unit,
        data={"kind": "process", "occurred_on": today - dt.timedelta(days=2), "description": "氯化工艺改造"},
    )
    lifecycle.drill_record(
        actor=manager, enterprise=world.ent_a, unit=unit,
        data={"plan_kind": "onsite", "held_on": today - dt.timedelta(days=30), "participants": 15, "summary": "液氯泄漏现场处置"},
    )  # fmt: skip
    lifecycle.facility_test_record(
        actor=manager, unit=unit,
        data={"facility": "有毒气体检测报警器", "tested_on": today - dt.timedelta(days=400), "result": "pass"},
    )  # fmt: skip
    for role, name, phone in (
        (1, "张主要", "13800000011"),
        (2, "孙技术", "13800000022"),
        (3, "李操作", "13800000033"),
    ):
        responsibility.responsible_name(
            actor=manager,
            unit=unit,
            role=role,
            person=person_a(world, name=name, phone=phone),
            valid_from=today,
        )
    second = unit_a(world, code="A-MH-02", name="甲甲醇罐区", grade=3)
    filing = draft(world, second)
    lifecycle.filing_submit(actor=manager, filing=filing)
    return unit, second, filing


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_lifecycle_pages(browser, live_server, live_world, shots, viewport):
    unit, second, filing = _story(live_world)
    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    base = live_server.url

    def visit(path: str, name: str) -> str:
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[viewport]["width"], f"{path} scrolls sideways"
        if shots:
            page.screenshot(path=str(shots / f"mh-{name}-{viewport}.png"), full_page=True)
        return page.inner_text("body")

    sign_in(page, base, "dept_chem")
    text = visit("/majorhazards/lifecycle/review/", "review")
    assert "甲甲醇罐区" in text
    page.locator('input[name="comment"]').first.fill("材料齐全")
    page.locator('button:has-text("准予备案")').first.click()
    page.wait_for_load_state("networkidle")
    assert SourceFiling.objects.get(pk=filing.pk).status == "accepted"
    context.close()

    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, base, "ent_a")
    text = visit(f"/majorhazards/units/{unit.pk}/lifecycle/", "lifecycle")
    assert "待重新评估" in text and "有毒气体检测报警器" in text and "处理记录" in text
    text = visit(f"/majorhazards/units/{unit.pk}/responsibility/", "responsibility")
    assert "张主要" in text and "13800000022" in text and "每周至少一次" in text
    text = visit("/majorhazards/lifecycle/due/", "due")
    assert "重新评估已逾期" in text and "检测逾期" in text
    visit(f"/majorhazards/units/{unit.pk}/responsibility/name/?role=2", "name-form")
    context.close()
    assert not errors, errors
