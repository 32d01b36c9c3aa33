"""Home pages are to-do lists, at phone size (390 px): a regulator and a post worker open `/`, see their
to-dos and follow one to the list of exactly those items. With SAFEGRID_SCREENSHOTS set, every role's home
is saved at desk and phone width."""

from __future__ import annotations

import datetime as dt

import pytest

from safegrid.core.testing import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
ROLES = ("county_admin", "dept_chem", "town_a", "grid_a", "ent_a", "legal_a", "post_a")


def _login(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url == f"{base}/", f"{username} did not land on the home page"
    return page


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width} px wide"


def _day(world) -> None:
    """Town A's work of the day: an unassessed point whose measure post_a checks daily, a hazard to confirm,
    one past its deadline, a filed book waiting for review, B's work beside it."""
    from django.utils import timezone

    from safegrid.core.testing import SYSTEM
    from safegrid.enterprises import services as ent_services
    from safegrid.hazards import inspections
    from safegrid.hazards.choices import HazardStatus
    from safegrid.hazards.tests.factories import hazard_in, reported
    from safegrid.risks.tests import factories
    from safegrid.risks.tests.factories import make_measure, make_point
    from safegrid.risks.tests.test_filing import complete_register

    today = timezone.localdate()
    complete_register(world)
    factories.filed(world)  # signed by legal_a: waits for the chemicals department's (and county's) review
    point = make_point(world, code="RP-002", name="液氯储罐区")
    make_measure(world, point, check_content="液位正常\n阀门无泄漏", check_cycle=1, check_cycle_unit="天")
    inspections.occurrences_generate(day=today)
    reported(world)
    hazard_in(
        world.ent_a, HazardStatus.RECTIFYING, deadline=today - dt.timedelta(days=3), title="储罐区防火堤破损"
    )
    person = ent_services.person_create(actor=SYSTEM, enterprise=world.ent_a, data={"name": "钱电工"})
    ent_services.certificate_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        data={
            "person": person,
            "kind": "electrical",
            "number": "T-A-0002",
            "expires_on": today + dt.timedelta(days=12),
        },
    )


def test_regulator_and_post_worker_follow_a_todo_on_the_phone(browser, live_server, live_world, shots):
    _day(live_world)
    phone = browser.new_context(**PHONE)

    page = _login(phone, live_server.url, "dept_chem")
    todo = page.locator("[data-todo]").filter(has_text="一企一册备案待审核")
    assert todo.locator("[data-todo-count]").inner_text() == "1"
    overdue = page.locator("[data-todo]").first
    assert overdue.get_attribute("data-todo") == "overdue"  # overdue first
    _fits_the_phone(page)
    todo.click()
    page.wait_for_load_state("networkidle")
    assert "review=mine" in page.url
    assert live_world.ent_a.name in page.content()
    assert live_world.ent_b.name not in page.content()

    from safegrid.hazards.inspection_selectors import my_check_counts

    due = my_check_counts(live_world.user("post_a"))["due"]
    assert due >= 1
    phone.close()
    phone = browser.new_context(**PHONE)
    page = _login(phone, live_server.url, "post_a")
    cards = page.locator("[data-todo]").filter(has_text="我的告知卡待确认")
    checks = page.locator("[data-todo]").filter(has_text="检查任务待完成")
    assert cards.locator("[data-todo-count]").inner_text() == "2"  # RP-001 (post tier), RP-002 (measure)
    assert checks.locator("[data-todo-count]").inner_text() == str(due)
    _fits_the_phone(page)
    checks.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/hazards/checks/")
    assert page.locator("a[href*='/hazards/checks/']").count() >= due
    page.go_back()
    page.locator("[data-todo]").filter(has_text="我的告知卡待确认").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/risks/cards/mine/?show=todo")
    assert "还有 2 张卡片待确认" in page.content()
    phone.close()

    if shots:
        for name, options in (("desktop", DESK), ("phone", PHONE)):
            for username in ROLES:
                context = browser.new_context(**options)
                page = _login(context, live_server.url, username)
                page.screenshot(path=str(shots / f"home-{username}-{name}.png"), full_page=True)
                context.close()
