"""Issue 9, the closed loop at phone size (390 × 844): the grid worker reports a hazard of an enterprise of
town A with a photo; the enterprise's safety manager confirms it, fills the five in place (responsible
person, measures, funds, deadline, plan), rectifies with an after photo and submits it; the town officer
accepts it. Each step is on the hazard's own history and in the core audit log (read in the browser
by the town officer, and checked row by row)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from tests.browser.signin import signed_in_page

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True, "has_touch": True}
TITLE = "反应釜区域消防通道堆放杂物"


def _login(browser, base: str, username: str):
    return signed_in_page(browser.new_context(**PHONE), base, username)


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width} px wide"


def _photo(path, colour: str):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def _shot(page, shots, name: str) -> None:
    _fits_the_phone(page)
    if shots:
        page.screenshot(path=str(shots / f"hazard-loop-{name}.png"), full_page=True)


def _act(page, action: str) -> None:
    """Press the submit button of one move's form on the hazard page and wait for the redirect back."""
    form = page.locator(f"form[action$='/{action}/']")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".invalid-feedback:visible").count() == 0, page.content()


def test_grid_report_enterprise_rectifies_town_accepts(browser, live_server, live_world, shots, tmp_path):
    from django.utils import timezone

    from safegrid.core.models import AuditEntry
    from safegrid.hazards.models import HazardTransition, HiddenHazard
    from safegrid.hazards.testing import ship_reference_data

    world = live_world
    ship_reference_data()
    base = live_server.url

    # 1. The grid worker reports it on the phone, photo first.
    grid = _login(browser, base, "grid_a")
    grid.goto(f"{base}/hazards/report/")
    grid.set_input_files("input[name=photos]", _photo(tmp_path / "before.jpg", "orange"))
    grid.fill("input[name=title]", TITLE)
    grid.fill("input[name=location]", "合成车间东侧消防通道")
    grid.fill("textarea[name=description]", "消防通道内堆放空桶和包装材料，通道宽度不足")
    _shot(grid, shots, "1-report")
    with grid.expect_navigation():
        grid.get_by_role("button", name="登记隐患").click()
    hazard = HiddenHazard.objects.get(title=TITLE)
    assert grid.url.endswith(f"/hazards/{hazard.pk}/")
    assert hazard.enterprise_id == world.ent_a.pk and hazard.origin == "grid" and hazard.status == "reported"
    assert hazard.photos.filter(kind="before").count() == 1
    _shot(grid, shots, "2-reported")
    grid.context.close()

    # 2. The enterprise's safety manager confirms it, fills the five in place, rectifies and submits.
    ent = _login(browser, base, "ent_a")
    ent.goto(f"{base}/hazards/{hazard.pk}/")
    _shot(ent, shots, "3-to-confirm")
    _act(ent, "confirm")
    assert HiddenHazard.objects.get(pk=hazard.pk).status == "confirmed"
    deadline = timezone.localdate() + dt.timedelta(days=7)
    form = ent.locator("form[action$='/assign/']")
    form.locator("select[name=responsible_person]").select_option(label=world.person_a.name)
    form.locator("textarea[name=measures]").fill("清理通道内杂物，划定禁止堆放区并张贴标识")
    form.locator("input[name=funds]").fill("800")
    form.locator("input[name=deadline]").fill(deadline.isoformat())
    form.locator("textarea[name=plan]").fill("车间火灾应急处置方案")
    _shot(ent, shots, "4-five-in-place")
    _act(ent, "assign")
    hazard.refresh_from_db()
    assert hazard.status == "rectifying" and hazard.deadline == deadline
    assert hazard.responsible_person_id == world.person_a.pk and hazard.funds == 800
    assert hazard.measures and hazard.plan
    form = ent.locator("form[action$='/submit/']")
    form.locator("input[name=photos]").set_input_files(_photo(tmp_path / "after.jpg", "green"))
    form.locator("textarea[name=note]").fill("杂物已清理，禁止堆放标识已张贴")
    _shot(ent, shots, "5-rectified")
    _act(ent, "submit")
    hazard.refresh_from_db()
    assert hazard.status == "awaiting" and hazard.photos.filter(kind="after").count() == 1
    ent.context.close()

    # 3. The town officer accepts it (验收销号).
    town = _login(browser, base, "town_a")
    town.goto(f"{base}/hazards/{hazard.pk}/")
    town.locator("form[action$='/accept/'] textarea[name=comment]").fill("现场复查，通道已畅通")
    _act(town, "accept")
    hazard.refresh_from_db()
    assert hazard.status == "closed" and hazard.accepted_by == world.user("town_a")
    assert hazard.days_to_close == 0

    # The hazard's history on its page: every step, by whom.
    history = town.locator(".list-group-item")
    steps = [
        ("登记隐患", "grid_a"),
        ("确认隐患", "ent_a"),
        ("落实整改（五落实）", "ent_a"),
        ("提交验收", "ent_a"),
        ("验收销号", "town_a"),
    ]
    texts = history.all_inner_texts()
    for label, username in steps:
        who = world.user(username)
        assert any(label in t and (who.display_name or who.username) in t for t in texts), (label, texts)
    assert "已销号" in town.inner_text("body")
    _shot(town, shots, "6-closed")
    logged = list(
        HazardTransition.objects.filter(hazard=hazard).order_by("id").values_list("action", flat=True)
    )
    assert logged == ["report", "confirm", "assign", "submit", "accept"]

    # The core audit log: one entry per step (and per photo), each by its actor, hash-chained.
    entries = AuditEntry.objects.filter(
        object_type="hazards.hiddenhazard", object_id=str(hazard.pk)
    ).order_by("id")
    by_actor = [(e.actor_id, e.action) for e in entries]
    assert len(by_actor) == 5
    assert [a for a, _ in by_actor] == [
        world.user(u).pk for u in ("grid_a", "ent_a", "ent_a", "ent_a", "town_a")
    ]
    photos = AuditEntry.objects.filter(object_type="hazards.hazardphoto", after__hazard=hazard.pk)
    assert photos.count() == 2
    from safegrid.core import audit

    assert audit.verify().ok
    # …and the town officer reads it on the phone.
    town.goto(f"{base}/audit/?q={TITLE}")
    rows = town.locator("table tbody tr")
    assert rows.count() >= 5
    _shot(town, shots, "7-audit")
    town.context.close()
