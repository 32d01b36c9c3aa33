"""Issue 9 at phone size (390 px): post_a scans a risk point's checkpoint URL (what its QR code or NFC tag
opens), ticks the items of an inspection planned from a shipped checklist, adds a photo and submits; the
record shows presence "scanned" with the server time, the phone's position (granted, near the point),
device id and user agent. The regulator then finds the far-away check of a second visit by its flag."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.signin import signed_in_page as _login

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "locale": "zh-CN",
    "is_mobile": True,
    "has_touch": True,
    "geolocation": {"latitude": 36.95012, "longitude": 118.08009, "accuracy": 15},
    "permissions": ["geolocation"],
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width} px wide"


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, format="JPEG")
    return out.getvalue()


def test_post_worker_scans_the_checkpoint_ticks_and_submits(
    browser, live_server, live_world, shots, tmp_path
):
    from django.utils import timezone

    from safegrid.hazards import checklists
    from safegrid.hazards.choices import Presence
    from safegrid.hazards.models import ChecklistTemplate, CheckRecord
    from safegrid.hazards.testing import ship_reference_data
    from safegrid.risks.tests.factories import make_point

    world = live_world
    ship_reference_data()  # an earlier live-server test's flush took the shipped checklists
    point = make_point(world, lat=36.95, lon=118.08)
    manager_actor = world.user("ent_a")
    checkpoint = checklists.checkpoint_issue(actor=manager_actor, risk_point=point)
    now = timezone.now()
    occurrence = checklists.inspection_from_checklist(
        actor=manager_actor,
        template=ChecklistTemplate.objects.get(shipped_code="SHIP-FIRE-KP"),
        enterprise=world.ent_a,
        data={
            "title": "节前消防专项检查",
            "kind": 5,
            "window_start": now - dt.timedelta(minutes=10),
            "window_end": now + dt.timedelta(hours=4),
            "risk_point": point,
            "responsible_post": world.post_a,
        },
    )

    # The manager's checkpoint page shows the QR code and the URL to write to an NFC tag.
    desk = browser.new_context(**DESKTOP)
    manager = _login(desk, live_server.url, "ent_a")
    manager.goto(f"{live_server.url}/hazards/checkpoints/{point.pk}/")
    url = manager.get_by_test_id("checkpoint-url").inner_text().strip()
    assert url.endswith(f"/hazards/scan/{checkpoint.token}/")
    assert manager.get_by_test_id("checkpoint-qr").evaluate("img => img.naturalWidth") > 0
    if shots:
        manager.screenshot(path=str(shots / "checkpoint-desktop.png"), full_page=True)

    phone = browser.new_context(**PHONE)
    page = _login(phone, live_server.url, "post_a")
    page.goto(url)  # what the phone opens when the code is scanned or the tag tapped
    assert page.url.endswith(f"/hazards/checks/{occurrence.pk}/")
    assert page.get_by_test_id("scan-ok").is_visible()
    _fits_the_phone(page)
    boxes = page.locator("input[type=checkbox][name^=item_]")
    assert boxes.count() == 5
    for i in range(5):
        assert boxes.nth(i).is_checked()  # each item is ticked OK by default; the worker confirms each
    page.locator("textarea[name=note]").fill("通道畅通，灭火器在有效期内")
    photo = tmp_path / "site.jpg"
    photo.write_bytes(_jpeg())
    page.set_input_files("input[name=photo]", str(photo))
    # check.js fills the position from the (granted) geolocation before the worker submits
    expect(page.locator("input[name=lat]")).not_to_have_value("")
    if shots:
        page.screenshot(path=str(shots / "check-form-phone.png"), full_page=True)
    page.get_by_role("button", name="提交检查").click()
    expect(page.get_by_text("检查已记录")).to_be_visible()  # sent by offline.js, the answer shown in place

    record = CheckRecord.objects.get(occurrence=occurrence)
    assert record.presence == Presence.SCANNED and record.scanned_at is not None
    assert record.photo_sha256 and record.device_id and "Chrome" in record.user_agent
    assert record.device_time is not None and record.distance_m is not None and record.distance_m < 50
    assert not record.flags

    page.goto(f"{live_server.url}/hazards/checks/records/{record.pk}/")
    assert page.get_by_test_id("record-presence").get_attribute("data-presence") == "scanned"
    assert "扫码到位" in page.get_by_test_id("record-presence").inner_text()
    _fits_the_phone(page)
    if shots:
        page.screenshot(path=str(shots / "check-record-phone.png"), full_page=True)
    phone.close()

    # A second check, made 1 km away with the same photo and without a scan, is flagged for the regulator.
    second = checklists.inspection_from_checklist(
        actor=manager_actor,
        template=ChecklistTemplate.objects.get(shipped_code="SHIP-FIRE-KP"),
        enterprise=world.ent_a,
        data={
            "title": "复查",
            "window_start": now,
            "window_end": now + dt.timedelta(hours=4),
            "risk_point": point,
        },
    )
    far = browser.new_context(
        **{**PHONE, "geolocation": {"latitude": 36.96, "longitude": 118.08, "accuracy": 10}}
    )
    page = _login(far, live_server.url, "ent_a")
    page.goto(f"{live_server.url}/hazards/checks/{second.pk}/")
    page.set_input_files("input[name=photo]", str(photo))
    expect(page.locator("input[name=lat]")).not_to_have_value("")
    page.get_by_role("button", name="提交检查").click()
    expect(page.get_by_text("检查已记录")).to_be_visible()  # sent by offline.js, the answer shown in place
    flagged = CheckRecord.objects.get(occurrence=second)
    assert flagged.presence == Presence.GPS and flagged.flag_far and flagged.flag_photo_seen
    far.close()

    desk.close()
    desk = browser.new_context(**DESKTOP)
    town = _login(desk, live_server.url, "town_a")
    town.goto(f"{live_server.url}/hazards/checks/records/?flag=far")
    assert "复查" in town.content() and "节前消防专项检查" not in town.content()
    town.goto(f"{live_server.url}/hazards/checks/records/{flagged.pk}/")
    flags = town.get_by_test_id("record-flags").inner_text()
    assert "远离风险点" in flags and "照片重复使用" in flags
    if shots:
        town.screenshot(path=str(shots / "flagged-record-desktop.png"), full_page=True)
        town.goto(f"{live_server.url}/hazards/metrics/")
        town.screenshot(path=str(shots / "metrics-desktop.png"), full_page=True)
        town.goto(f"{live_server.url}/hazards/checklists/")
        town.screenshot(path=str(shots / "checklists-desktop.png"), full_page=True)
    desk.close()
