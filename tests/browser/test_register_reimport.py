"""Issue 7: a safety manager re-imports the register export on a phone: the changes are shown first and
written only after confirming; the ids stay."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from safegrid.core.excel import XLSX_TYPE
from safegrid.core.testing import PASSWORD

pytestmark = pytest.mark.browser


def _edited_export(world) -> bytes:
    from safegrid.risks.documents.points_excel import columns as rx
    from safegrid.risks.documents.points_excel.export import build_export

    book = load_workbook(io.BytesIO(build_export(world.user("ent_a"), world.ent_a)))
    sheet = book[rx.POINTS_SHEET]
    headers = [str(c.value or "").rstrip("*") for c in sheet[1]]
    sheet.cell(2, headers.index("位置") + 1).value = "合成车间二楼"
    measures = book[rx.MEASURES_SHEET]
    measures.delete_rows(3)  # the second measure of RP-001
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_reimport_preview_then_confirm_on_a_phone(browser, live_server, live_world, shots):
    from safegrid.jobs.testing import run_queued
    from safegrid.risks.models import ControlMeasure, RiskPoint
    from safegrid.risks.tests.test_register_excel import build_register

    build_register(live_world)
    point = RiskPoint.objects.get(enterprise=live_world.ent_a, code="RP-001")
    measure_ids = sorted(ControlMeasure.objects.values_list("pk", flat=True))
    content = _edited_export(live_world)
    base = live_server.url

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = phone.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "ent_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{base}/risks/excel/")
    page.set_input_files(
        "input[name=file]", files=[{"name": "风险清单.xlsx", "mimeType": XLSX_TYPE, "buffer": content}]
    )
    page.get_by_text("上传并预览变更").click()
    page.wait_for_load_state("networkidle")
    run_queued()  # the worker's preview job
    page.reload()
    page.get_by_test_id("register-preview").wait_for()
    text = page.inner_text("main")
    assert "确认导入（2 项变更）" in text and "变更：位置" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing cut off at 390 px
    if shots:
        page.screenshot(path=str(shots / "reimport-preview-phone.png"), full_page=True)
        desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        desk.add_cookies(phone.cookies())
        wide = desk.new_page()
        wide.goto(page.url)
        wide.screenshot(path=str(shots / "reimport-preview-desktop.png"), full_page=True)
        desk.close()
    point.refresh_from_db()
    assert point.location != "合成车间二楼"  # nothing written before confirming

    page.get_by_test_id("register-preview-confirm").click()
    page.wait_for_load_state("networkidle")
    run_queued()  # the worker's import job
    page.reload()
    page.get_by_test_id("excel-import-done").wait_for()
    if shots:
        page.screenshot(path=str(shots / "reimport-done-phone.png"), full_page=True)
    point.refresh_from_db()
    assert point.location == "合成车间二楼"
    assert sorted(ControlMeasure.objects.values_list("pk", flat=True)) == measure_ids  # retired, not deleted
    assert ControlMeasure.objects.filter(active=False).count() == 1
    phone.close()
