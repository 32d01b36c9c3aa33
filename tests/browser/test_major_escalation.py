"""Issue 9: a major hazard passes its deadline and the daily deadline scan (`deadline_watch.deadline_scan`,
run here day by day with a given date, the controllable clock) escalates it one step a day up to the
county's sector regulator. The county user then finds it, escalated, on the overdue list and its
enterprise on the 五个一律 review list (phone width)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from PIL import Image

from tests.browser.signin import signed_in_page

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True, "has_touch": True}
TITLE = "液化烃储罐未实现紧急切断功能"


def _login(browser, base: str, username: str):
    return signed_in_page(browser.new_context(**PHONE), base, username)


def _shot(page, shots, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width} px wide"
    if shots:
        page.screenshot(path=str(shots / f"major-escalation-{name}.png"), full_page=True)


def _major(world):
    """A major hazard found by the chemicals regulator at ent_a 20 days ago, five in place with a deadline
    five days ago: overdue now."""
    from django.utils import timezone

    from safegrid.hazards import services
    from safegrid.hazards import testing as hazard_world
    from safegrid.hazards.services import PhotoIn

    today = timezone.localdate()
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(out, format="JPEG")
    hazard = services.hazard_report(
        actor=world.user("dept_chem"),
        enterprise=world.ent_a,
        data={
            "title": TITLE,
            "location": "罐区 V-101",
            "description": "液化烃球罐进出口管道未设置紧急切断阀（执法检查发现）",
            "source": 3,
            "hazard_type": 2,
            "level": "major",
        },
        photos=[PhotoIn(out.getvalue(), "v101.jpg", "before")],
    )
    hazard = services.hazard_confirm(
        actor=world.user("ent_a"), hazard=hazard, level="major", interim_measures="停用 V-101，设置警戒区"
    )
    hazard = hazard_world.prepare_major(world.user("ent_a"), hazard)  # the six-part plan and the report
    return services.hazard_assign(
        actor=world.user("ent_a"),
        hazard=hazard,
        responsible_person=world.person_a,
        measures="加装紧急切断阀并接入 SIS",
        funds=Decimal(120000),
        deadline=today - dt.timedelta(days=5),
        plan="罐区泄漏专项应急预案",
        today=today - dt.timedelta(days=20),
    )


def test_overdue_major_escalates_to_the_county_and_lands_on_the_lists(
    browser, live_server, live_world, shots
):
    from django.utils import timezone

    from safegrid.hazards import deadline_watch
    from safegrid.hazards.models import HazardNotice, HiddenHazard
    from safegrid.hazards.rules import escalation
    from safegrid.notifications.models import Notification

    world = live_world
    hazard = _major(world)
    assert hazard.deadline is not None
    today = timezone.localdate()

    # Before the deadline the scan only reminds; from the day after it, one step up a day.
    reached = []
    day = hazard.deadline - dt.timedelta(days=1)
    while day <= today:
        result = deadline_watch.deadline_scan(today=day)
        reached.append((day, HiddenHazard.objects.get(pk=hazard.pk).escalation_step, result.overdue))
        day += dt.timedelta(days=1)
    assert [r[1:] for r in reached[:2]] == [(-1, 0), (-1, 0)]  # the day before and the deadline itself
    steps = [step for _day, step, _n in reached[2:]]
    assert steps == [0, 1, 2, escalation.COUNTY_DEPARTMENT, escalation.COUNTY_DEPARTMENT]
    assert HazardNotice.objects.filter(hazard=hazard, kind="escalation").count() == 4
    assert HazardNotice.objects.filter(hazard=hazard, kind="reminder").exists()
    # The county step told the chemicals regulator.
    assert Notification.objects.filter(
        recipient=world.user("dept_chem"), kind="hazards.overdue", object_id=str(hazard.pk)
    ).exists()
    # A second run the same day escalates nothing more.
    assert deadline_watch.deadline_scan(today=today).escalations == {}

    base = live_server.url
    page = _login(browser, base, "county_admin")
    page.goto(f"{base}/hazards/overdue/")
    row = page.locator("table tbody tr", has_text=TITLE)
    assert row.count() == 1
    assert "县行业主管部门" in row.inner_text() and world.ent_a.name in row.inner_text()
    # The county's order: the highest escalation first.
    assert TITLE in page.locator("table tbody tr").first.inner_text()
    _shot(page, shots, "1-overdue")

    page.goto(f"{base}/hazards/five-musts/")
    card = page.locator(".card", has_text=world.ent_a.name)
    assert card.count() == 1
    text = card.inner_text()
    assert TITLE in text and "逾期 5 天" in text and "已升级" in text
    _shot(page, shots, "2-five-musts")

    page.goto(f"{base}/hazards/{hazard.pk}/")
    assert "已升级至县行业主管部门" in page.inner_text("body")
    assert "逾期 5 天" in page.inner_text("body")
    history = page.locator(".list-group-item", has_text="升级至县行业主管部门")
    assert history.count() == 1
    _shot(page, shots, "3-detail")
    page.context.close()
