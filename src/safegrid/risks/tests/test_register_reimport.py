"""Re-importing a register export updates it in place: ids kept, removed rows deactivated, changed rows
updated, a preview of every change before anything is written, and nothing written until confirmed."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from safegrid.core.excel import XLSX_TYPE
from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.enterprises.models import ImportJob
from safegrid.enterprises.models_import import ImportStatus
from safegrid.jobs.testing import run_queued
from safegrid.risks.documents.points_excel import columns as rx
from safegrid.risks.documents.points_excel.export import build_export
from safegrid.risks.documents.points_excel.importer import import_register, preview_register
from safegrid.risks.models import (
    ControlMeasure,
    HazardFactor,
    RegisterRevision,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskPoint,
)
from safegrid.risks.services import points as services
from safegrid.testworld import World

from .test_register_excel import build_register

pytestmark = pytest.mark.django_db

MODELS = (RiskPoint, HazardFactor, RiskAssessment, ControlMeasure, ResponsibilityAssignment)


def ids_and_states() -> dict[str, list[tuple[Any, ...]]]:
    """Every register row of every model: id, active flag (where there is one), last change."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for model in MODELS:
        fields = ["pk", *(["active"] if hasattr(model, "active") else []), "updated_at"]
        if model is RiskAssessment:
            fields = ["pk", "assessed_at"]
        found[model.__name__] = list(model.objects.order_by("pk").values_list(*fields))
    return found


def export(world: World) -> bytes:
    return build_export(world.user("ent_a"), world.ent_a)


def edit(content: bytes, sheet: str, change: Callable[[Worksheet, list[str]], None]) -> bytes:
    """The workbook with `change(sheet, headers)` applied (headers in the export's first row, '*' dropped)."""
    workbook = load_workbook(io.BytesIO(content))
    found = workbook[sheet]
    headers = [str(c.value or "").rstrip("*") for c in found[1]]
    change(found, headers)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row_of(sheet: Worksheet, headers: list[str], header: str, value: str) -> int:
    column = headers.index(header) + 1
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column).value == value)


def set_cell(sheet: Worksheet, headers: list[str], row: int, header: str, value: Any) -> None:
    sheet.cell(row, headers.index(header) + 1).value = value


def preview(world: World, content: bytes, *, retire_missing: bool = False) -> dict[str, Any]:
    result = preview_register(
        user=world.user("ent_a"),
        enterprise=world.ent_a,
        file_name="清单.xlsx",
        content=content,
        retire_missing=retire_missing,
    )
    assert result.ok, result.errors
    assert result.preview is not None
    return result.preview


def apply(world: World, content: bytes, expected: dict[str, Any] | None, **more: Any) -> Any:
    return import_register(
        user=world.user("ent_a"),
        enterprise=world.ent_a,
        file_name="清单.xlsx",
        content=content,
        expected=expected,
        retire_missing=bool(expected and expected["retire_missing"]),
        **more,
    )


def by_action(found: dict[str, Any], action: str) -> list[tuple[str, str, str]]:
    return [(r["kind"], r["point"], r["code"]) for r in found["rows"] if r["action"] == action]


def audit_count() -> int:
    """Audit entries of the register (sign-ins and the queued jobs aside)."""
    return AuditEntry.objects.filter(object_type__startswith="risks.").count()


def test_reimporting_an_unchanged_export_keeps_every_id_and_changes_nothing(world: World) -> None:
    build_register(world)
    before, audits = ids_and_states(), audit_count()
    revision = RegisterRevision.objects.get(enterprise=world.ent_a).revision
    content = export(world)

    found = preview(world, content)
    assert found["totals"] == {"created": 0, "updated": 0, "deactivated": 0, "unchanged": 10}
    assert found["counts"]["factor"]["unchanged"] == 3 and found["counts"]["tier"]["unchanged"] == 3
    outcome = apply(world, content, found)
    assert outcome.ok, outcome.errors

    assert ids_and_states() == before  # same ids, nothing saved again (updated_at unchanged)
    assert RegisterRevision.objects.get(enterprise=world.ent_a).revision == revision  # the book stays current
    assert audit_count() == audits + 1  # only the import's summary
    summary = AuditEntry.objects.get(object_type="risks.register_import")
    assert summary.after is not None and summary.after["changed"] == 0


def test_a_removed_row_is_deactivated_and_a_changed_row_updated_in_place(world: World) -> None:
    build_register(world)
    point = RiskPoint.objects.get(enterprise=world.ent_a, code="RP-001")
    patrol = ControlMeasure.objects.get(risk_point=point, description="每班巡检")
    interlock = ControlMeasure.objects.get(risk_point=point, check_content__startswith="联锁")
    workshop_tier = ResponsibilityAssignment.objects.get(risk_point=point, tier="workshop")
    step_two = HazardFactor.objects.get(risk_point__code="RP-002", step_no=2)

    def measures(sheet: Worksheet, headers: list[str]) -> None:
        sheet.delete_rows(row_of(sheet, headers, "管控措施", "每班巡检"))
        row = row_of(sheet, headers, "措施编号", interlock.code)
        set_cell(sheet, headers, row, "排查周期", 4)

    content = edit(export(world), rx.MEASURES_SHEET, measures)
    content = edit(content, rx.TIERS_SHEET, lambda s, h: s.delete_rows(row_of(s, h, "管控层级", "车间级")))
    content = edit(
        content, rx.FACTORS_SHEET, lambda s, h: s.delete_rows(row_of(s, h, "作业步骤/检查项目", "步骤2"))
    )
    content = edit(
        content,
        rx.POINTS_SHEET,
        lambda s, h: set_cell(s, h, row_of(s, h, "风险点编号", "RP-001"), "位置", "二楼"),
    )
    before, audits = ids_and_states(), audit_count()

    found = preview(world, content)
    assert ids_and_states() == before and audit_count() == audits  # a preview writes nothing
    assert sorted(by_action(found, "deactivated")) == [
        ("factor", "RP-002", step_two.code),
        ("measure", "RP-001", patrol.code),
        ("tier", "RP-001", "workshop"),
    ]
    assert sorted(by_action(found, "updated")) == [
        ("measure", "RP-001", interlock.code),
        ("point", "RP-001", "RP-001"),
    ]
    updated = {r["code"]: r for r in found["rows"] if r["action"] == "updated"}
    assert updated[interlock.code]["fields"] == ["排查周期"] and updated["RP-001"]["fields"] == ["位置"]
    assert found["totals"]["created"] == 0

    outcome = apply(world, content, found)
    assert outcome.ok, outcome.errors
    after = ids_and_states()
    assert [row[0] for rows in after.values() for row in rows] == [
        row[0] for rows in before.values() for row in rows
    ]
    for obj in (patrol, workshop_tier, step_two):
        obj.refresh_from_db()
        assert obj.active is False  # kept, retired
    interlock.refresh_from_db()
    point.refresh_from_db()
    assert interlock.check_cycle == 4 and interlock.active and point.location == "二楼"
    # The points' kept counts follow the retired factor and measure (bulk writes send no signals).
    counts = {
        p.code: (p.factor_count, p.measure_count) for p in RiskPoint.objects.filter(enterprise=world.ent_a)
    }
    for p in RiskPoint.objects.filter(enterprise=world.ent_a):
        assert counts[p.code] == (
            p.factors.filter(active=True).count(),
            p.measures.filter(active=True).count(),
        )
    assert counts["RP-001"][1] == point.measures.count() - 1
    assert counts["RP-002"][0] == RiskPoint.objects.get(code="RP-002").factors.count() - 1
    # One audit entry per changed object (five), plus the import's summary (RP-002 keeps its level:
    # both JHA steps were graded alike).
    changed = AuditEntry.objects.filter(object_type__startswith="risks.").order_by("pk")[audits:]
    objects = [(e.object_type, e.object_id) for e in changed if e.object_type != "risks.register_import"]
    assert len(changed) == 6 and len(objects) == len(set(objects)) == 5


def test_new_rows_without_codes_are_numbered_and_linked(world: World) -> None:
    build_register(world)
    point = RiskPoint.objects.get(enterprise=world.ent_a, code="RP-001")

    def add_factor(sheet: Worksheet, headers: list[str]) -> None:
        row = row_of(sheet, headers, "风险点编号", "RP-001")
        values = [sheet.cell(row, c).value for c in range(1, len(headers) + 1)]
        sheet.append(values)
        new = sheet.max_row
        set_cell(sheet, headers, new, "危险源编号", None)
        set_cell(sheet, headers, new, "危险源或潜在事件", "反应釜泄漏中毒")
        set_cell(sheet, headers, new, "作业步骤/检查项目", "反应釜密封")

    def add_measure(sheet: Worksheet, headers: list[str]) -> None:
        row = row_of(sheet, headers, "风险点编号", "RP-001")
        sheet.append([sheet.cell(row, c).value for c in range(1, len(headers) + 1)])
        new = sheet.max_row
        set_cell(sheet, headers, new, "措施编号", None)
        set_cell(sheet, headers, new, "管控措施", "有毒气体报警")
        set_cell(sheet, headers, new, "对应危险源", "反应釜密封")

    content = edit(edit(export(world), rx.FACTORS_SHEET, add_factor), rx.MEASURES_SHEET, add_measure)
    found = preview(world, content)
    assert sorted(by_action(found, "created")) == [("factor", "RP-001", "H02"), ("measure", "RP-001", "M03")]
    assert apply(world, content, found).ok
    measure = ControlMeasure.objects.get(risk_point=point, code="M03")
    assert measure.hazard_factor == HazardFactor.objects.get(risk_point=point, code="H02")


def test_whole_register_file_deactivates_the_points_it_leaves_out(world: World) -> None:
    build_register(world)

    def drop(sheet: Worksheet, headers: list[str]) -> None:
        column = headers.index("风险点编号") + 1
        for row in range(sheet.max_row, 1, -1):
            if sheet.cell(row, column).value == "RP-002":
                sheet.delete_rows(row)

    content = export(world)
    for sheet in (rx.POINTS_SHEET, rx.FACTORS_SHEET, rx.TIERS_SHEET):
        content = edit(content, sheet, drop)
    part = preview(world, content)
    assert part["untouched"] == 1 and part["totals"]["deactivated"] == 0
    whole = preview(world, content, retire_missing=True)
    assert by_action(whole, "deactivated") == [("point", "RP-002", "RP-002")]
    assert apply(world, content, whole).ok
    job = RiskPoint.objects.get(enterprise=world.ent_a, code="RP-002")
    assert not job.active and job.factors.filter(active=True).count() == 2  # its lists stay for the record


def test_a_file_from_before_codes_matches_rows_by_their_content(world: World) -> None:
    build_register(world)
    before = ids_and_states()

    def without(header: str) -> Callable[[Worksheet, list[str]], None]:
        return lambda sheet, headers: sheet.delete_cols(headers.index(header) + 1)

    def old_reference(sheet: Worksheet, headers: list[str]) -> None:
        # Such files named a measure's factor by its item name (here: RP-001's H01 is "反应釜").
        set_cell(sheet, headers, row_of(sheet, headers, "对应危险源", "H01"), "对应危险源", "反应釜")
        sheet.delete_cols(headers.index("措施编号") + 1)

    content = edit(export(world), rx.FACTORS_SHEET, without("危险源编号"))
    content = edit(content, rx.MEASURES_SHEET, old_reference)
    found = preview(world, content)
    assert found["totals"]["unchanged"] == 10 and found["totals"]["created"] == 0
    assert apply(world, content, found).ok and ids_and_states() == before


def test_a_residual_assessment_cannot_be_emptied_away(world: World) -> None:
    build_register(world)

    def empty(sheet: Worksheet, headers: list[str]) -> None:
        row = row_of(sheet, headers, "作业步骤/检查项目", "反应釜")
        for header in ("剩余评价方法", "剩余L", "剩余S"):
            set_cell(sheet, headers, row, header, None)

    result = preview_register(
        user=world.user("ent_a"),
        enterprise=world.ent_a,
        file_name="a",
        content=edit(export(world), rx.FACTORS_SHEET, empty),
    )
    assert not result.ok
    [error] = result.errors
    assert (error.sheet, error.column) == (
        rx.FACTORS_SHEET,
        "剩余评价方法",
    ) and "不能通过导入删除" in error.message


def test_a_register_changed_after_the_preview_is_not_overwritten(world: World) -> None:
    build_register(world)
    point = RiskPoint.objects.get(enterprise=world.ent_a, code="RP-001")
    content = edit(
        export(world),
        rx.POINTS_SHEET,
        lambda s, h: set_cell(s, h, row_of(s, h, "风险点编号", "RP-001"), "位置", "二楼"),
    )
    found = preview(world, content)
    services.risk_point_update(actor=SYSTEM, point=point, data={"name": "同事刚改的名称"})
    before, audits = ids_and_states(), audit_count()
    outcome = apply(world, content, found)
    assert not outcome.ok and "已有" in outcome.errors[0].message
    assert ids_and_states() == before and audit_count() == audits
    point.refresh_from_db()
    assert (point.name, point.location) == ("同事刚改的名称", "合成车间一楼")


# ---- the pages: preview, confirm, cancel --------------------------------------------------------


def upload(client: Any, world: World, content: bytes, **form: Any) -> Any:
    response = client.post(
        reverse("risks:excel_import"),
        {
            "enterprise": world.ent_a.pk,
            "file": SimpleUploadedFile("清单.xlsx", content, content_type=XLSX_TYPE),
            **form,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    run_queued()
    return response["Location"]


def test_the_page_shows_the_preview_and_writes_only_after_confirmation(world: World, login: Any) -> None:
    build_register(world)
    content = edit(
        export(world),
        rx.POINTS_SHEET,
        lambda s, h: set_cell(s, h, row_of(s, h, "风险点编号", "RP-001"), "位置", "二楼"),
    )
    client = login(world.user("ent_a"))
    before, audits = ids_and_states(), audit_count()
    url = upload(client, world, content)
    page = client.get(url)
    html = page.content.decode()
    assert 'data-testid="register-preview-counts"' in html and "确认导入（1 项变更）" in html
    rows = page.context["page_obj"].object_list
    assert [(r["kind"], r["action"], r["fields"]) for r in rows] == [("point", "updated", ["位置"])]
    every = client.get(url, {"show": "all"}).context["page_obj"].paginator.count
    assert every == 10
    run_queued()
    assert ids_and_states() == before and audit_count() == audits  # nothing until confirmed

    upload_id = page.context["job"].pk
    other = Client()
    other.force_login(world.user("county_admin"))  # may edit the register, but it is not their upload
    assert other.post(reverse("risks:excel_import_confirm", args=[upload_id])).status_code == 404
    assert other.post(reverse("risks:excel_import_cancel", args=[upload_id])).status_code == 404
    assert client.post(reverse("risks:excel_import_confirm", args=[upload_id])).status_code == 302
    again = client.post(reverse("risks:excel_import_confirm", args=[upload_id]), follow=True)
    assert "不能再操作" in again.content.decode()
    run_queued()
    assert RiskPoint.objects.get(enterprise=world.ent_a, code="RP-001").location == "二楼"
    done = client.get(url).content.decode()
    assert 'data-testid="excel-import-done"' in done and "风险点：新建 0，更新 1" in done


def test_a_cancelled_preview_writes_nothing(world: World, login: Any) -> None:
    build_register(world)
    content = edit(
        export(world),
        rx.POINTS_SHEET,
        lambda s, h: set_cell(s, h, row_of(s, h, "风险点编号", "RP-001"), "位置", "二楼"),
    )
    client = login(world.user("ent_a"))
    url = upload(client, world, content, scope="whole")
    upload_obj = ImportJob.objects.get(created_by=world.user("ent_a"))
    assert upload_obj.preview["retire_missing"] is True
    before = ids_and_states()
    assert client.post(reverse("risks:excel_import_cancel", args=[upload_obj.pk])).status_code == 302
    upload_obj.refresh_from_db()
    assert upload_obj.status == ImportStatus.CANCELLED
    assert client.post(reverse("risks:excel_import_confirm", args=[upload_obj.pk])).status_code == 302
    run_queued()
    assert ids_and_states() == before
    assert 'data-testid="excel-import-cancelled"' in client.get(url).content.decode()
