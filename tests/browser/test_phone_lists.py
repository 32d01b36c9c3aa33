"""Every list page of the demo roles is readable on a 390 px phone (rows stacked into labelled cards, or a
wide table with a scroll hint), and on desktop the dark sidebar runs the whole height of a long page."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# The list pages each demo role reaches from its menu.
ROLE_PAGES: dict[str, list[str]] = {
    "county_admin": [
        "/enterprises/",
        "/enterprises/people/",
        "/enterprises/certificates/",
        "/enterprises/certificates/attention/",
        "/risks/points/",
        "/risks/filings/",
        "/risks/map/regional/",
        "/hazards/",
        "/hazards/overdue/",
        "/hazards/supervision/",
        "/audit/",
        "/jobs/",
        "/notifications/",
        "/regions/divisions/",
        "/regions/grids/",
        "/regions/departments/",
    ],
    "town_a": ["/enterprises/", "/risks/points/", "/risks/filings/", "/hazards/", "/notifications/"],
    "dept_chem": ["/risks/filings/", "/hazards/supervision/", "/notifications/"],
    "ent_a": [
        "/enterprises/people/",
        "/enterprises/certificates/",
        "/risks/points/",
        "/hazards/",
        "/hazards/checks/",
        "/jobs/",
    ],
    "post_a": ["/risks/cards/mine/", "/hazards/checks/"],
}

# One pass over the page's tables: what a phone user could not read. A table marked .sg-cards must show
# every row's last visible cell inside the screen, labelled by its column; any other table must fit or
# say that it scrolls.
READABLE = """
() => {
  const width = window.innerWidth;
  const problems = [];
  let rows = 0;
  for (const table of document.querySelectorAll("main table, .page-body table")) {
    if (!table.offsetParent) continue;  // hidden at this size (a desktop-only table)
    if (table.classList.contains("sg-cards")) {
      for (const row of table.tBodies[0] ? table.tBodies[0].rows : []) {
        const cells = Array.from(row.cells).filter((c) => c.offsetParent && getComputedStyle(c).display !== "none");
        if (!cells.length || cells[0].hasAttribute("colspan")) continue;
        rows += 1;
        const last = cells[cells.length - 1];
        const box = last.getBoundingClientRect();
        if (box.right > width + 1 || box.left < -1) problems.push("last cell off screen: " + last.textContent.trim());
        if (!last.textContent.trim() && !last.querySelector("svg, img, button, input")) problems.push("empty last cell");
        if (!last.getAttribute("data-label")) problems.push("unlabelled cell: " + last.textContent.trim());
      }
    } else {
      const box = table.getBoundingClientRect();
      const scroller = table.closest(".table-responsive");
      const hint = scroller && scroller.previousElementSibling;
      const hinted = hint && hint.classList.contains("sg-scroll-hint") && hint.offsetParent;
      if (box.width > width + 1 && !hinted) problems.push("wide table without a scroll hint");
    }
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: width, rows, problems};
}
"""


@pytest.fixture
def demo_county(transactional_db: Any, settings: Any, tmp_path: Any) -> None:
    from safegrid.demo import builders
    from safegrid.hazards.testing import ship_reference_data
    from safegrid.testworld import ensure_reference_data

    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_reference_data()  # sectors and departments (an earlier transactional test flushed them)
    ship_reference_data()
    builders.build(enterprises=60, seed=11)


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.SAFEGRID_DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login/" not in page.url, f"login as {username} failed"


def test_demo_lists_on_the_phone_and_the_sidebar_on_desktop(browser, live_server, demo_county, shots):
    """One demo county (a build takes a while) for the three checks."""
    _every_demo_list_is_readable_at_390_px(browser, live_server, shots)
    _a_list_row_is_a_labelled_card_on_the_phone_and_a_row_on_desktop(browser, live_server)
    _the_sidebar_runs_the_whole_height_of_a_long_page(browser, live_server, shots)


def _every_demo_list_is_readable_at_390_px(browser, live_server, shots) -> None:
    stacked = 0
    for username, urls in ROLE_PAGES.items():
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        _login(page, live_server.url, username)
        for url in urls:
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 200, (username, url)
            page.wait_for_load_state("networkidle")
            seen = page.locator("body").evaluate(READABLE)
            assert seen["scrollWidth"] <= seen["innerWidth"], (username, url, seen)
            assert not seen["problems"], (username, url, seen["problems"][:3])
            stacked += seen["rows"]
            if shots:
                slug = url.strip("/").replace("/", "-")
                page.screenshot(path=str(shots / f"phone-{username}-{slug}.png"))
        context.close()
    assert stacked > 50  # the demo's lists are not empty: rows were really checked


def _a_list_row_is_a_labelled_card_on_the_phone_and_a_row_on_desktop(browser, live_server) -> None:
    for size, stacked in ((PHONE, True), (DESKTOP, False)):
        context = browser.new_context(viewport=size, locale="zh-CN")
        page = context.new_page()
        _login(page, live_server.url, "county_admin")
        page.goto(live_server.url + "/risks/filings/")
        row = page.locator("table.sg-cards tbody tr").first
        cells = row.locator("td:visible")  # the phone hides the code column (d-none d-md-table-cell)
        name, other = cells.nth(0), cells.nth(1)
        assert name.get_attribute("data-label") == "企业名称"
        first, second = name.bounding_box(), other.bounding_box()
        assert first is not None and second is not None
        if stacked:  # one above the other, both as wide as the card
            assert second["y"] >= first["y"] + first["height"] - 1
            assert page.locator("table.sg-cards thead").bounding_box()["height"] <= 1
        else:  # side by side under the visible header
            assert abs(second["y"] - first["y"]) < 2 and second["x"] > first["x"]
            assert page.locator("table.sg-cards thead").is_visible()
        context.close()


def _the_sidebar_runs_the_whole_height_of_a_long_page(browser, live_server, shots) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    _login(page, live_server.url, "county_admin")
    page.goto(live_server.url + "/audit/")
    page.mouse.wheel(0, 10000)
    sidebar = page.locator("aside.navbar-vertical")
    height, page_height = sidebar.evaluate(
        "(e) => [e.getBoundingClientRect().height, document.scrollingElement.scrollHeight]"
    )
    assert page_height > DESKTOP["height"] + 200  # a long page
    assert height >= page_height - 1
    # Its menu stays in view while the page scrolls.
    box = page.locator("#sidebar-menu a.nav-link").first.bounding_box()
    assert box is not None and 0 <= box["y"] < DESKTOP["height"]
    if shots:
        page.screenshot(path=str(shots / "desktop-audit-long-page.png"), full_page=True)
    context.close()
