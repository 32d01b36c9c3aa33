"""The county's work calendar, a task's anchor day and the shutdown (停用检修) pages in the browser, desktop and
phone: the county admin enters a holiday; the enterprise's manager records a shutdown, sees it on the
checks page and ends it; nothing wider than the phone's screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safegrid.hazards import inspections, work_calendar
from safegrid.hazards.models import InspectionTask
from safegrid.hazards.models_calendar import CalendarDayKind
from safegrid.risks.tests.factories import make_measure, make_point
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the screen"


def _shot(page, shots, name: str, viewport: str) -> None:
    _fits(page)
    if shots:
        page.screenshot(path=str(shots / f"{name}-{viewport}.png"), full_page=True)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_calendar_anchor_and_shutdown_pages(browser, live_server, live_world, shots, viewport):
    world = live_world
    year = timezone.localdate().year + 1
    admin = world.user("county_admin")
    work_calendar.calendar_day_add(
        actor=admin, date=dt.date(year, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦"
    )
    point = make_point(world)
    make_measure(world, point, check_content="消防器材月检", check_cycle=1, check_cycle_unit="月")
    inspections.tasks_sync_from_measures()
    task = InspectionTask.objects.get(cycle_unit="月")

    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = sign_in(context.new_page(), live_server.url, "county_admin")
    page.goto(f"{live_server.url}/hazards/calendar/new/")
    page.fill("input[name=date]", f"{year}-10-01")
    page.select_option("select[name=kind]", "holiday")
    page.fill("input[name=name]", "国庆节")
    _shot(page, shots, "calendar-new", viewport)
    page.locator("button[type=submit]", has_text="录入").click()
    page.wait_for_load_state("networkidle")
    body = page.locator("body").inner_text()
    assert "国庆节" in body and "国务院办公厅" in body
    _shot(page, shots, "calendar-list", viewport)
    page.goto(f"{live_server.url}/hazards/calendar/import/")
    assert page.locator("input[name=file]").count() == 1
    _shot(page, shots, "calendar-import", viewport)
    context.close()

    context = browser.new_context(viewport=SIZES[viewport], locale="zh-CN")
    page = sign_in(context.new_page(), live_server.url, "ent_a")
    page.goto(f"{live_server.url}/hazards/checks/tasks/{task.pk}/")
    page.select_option("select[name=anchor_day]", "31")
    page.locator("button[type=submit]", has_text="保存").click()
    page.wait_for_load_state("networkidle")
    assert "每月 31 日" in page.locator("body").inner_text()
    _shot(page, shots, "task-anchor", viewport)
    page.goto(f"{live_server.url}/hazards/shutdowns/new/")
    start = timezone.localtime() - dt.timedelta(hours=1)
    page.select_option("select[name=risk_point]", str(point.pk))
    page.fill("input[name=start]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=planned_end]", (start + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=reason]", "反应釜年度停车检修")
    page.fill("input[name=approver]", "张甲")
    _shot(page, shots, "shutdown-new", viewport)
    page.locator("button[type=submit]", has_text="登记停用").click()
    page.wait_for_load_state("networkidle")
    assert "停用中" in page.locator("body").inner_text()
    _shot(page, shots, "shutdown-detail", viewport)
    page.goto(f"{live_server.url}/hazards/checks/")
    assert "反应釜年度停车检修" in page.locator("[data-testid=shutdowns-card]").inner_text()
    _shot(page, shots, "checks-shutdowns", viewport)
    page.goto(f"{live_server.url}/hazards/shutdowns/")
    _shot(page, shots, "shutdown-list", viewport)
    page.locator("a", has_text=world.ent_a.name).first.click()
    page.wait_for_load_state("networkidle")
    page.locator("button[type=submit]", has_text="结束停用").click()
    page.wait_for_load_state("networkidle")
    assert "已恢复" in page.locator("body").inner_text()
    context.close()
