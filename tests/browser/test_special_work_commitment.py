"""Issue 10, special work and the daily commitment in the browser: ent_a files a 一级 hot-work permit at its
tank farm (a major hazard source) on the phone; the day's commitment form counts it; dept_chem sees it on the
county map's 今日高风险作业 layer and on the today list; a commitment not posted by its deadline is on the
regulator's missing list. Screenshots at 1280 and 390 px when SAFEGRID_SCREENSHOTS is set."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safegrid.core.choices import Role
from safegrid.core.testing import make_user
from tests.browser.signin import signed_in_page

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll} px wide"


def _shot(page, shots, name: str) -> None:
    if shots:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_hot_work_filed_counted_mapped_and_missing_listed(browser, live_server, live_world, shots, settings):
    from safegrid.majorhazards.models import HazardUnit, SpecialWork
    from safegrid.majorhazards.services import work as services

    world = live_world
    # Today's deadline is already past, so the unposted commitment counts as missing (county setting).
    settings.SAFEGRID_SPECIAL_WORK = {"commitment_deadline": "00:00"}
    HazardUnit.objects.create(
        enterprise=world.ent_a,
        code="TK-A01",
        name="甲醇储罐区",
        kind="tank_farm",
        latitude=36.9503,
        longitude=118.0804,
        is_major=True,
        grade=2,
    )
    make_user("lr_a", {"role": Role.LEGAL_REP, "enterprise": world.ent_a})
    base = live_server.url

    # ---- ent_a files the permit on the phone -----------------------------------------------------------------
    phone = browser.new_context(viewport=SIZES["phone"], locale="zh-CN", is_mobile=True, has_touch=True)
    page = signed_in_page(phone, base, "ent_a")
    page.goto(f"{base}/majorhazards/special-works/new/")
    start = timezone.localtime() - dt.timedelta(minutes=10)
    end = start + dt.timedelta(hours=6)
    page.select_option("select[name=work_type]", "hot")
    page.select_option("select[name=grade]", "1")
    page.fill("input[name=content]", "甲醇储罐区进料管线焊接")
    page.select_option("select[name=unit]", label="TK-A01 甲醇储罐区")
    page.fill("input[name=place]", "1 号罐区东侧管廊")
    page.fill("input[name=latitude]", "36.950400")
    page.fill("input[name=longitude]", "118.080500")
    page.fill("input[name=start]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=end]", end.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=permit_number]", "DH-20260506-01")
    page.fill("input[name=watcher_name]", "李监护")
    page.fill("input[name=watcher_phone]", "13900000001")
    page.fill("input[name=video_channel]", "罐区 1 号摄像机")
    _fits(page, 390)
    _shot(page, shots, "special-work-form-phone")
    page.get_by_role("button", name="报备", exact=True).click()
    page.wait_for_load_state("networkidle")
    work = SpecialWork.objects.get(permit_number="DH-20260506-01")
    assert page.url.endswith(f"/majorhazards/special-works/{work.pk}/")
    assert "一级动火作业" in page.inner_text("body") and "已报备" in page.inner_text("body")
    _fits(page, 390)
    _shot(page, shots, "special-work-detail-phone")

    # the day's commitment form counts it (the safety manager sees the prefilled form)
    page.goto(f"{base}/majorhazards/commitments/new/")
    assert page.input_value("input[name=hot_one]") == "1"
    assert "报备 1 项" in page.locator('[data-testid="filed-hot_one"]').inner_text()
    _fits(page, 390)
    _shot(page, shots, "commitment-form-phone")
    phone.close()

    # ---- dept_chem: the map layer, the today list, the missing list -------------------------------------------
    desk = browser.new_context(viewport=SIZES["desktop"], locale="zh-CN")
    page = signed_in_page(desk, base, "dept_chem")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{base}/risks/map/")
    card = page.locator('[data-layer-card="high-risk-works"]')
    card.locator("[data-layer-list] .list-group-item").first.wait_for()
    assert "一级动火作业 · 1 号罐区东侧管廊" in card.inner_text()
    _shot(page, shots, "map-high-risk-works-desktop")

    page.goto(f"{base}/majorhazards/special-works/today/")
    assert "DH-20260506-01" in page.inner_text("body")
    _shot(page, shots, "special-works-today-desktop")

    result = services.commitment_watch()  # the daily schedule's run after the deadline
    assert result.enterprises == [world.ent_a.pk]
    page.goto(f"{base}/majorhazards/commitments/")
    page.get_by_role("link", name="未发布 1").click()
    page.wait_for_load_state("networkidle")
    table = page.locator("table").inner_text()
    assert world.ent_a.name in table and "未发布" in table
    _shot(page, shots, "commitments-missing-desktop")
    assert not errors, errors
    desk.close()

    # ---- the principal posts late; the public board shows it ------------------------------------------------
    phone = browser.new_context(viewport=SIZES["phone"], locale="zh-CN", is_mobile=True, has_touch=True)
    page = signed_in_page(phone, base, "lr_a")
    page.goto(f"{base}/majorhazards/commitments/new/")
    assert "已过今日发布截止时间" in page.inner_text("body")
    page.get_by_role("button", name="发布承诺公告").click()
    page.wait_for_load_state("networkidle")
    assert "逾期发布" in page.inner_text("body")
    board = services.board_issue(actor=world.user("ent_a"), enterprise=world.ent_a)
    phone.close()
    anonymous = browser.new_context(viewport=SIZES["phone"], locale="zh-CN")
    page = anonymous.new_page()
    page.goto(f"{base}/majorhazards/board/{board.token}/")
    assert "安全承诺公告" in page.inner_text("body") and world.ent_a.name in page.inner_text("body")
    _fits(page, 390)
    _shot(page, shots, "commitment-board-phone")
    anonymous.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_work_pages_fit_both_sizes(browser, live_server, live_world, shots, viewport):
    """Every work page with data (the world extension's filing and commitment of enterprise B), as the
    county sees it and as B's safety manager files; nothing scrolls sideways."""
    from safegrid.majorhazards import testing as mh_world
    from safegrid.majorhazards.models import CommitmentBoard, SafetyCommitment, SpecialWork

    mh_world.extend_world(live_world)
    work = SpecialWork.objects.get(permit_number=mh_world.WORK_PERMIT)
    commitment = SafetyCommitment.objects.get(enterprise=live_world.ent_b)
    token = CommitmentBoard.objects.get(enterprise=live_world.ent_b).token
    size = SIZES[viewport]
    context = browser.new_context(viewport=size, locale="zh-CN")
    base = live_server.url
    page = signed_in_page(context, base, "county_admin")
    for name, path, marker in [
        ("special-works", "/majorhazards/special-works/", mh_world.WORK_PERMIT),
        ("special-work", f"/majorhazards/special-works/{work.pk}/", mh_world.WORK_PAUSE),
        ("special-works-today", "/majorhazards/special-works/today/", mh_world.WORK_PERMIT),
        ("commitments-day", "/majorhazards/commitments/", "一级动火作业 2/1"),
        ("commitment-history", "/majorhazards/commitments/history/", "一级动火作业"),
        ("commitment", f"/majorhazards/commitments/{commitment.pk}/", mh_world.COMMITMENT_EXPLANATION),
    ]:
        page.goto(base + path)
        assert marker in page.inner_text("body"), name
        _fits(page, size["width"])
        _shot(page, shots, f"{name}-{viewport}")
    context.close()
    context = browser.new_context(viewport=size, locale="zh-CN")
    page = signed_in_page(context, base, "ent_b")
    page.goto(f"{base}/majorhazards/special-works/new/")
    _fits(page, size["width"])
    _shot(page, shots, f"special-work-form-{viewport}")
    page.goto(f"{base}/majorhazards/special-works/{work.pk}/")
    assert "恢复作业" in page.inner_text("body")
    _fits(page, size["width"])
    _shot(page, shots, f"special-work-manager-{viewport}")
    context.close()
    anonymous = browser.new_context(viewport=size, locale="zh-CN")
    page = anonymous.new_page()
    page.goto(f"{base}/majorhazards/board/{token}/")
    assert mh_world.COMMITMENT_TEXT in page.inner_text("body")
    _fits(page, size["width"])
    _shot(page, shots, f"board-{viewport}")
    anonymous.close()
