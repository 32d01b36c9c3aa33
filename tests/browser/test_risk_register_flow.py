"""Issue 3 end to end: ent_a builds, assesses, lists and submits its register, the legal representative
signs it (which files it); the regulator accepts it; a grid worker opens the post card on a phone through
the QR link."""

from __future__ import annotations

import re

import pytest

from safegrid.core.testing import PASSWORD
from tests.browser.signin import signed_in_page as _login

pytestmark = pytest.mark.browser


def _submit(page, form_selector: str = "main form[method=post]") -> None:
    page.locator(f"{form_selector} button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def test_register_to_filing_to_phone_card(browser, live_server, live_world, shots):
    from safegrid.risks.choices import FilingStatus
    from safegrid.risks.models import HazardFactor, RiskPoint, RiskRegisterFiling

    base = live_server.url
    ent = live_world.ent_a
    post = live_world.post_a

    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = _login(desk, base, "ent_a")

    # 1. A risk point placed on the post (so post staff see it too).
    page.goto(f"{base}/risks/enterprises/{ent.pk}/points/new/")
    page.fill("input[name=code]", "R-101")
    page.fill("input[name=name]", "液氯储罐区")
    page.select_option("select[name=type]", "facility")
    page.select_option("select[name=org_unit]", str(post.pk))
    _submit(page)
    point = RiskPoint.objects.get(enterprise=ent, code="R-101")
    assert re.search(rf"/risks/points/{point.pk}/$", page.url)

    # 2. A hazard factor found by SCL.
    page.goto(f"{base}/risks/points/{point.pk}/factors/new/")
    page.select_option("select[name=method]", "SCL")
    page.fill("textarea[name=description]", "液氯储罐泄漏")
    page.select_option("select[name=category]", "things")
    _submit(page)
    factor = HazardFactor.objects.get(risk_point=point)

    # 3. LEC assessment with the live preview: 6 × 6 × 15 = 540 → level 1, red.
    page.goto(f"{base}/risks/factors/{factor.pk}/assess/")
    page.select_option("select[name=method]", "LEC")
    page.select_option("select[name=LEC_L]", "6")
    page.select_option("select[name=LEC_E]", "6")
    page.select_option("select[name=LEC_C]", "15")
    preview = page.locator("#assess-preview")
    preview.get_by_text("540").wait_for()
    assert "重大风险" in preview.inner_text()
    if shots:
        page.screenshot(path=str(shots / "assess-preview.png"), full_page=True)
    page.locator("#assess-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    point.refresh_from_db()
    assert point.level == 1

    # 4. A control measure and the four tiers a level-1 point needs.
    page.goto(f"{base}/risks/points/{point.pk}/measures/new/")
    page.select_option("select[name=kind]", index=1)
    page.select_option("select[name=classify1]", "1")
    page.select_option("select[name=classify2]", "1-2")
    page.fill("textarea[name=description]", "储罐液位、压力在线监测并联锁")
    page.fill("textarea[name=check_content]", "液位、压力是否在正常范围，联锁是否投用")
    page.fill("input[name=check_cycle]", "2")
    page.select_option("select[name=check_cycle_unit]", index=1)
    page.select_option("select[name=responsible_post]", str(post.pk))
    _submit(page)
    assert point.measures.count() == 1
    for tier in ("company", "workshop", "team", "post"):
        page.goto(f"{base}/risks/points/{point.pk}/tiers/{tier}/")
        page.select_option("select[name=person]", str(live_world.person_a.pk))
        _submit(page)
    assert point.tiers.count() == 4
    page.goto(f"{base}/risks/points/{point.pk}/")
    assert "缺少管控层级" not in page.content()
    if shots:
        page.screenshot(path=str(shots / "point-detail.png"), full_page=True)

    # 5. Compile and submit for signature; the legal representative signs with their own login (which files it).
    from safegrid.core.choices import Role
    from safegrid.core.testing import make_user

    make_user("legal_a", {"role": Role.LEGAL_REP, "enterprise": ent}, display_name=ent.legal_rep)
    page.goto(f"{base}/risks/filings/mine/")
    page.locator("form[action$='/compile/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    filing = RiskRegisterFiling.objects.get(enterprise=ent)
    page.locator("form[action$='/submit/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    filing.refresh_from_db()
    assert filing.status == FilingStatus.TO_SIGN
    desk.close()
    signer = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = _login(signer, base, "legal_a")
    page.goto(f"{base}/risks/filings/{filing.pk}/sign/")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/sign/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    filing.refresh_from_db()
    assert filing.status == FilingStatus.FILED and filing.signer_name == ent.legal_rep
    signer.close()

    # 6. The hazardous-chemicals regulator accepts it.
    regulator = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = _login(regulator, base, "dept_chem")
    page.goto(f"{base}/risks/filings/")
    assert ent.name in page.content()
    page.goto(f"{base}/risks/filings/{filing.pk}/")
    page.locator(f"button[formaction$='/{filing.pk}/accept/']").click()
    page.wait_for_load_state("networkidle")
    filing.refresh_from_db()
    assert filing.status == FilingStatus.ACCEPTED
    regulator.close()

    # 7. The grid worker scans the QR code on a phone and reads the post card.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = _login(phone, base, "grid_a")
    response = page.goto(f"{base}/risks/cards/qr/{point.qr_token}/")
    assert response is not None and response.status == 200
    body = page.content()
    assert "液氯储罐区" in body and "重大风险" in body and "液氯储罐泄漏" in body
    if shots:
        page.screenshot(path=str(shots / "post-card-phone.png"), full_page=True)
    phone.close()
