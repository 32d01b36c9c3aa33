"""Issue 9, no signal, at phone size (390 × 844): grid_a opens the due list while online, loses the
connection, records a check (ticked items, note, photo) and reports a hazard with a photo; both wait in the
phone's outbox ("待发送 2 条") and nothing reaches the server. When the connection returns the outbox sends
them: each arrives exactly once, with the phone's time beside the server's; a second flush sends nothing,
and the same item sent again (its answer lost) is replayed by the server, not recorded twice."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.signin import signed_in_page as _login
from tests.browser.waiting import wait_until

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "is_mobile": True,
    "has_touch": True,
    "service_workers": "allow",
}


def _jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width} px wide"


KEPT = """async (urls) => {
  const names = (await caches.keys()).filter(n => n.startsWith("sg-pages-"));
  if (!names.length) return false;
  const cache = await caches.open(names[0]);
  for (const u of urls) { if (!(await cache.match(new URL(u, location.href).href))) return false; }
  return true;
}"""


def test_check_and_hazard_recorded_offline_arrive_once(browser, live_server, live_world, shots, tmp_path):
    from django.utils import timezone

    from safegrid.api.models import IdempotencyKey
    from safegrid.hazards import checklists
    from safegrid.hazards.models import ChecklistTemplate, CheckRecord, HazardPhoto, HiddenHazard
    from safegrid.hazards.testing import ship_reference_data

    world = live_world
    ship_reference_data()  # an earlier live-server test's flush took the shipped checklists
    now = timezone.now()
    occurrence = checklists.inspection_from_checklist(
        actor=world.user("ent_a"),
        template=ChecklistTemplate.objects.get(shipped_code="SHIP-FIRE-KP"),
        enterprise=world.ent_a,
        data={
            "title": "罐区消防设施检查",
            "kind": 5,
            "window_start": now - dt.timedelta(minutes=10),
            "window_end": now + dt.timedelta(hours=6),
        },
    )
    base = live_server.url
    check_url = f"/hazards/checks/{occurrence.pk}/"
    context = browser.new_context(**PHONE)
    page = _login(context, base, "grid_a")

    # Online: the due list; the service worker takes over and keeps the list, its check pages and the
    # hazard report form for later.
    page.goto(f"{base}/hazards/checks/")
    expect(page.get_by_text("罐区消防设施检查")).to_be_visible()
    wait_until(page, "navigator.serviceWorker.controller !== null")
    page.reload()  # a navigation through the worker, as every later one
    wait_until(page, KEPT, ["/hazards/checks/", check_url, "/hazards/report/"])

    # No signal from here on.
    context.set_offline(True)
    page.goto(f"{base}/hazards/checks/")  # from the phone's cache
    expect(page.get_by_text("罐区消防设施检查")).to_be_visible()
    page.get_by_text("罐区消防设施检查").click()
    page.wait_for_url(f"**{check_url}")
    boxes = page.locator("input[type=checkbox][name^=item_]")
    assert boxes.count() == 5 and all(boxes.nth(i).is_checked() for i in range(5))
    page.locator("textarea[name=note]").fill("消防通道畅通，泡沫灭火系统正常")
    photo = tmp_path / "tank.jpg"
    photo.write_bytes(_jpeg("teal"))
    page.set_input_files("input[name=photo]", str(photo))
    page.get_by_role("button", name="提交检查").click()

    # Queued: back on the (cached) due list, the banner counts it and the row says it waits.
    page.wait_for_url("**/hazards/checks/")
    banner = page.get_by_test_id("outbox-pending")
    expect(banner).to_contain_text("待发送 1 条")
    expect(banner).to_contain_text("当前没有网络")
    expect(page.locator(f"a[href='{check_url}'] .sg-queued-badge")).to_have_text("待发送")
    _fits_the_phone(page)
    if shots:
        page.screenshot(path=str(shots / "offline-queued-check-phone.png"), full_page=False)

    # The hazard report form, also from the cache, with a photo.
    page.goto(f"{base}/hazards/report/")
    page.fill("input[name=title]", "储罐区围堰破损")
    page.fill("input[name=location]", "罐区东侧围堰")
    page.fill("textarea[name=description]", "围堰有一道裂缝，物料泄漏时不能围住")
    dike = tmp_path / "dike.jpg"
    dike.write_bytes(_jpeg("gray"))
    page.set_input_files("input[name=photos]", str(dike))
    page.get_by_role("button", name="登记隐患").click()
    expect(page.get_by_test_id("outbox-pending")).to_contain_text("待发送 2 条")
    assert page.locator("input[name=title]").input_value() == ""  # the form is cleared for the next one
    wait_until(page, "window.scrollY === 0")  # back at the top, where the banner is
    _fits_the_phone(page)
    if shots:
        page.screenshot(path=str(shots / "offline-outbox-phone.png"), full_page=False)

    # A page that was never kept: the offline page, which still counts what waits.
    page.goto(f"{base}/risks/points/")
    expect(page.get_by_text("这个页面没有保存在手机上")).to_be_visible()
    expect(page.get_by_test_id("outbox-pending")).to_contain_text("待发送 2 条")
    expect(page.get_by_role("link", name="我的检查任务")).to_be_visible()
    _fits_the_phone(page)
    if shots:
        page.screenshot(path=str(shots / "offline-fallback-phone.png"), full_page=False)
    page.goto(f"{base}/hazards/report/")

    assert not CheckRecord.objects.exists() and not HiddenHazard.objects.exists()
    # Keep a copy in the page (Blobs and all) to send again later, as if the answers had been lost.
    queued = page.evaluate("SafeGridOutbox.all().then(items => (window.lostAnswers = items))")
    assert len(queued) == 2 and len({item["key"] for item in queued}) == 2

    # The connection returns: the outbox sends both, each once.
    context.set_offline(False)
    expect(page.get_by_test_id("outbox-sent")).to_contain_text("已发送 2 条", timeout=20000)
    expect(page.get_by_test_id("outbox-pending")).to_have_count(0)
    if shots:
        page.screenshot(path=str(shots / "offline-sent-phone.png"), full_page=False)

    record = CheckRecord.objects.get(occurrence=occurrence)
    assert record.note == "消防通道畅通，泡沫灭火系统正常" and record.photo_sha256
    assert record.device_time is not None and record.device_time < record.server_time
    assert record.checked_by == world.user("grid_a")
    hazard = HiddenHazard.objects.get()
    assert hazard.title == "储罐区围堰破损" and hazard.enterprise == world.ent_a
    photo_row = HazardPhoto.objects.get()
    assert photo_row.device_time is not None and photo_row.device_time < photo_row.server_time
    assert IdempotencyKey.objects.filter(key__in=[i["key"] for i in queued]).count() == 2

    # A second flush has nothing to send.
    result = page.evaluate("SafeGridOutbox.flush(document.body.dataset.sgUser, () => '')")
    assert result["sent"] == 0 and result["left"] == 0

    # The same two items again, as if their answers had been lost on the way: the server replays its
    # first answers (same keys) and records nothing new.
    page.evaluate("Promise.all(window.lostAnswers.map(i => SafeGridOutbox.save(i)))")
    replayed = page.evaluate("SafeGridOffline.flush().then(() => SafeGridOutbox.all())")
    assert replayed == []
    assert CheckRecord.objects.count() == 1 and HiddenHazard.objects.count() == 1
    assert HazardPhoto.objects.count() == 1

    # Back online the pages are the server's again: the check is done.
    page.goto(f"{base}/hazards/checks/")
    expect(page.get_by_text("今日已完成")).to_be_visible()
    assert page.locator(f"a[href='{check_url}'] .sg-queued-badge").count() == 0
    context.close()


def test_an_outbox_item_refused_by_the_server_is_kept_with_the_reason(
    browser, live_server, live_world, shots
):
    """Two phones checked the same occurrence without signal: the second to arrive is refused and stays in
    its outbox with the server's reason, until the worker deletes it."""
    from django.utils import timezone

    from safegrid.hazards import checklists
    from safegrid.hazards.models import ChecklistTemplate, CheckRecord
    from safegrid.hazards.testing import ship_reference_data

    world = live_world
    ship_reference_data()
    now = timezone.now()
    occurrence = checklists.inspection_from_checklist(
        actor=world.user("ent_a"),
        template=ChecklistTemplate.objects.get(shipped_code="SHIP-FIRE-KP"),
        enterprise=world.ent_a,
        data={
            "title": "夜班巡检",
            "window_start": now - dt.timedelta(minutes=10),
            "window_end": now + dt.timedelta(hours=6),
        },
    )
    base = live_server.url
    context = browser.new_context(**PHONE)
    page = _login(context, base, "grid_a")
    page.goto(f"{base}/hazards/checks/{occurrence.pk}/")
    wait_until(page, "navigator.serviceWorker.controller !== null")
    page.reload()
    context.set_offline(True)
    page.locator("textarea[name=note]").fill("手机甲")
    page.get_by_role("button", name="提交检查").click()
    page.wait_for_url("**/hazards/checks/")
    expect(page.get_by_test_id("outbox-pending")).to_contain_text("待发送 1 条")

    # Meanwhile the enterprise's post worker recorded it from another phone.
    from safegrid.hazards import inspections

    inspections.check_record(
        actor=world.user("post_a"),
        occurrence=occurrence,
        check=inspections.CheckIn(
            items=dict.fromkeys(occurrence.task.check_items, True), result="ok", note="手机乙"
        ),
    )
    context.set_offline(False)
    rejected = page.get_by_test_id("outbox-rejected")
    expect(rejected).to_contain_text("1 条未被接受", timeout=20000)
    expect(rejected).to_contain_text("该检查已完成")
    if shots:
        page.screenshot(path=str(shots / "offline-rejected-phone.png"), full_page=False)
    assert CheckRecord.objects.get().note == "手机乙"
    page.once("dialog", lambda dialog: dialog.accept())
    rejected.get_by_role("button", name="删除").click()
    expect(page.get_by_test_id("outbox-rejected")).to_have_count(0)
    assert page.evaluate("SafeGridOutbox.all()") == []
    context.close()
