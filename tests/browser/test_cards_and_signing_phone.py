"""Issue 7 at phone size (390 px): post_a scans the QR card of a point their post works at and confirms it;
the legal representative signs a submitted book with their own login; a town officer whose county
delegated the sector's review accepts a filing."""

from __future__ import annotations

import pytest

from safegrid.core.testing import PASSWORD
from tests.browser.signin import signed_in_page as _login

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "is_mobile": True, "has_touch": True}


def _fits_the_phone(page) -> None:
    """Nothing wider than the screen: no sideways scrolling on a 390 px phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width} px wide"


def _register(world) -> None:
    """ent_a's complete register: one point on the workshop whose post tier is post_a's post."""
    from safegrid.risks.tests.test_filing import complete_register

    complete_register(world)


def test_post_worker_scans_their_card_and_confirms(browser, live_server, live_world, shots):
    from safegrid.risks.choices import ControlTier
    from safegrid.risks.models import CardConfirmation, RiskPoint

    _register(live_world)
    point = RiskPoint.objects.get(enterprise=live_world.ent_a, code="RP-001")
    assert point.org_unit.kind == "workshop"  # hangs off the workshop, as in the demo
    assert point.tiers.get(tier=ControlTier.POST).org_unit == live_world.post_a

    phone = browser.new_context(**PHONE)
    page = _login(phone, live_server.url, "post_a")
    assert page.url == f"{live_server.url}/"  # a post worker's home: their to-dos, their cards first
    page.get_by_role("link", name="我的告知卡待确认").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/risks/cards/mine/?show=todo")
    assert "还有 1 张卡片待确认" in page.content()
    if shots:
        page.screenshot(path=str(shots / "my-cards-phone.png"), full_page=True)

    response = page.goto(f"{live_server.url}/risks/cards/qr/{point.qr_token}/")  # what scanning opens
    assert response is not None and response.status == 200
    assert "氯乙烯合成反应釜" in page.content()
    _fits_the_phone(page)
    page.get_by_role("button", name="我已阅读并知晓").click()
    page.wait_for_load_state("networkidle")
    assert "已确认" in page.content()
    receipt = CardConfirmation.objects.get(risk_point=point)
    assert receipt.user.username == "post_a" and receipt.card_version == 1
    if shots:
        page.screenshot(path=str(shots / "post-card-confirmed-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/risks/cards/mine/")
    assert "您的告知卡都已确认" in page.content()
    phone.close()


def test_legal_representative_signs_a_submitted_book_on_the_phone(browser, live_server, live_world, shots):
    from safegrid.core.choices import Role
    from safegrid.core.testing import make_user
    from safegrid.notifications.models import Notification
    from safegrid.risks.choices import FilingStatus
    from safegrid.risks.services import filing as filing_services

    _register(live_world)
    legal = make_user(
        "legal_a", {"role": Role.LEGAL_REP, "enterprise": live_world.ent_a}, display_name="张甲"
    )
    compiler = live_world.user("ent_a")
    filing = filing_services.filing_compile(actor=compiler, enterprise=live_world.ent_a)
    filing = filing_services.filing_submit(actor=compiler, filing=filing)

    phone = browser.new_context(**PHONE)
    page = _login(phone, live_server.url, "legal_a")
    note = Notification.objects.get(recipient=legal, kind="risks.filing_to_sign")
    page.goto(f"{live_server.url}{note.url}")  # the notification leads to the signing screen
    assert "确认签署并报送" in page.content() and "张甲" in page.content()
    _fits_the_phone(page)
    if shots:
        page.screenshot(path=str(shots / "sign-book-phone.png"), full_page=True)
    page.fill("input[name=password]", "not-my-password")
    page.get_by_role("button", name="确认签署并报送").click()
    page.wait_for_load_state("networkidle")
    assert "密码不正确" in page.content()
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="确认签署并报送").click()
    page.wait_for_load_state("networkidle")
    filing.refresh_from_db()
    assert (filing.status, filing.signed_by, filing.signer_name) == (FilingStatus.FILED, legal, "张甲")
    assert f"/risks/filings/{filing.pk}/" in page.url and "张甲 · " in page.content()
    if shots:
        page.screenshot(path=str(shots / "signed-book-phone.png"), full_page=True)
    phone.close()


def test_town_officer_with_delegation_accepts_a_filing_on_the_phone(browser, live_server, live_world, shots):
    from safegrid.core.choices import Role
    from safegrid.core.testing import make_user
    from safegrid.risks.choices import FilingStatus
    from safegrid.risks.services import filing as filing_services
    from safegrid.risks.services import filing_reviewers

    _register(live_world)
    filing_reviewers.filing_reviewers_save(
        actor=live_world.user("county_admin"), county_code="370321", choices={"hazardous_chemicals": "town"}
    )
    legal = make_user(
        "legal_a", {"role": Role.LEGAL_REP, "enterprise": live_world.ent_a}, display_name="张甲"
    )
    compiler = live_world.user("ent_a")
    filing = filing_services.filing_compile(actor=compiler, enterprise=live_world.ent_a)
    filing = filing_services.filing_submit(actor=compiler, filing=filing)
    filing = filing_services.filing_sign(actor=legal, filing=filing, password=PASSWORD)

    phone = browser.new_context(**PHONE)
    page = _login(phone, live_server.url, "town_a")
    page.goto(f"{live_server.url}/risks/filings/{filing.pk}/")
    assert "索镇街道（受县委托）" in page.content()
    _fits_the_phone(page)
    if shots:
        page.screenshot(path=str(shots / "town-review-phone.png"), full_page=True)
    page.fill("textarea[name=comment]", "镇街已核对")
    page.get_by_role("button", name="接收备案").click()
    page.wait_for_load_state("networkidle")
    filing.refresh_from_db()
    assert (filing.status, filing.reviewed_by.username, filing.review_comment) == (
        FilingStatus.ACCEPTED,
        "town_a",
        "镇街已核对",
    )
    phone.close()
