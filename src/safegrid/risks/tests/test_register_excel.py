"""Excel template, export and import of a whole risk register: all or nothing, audited, round trip."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from safegrid.core import excel
from safegrid.core.excel import XLSX_TYPE
from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.models import OrgUnit
from safegrid.jobs.choices import JobStatus
from safegrid.jobs.models import Job
from safegrid.jobs.testing import run_queued
from safegrid.notifications.models import Notification
from safegrid.risks.choices import AssessmentKind, IdentificationMethod
from safegrid.risks.documents.points_excel import columns as rx
from safegrid.risks.documents.points_excel.importer import ImportOutcome, file_uscc, import_register
from safegrid.risks.models import (
    ControlMeasure,
    HazardFactor,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskPoint,
)
from safegrid.risks.selectors import points as selectors
from safegrid.risks.services import points as services
from safegrid.risks.tests.factories import make_factor, make_measure, make_point
from safegrid.testworld import World

pytestmark = pytest.mark.django_db


# ---- helpers ---------------------------------------------------------------------------------------


def workbook_bytes(world: World, sheets: dict[str, list[dict[str, Any]]]) -> bytes:
    """A register workbook with the template's headers and the given rows (by column key)."""
    workbook = Workbook()
    help_sheet = workbook.worksheets[0]
    help_sheet.title = excel.HELP_SHEET
    help_sheet.append([rx.USCC_LABEL, world.ent_a.uscc])
    for name, columns in rx.SHEETS.items():
        sheet = workbook.create_sheet(name)
        sheet.append([c.header + ("*" if c.required else "") for c in columns])
        for row in sheets.get(name, []):
            sheet.append([row.get(c.key) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


POINT: dict[str, Any] = {
    "code": "RP-101",
    "name": "氯乙烯合成反应釜",
    "type": "设施/部位/场所/区域",
    "org_unit": "合成车间",
}
FACTOR: dict[str, Any] = {
    "point": "RP-101",
    "method": "SCL",
    "step_name": "反应釜",
    "description": "反应釜超温超压",
    "category": "物的因素",
    "accident_types": "容器爆炸、火灾",
    "initial_method": "LEC",
    "initial_L": 3,
    "initial_E": 6,
    "initial_C": 15,
}
MEASURE: dict[str, Any] = {
    "point": "RP-101",
    "factor": "反应釜",
    "kind": "自动化控制",
    "classify1": "工程技术",
    "classify2": "1-4",
    "description": "温度压力高高联锁",
    "check_content": "联锁投用状态",
    "check_cycle": 2,
    "check_cycle_unit": "小时",
    "responsible_post": "合成车间/甲班/反应釜操作岗",
}
TIER: dict[str, Any] = {
    "point": "RP-101",
    "tier": "岗位级",
    "person": "王操作",
    "org_unit": "合成车间/甲班/反应釜操作岗",
}


def good_sheets(**changes: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    sheets: dict[str, list[dict[str, Any]]] = {
        rx.POINTS_SHEET: [dict(POINT)],
        rx.FACTORS_SHEET: [dict(FACTOR)],
        rx.MEASURES_SHEET: [dict(MEASURE)],
        rx.TIERS_SHEET: [dict(TIER)],
    }
    sheets.update(changes)
    return sheets


def do_import(world: World, content: bytes, user: str = "ent_a") -> ImportOutcome:
    return import_register(user=world.user(user), enterprise=world.ent_a, file_name="t.xlsx", content=content)


def register_counts() -> tuple[int, int, int, int, int]:
    return (
        RiskPoint.objects.count(),
        HazardFactor.objects.count(),
        RiskAssessment.objects.count(),
        ControlMeasure.objects.count(),
        ResponsibilityAssignment.objects.count(),
    )


def snapshot(world: World) -> list[tuple[Any, ...]]:
    """The register as comparable values: codes, factors with levels and inputs, measures, tiers."""
    _enterprise, points = selectors.register(world.user("county_admin"), world.ent_a.pk)
    result: list[tuple[Any, ...]] = []
    for point in points:
        factors = []
        for view in selectors.factor_views(point):
            f = view.factor
            factors.append(
                (
                    f.method,
                    f.step_no,
                    f.step_name,
                    f.description,
                    f.category,
                    tuple(f.accident_types),
                    f.consequences,
                    f.existing_controls,
                    (view.initial.method, view.initial.inputs, view.initial.level) if view.initial else None,
                    (view.residual.method, view.residual.inputs, view.residual.level)
                    if view.residual
                    else None,
                )
            )
        measures = sorted(
            (
                m.kind,
                m.classify1,
                m.classify2,
                m.classify3,
                m.description,
                m.check_content,
                m.check_cycle,
                m.check_cycle_unit,
                m.work_day_type,
                m.data_src,
                m.responsible_post_id,
                m.hazard_factor.description if m.hazard_factor else None,
            )
            for m in point.measures.all()
        )
        tiers = sorted((t.tier, t.person_id, t.org_unit_id) for t in point.tiers.all())
        result.append(
            (
                point.code,
                point.name,
                point.type,
                point.org_unit_id,
                point.location,
                point.lat,
                point.lon,
                point.level,
                sorted(factors, key=repr),
                measures,
                tiers,
            )
        )
    return result


def build_register(world: World) -> None:
    team = OrgUnit.objects.get(enterprise=world.ent_a, name="甲班")
    workshop = team.parent
    leader = ent_services.person_create(
        actor=SYSTEM, enterprise=world.ent_a, data={"name": "李主任", "org_unit": workshop}
    )
    point = make_point(world, "RP-001", lat=36.95, lon=118.08)
    scl = make_factor(point, step_name="反应釜")
    services.assess(
        actor=SYSTEM, factor=scl, kind=AssessmentKind.INITIAL, method="LEC", inputs={"L": 6, "E": 6, "C": 15}
    )
    services.assess(
        actor=SYSTEM, factor=scl, kind=AssessmentKind.RESIDUAL, method="LS", inputs={"L": 2, "S": 4}
    )
    make_measure(world, point, hazard_factor=scl)
    make_measure(
        world,
        point,
        description="每班巡检",
        check_content="现场巡检记录",
        check_cycle=1,
        check_cycle_unit="天",
    )
    services.tier_assign(actor=SYSTEM, point=point, tier="post", person=world.person_a, org_unit=world.post_a)
    services.tier_assign(actor=SYSTEM, point=point, tier="workshop", person=leader, org_unit=workshop)

    job = make_point(world, "RP-002", name="检修动火作业", type="activity", org_unit=team)
    for step in (1, 2):
        factor = make_factor(
            job,
            method=IdentificationMethod.JHA,
            step_no=step,
            step_name=f"步骤{step}",
            description=f"动火作业危险{step}",
            accident_types=["08"],
        )
        services.assess(
            actor=SYSTEM,
            factor=factor,
            kind=AssessmentKind.INITIAL,
            method="MES",
            inputs={"M": 3, "E": 0.5, "S": 4},
        )
    services.tier_assign(actor=SYSTEM, point=job, tier="team", person=world.person_a, org_unit=team)


# ---- template ----------------------------------------------------------------------------------------


def test_template_downloads_parses_and_imports_nothing(world: World, login: Any) -> None:
    client = login(world.user("ent_a"))
    response = client.get(reverse("risks:excel_template"), {"enterprise": world.ent_a.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [excel.HELP_SHEET, *rx.SHEETS, excel.CODES_SHEET]
    factors = workbook[rx.FACTORS_SHEET]
    assert factors["A1"].value == "风险点编号*" and factors["A1"].font.bold
    assert factors["A2"].value.startswith(excel.EXAMPLE_MARK)
    assert factors["A2"].number_format == "@"
    assert factors.column_dimensions["A"].number_format == "@"
    headers = {
        col[0]: [v for v in col[1:] if v] for col in workbook[excel.CODES_SHEET].iter_cols(values_only=True)
    }
    assert "合成车间/甲班/反应釜操作岗" in headers["岗位路径"]
    assert "合成车间" in headers["组织单元路径"]
    assert "王操作" in headers["人员姓名"]
    assert "中毒和窒息" in headers["事故类型（GB 6441）"]
    assert headers["LEC：E"] == ["10", "6", "3", "2", "1", "0.5"]
    assert headers["管控层级"] == ["公司级", "车间级", "班组级", "岗位级"]
    assert any(
        dv.formula1.startswith(f"'{excel.CODES_SHEET}'!") for dv in factors.data_validations.dataValidation
    )

    read = excel.read_workbook(response.content, rx.SPECS)
    assert read.problems == [] and file_uscc(response.content) == world.ent_a.uscc
    assert all(rows == [] for rows in read.sheets.values())  # only example rows
    outcome = do_import(world, response.content)
    assert not outcome.ok and "没有数据行" in outcome.message


# ---- all or nothing ----------------------------------------------------------------------------------


def test_good_file_imports_everything_through_audited_services(world: World) -> None:
    outcome = do_import(world, workbook_bytes(world, good_sheets()))
    assert outcome.ok, outcome.errors
    point = RiskPoint.objects.get(enterprise=world.ent_a, code="RP-101")
    assert point.level == 2  # LEC 3 × 6 × 15 = 270 → 较大风险
    assert point.org_unit is not None and point.org_unit.name == "合成车间"
    factor = point.factors.get()
    assert factor.accident_types == ["17", "08"]
    measure = point.measures.get()
    assert measure.hazard_factor == factor and measure.responsible_post == world.post_a
    assert point.tiers.get().person == world.person_a
    by_user = AuditEntry.objects.filter(actor=world.user("ent_a"))
    types = set(by_user.values_list("object_type", flat=True))
    assert {
        "risks.riskpoint",
        "risks.hazardfactor",
        "risks.riskassessment",
        "risks.controlmeasure",
        "risks.responsibilityassignment",
    } <= types
    summary = by_user.get(object_type="risks.register_import")
    assert summary.action == "import" and summary.enterprise_id == world.ent_a.pk
    after = summary.after or {}
    assert after["points"] == ["RP-101"] and after["counts"]["factor"]["created"] == 1
    assert after["changed"] == 4  # the point, its factor, measure and tier (the assessment is the factor's)


def test_one_bad_lec_value_imports_nothing_and_names_sheet_row_column(world: World) -> None:
    second = dict(FACTOR, description="泄漏中毒", initial_E=5)
    content = workbook_bytes(world, good_sheets(**{rx.FACTORS_SHEET: [dict(FACTOR), second]}))
    before = register_counts()
    outcome = do_import(world, content)
    assert not outcome.ok
    assert register_counts() == before
    assert not AuditEntry.objects.filter(object_type="risks.register_import").exists()
    [error] = outcome.errors
    assert (error.sheet, error.row, error.column, error.value) == (rx.FACTORS_SHEET, 3, "初始E", "5")
    assert error.message == "E 的取值“5”无效，允许值：10、6、3、2、1、0.5"


def test_eleventh_jha_step_is_refused(world: World) -> None:
    steps = [
        dict(FACTOR, method="JHA", step_no=n, step_name=f"步骤{n}", description=f"危险{n}")
        for n in range(1, 12)
    ]
    point = dict(POINT, type="操作及作业活动")
    outcome = do_import(
        world,
        workbook_bytes(
            world,
            good_sheets(**{rx.POINTS_SHEET: [point], rx.FACTORS_SHEET: steps, rx.MEASURES_SHEET: []}),
        ),
    )
    assert not outcome.ok
    [error] = outcome.errors
    assert (error.sheet, error.row, error.column) == (rx.FACTORS_SHEET, 12, "作业步骤序号")
    assert "最多划分为 10 个步骤" in error.message
    assert not RiskPoint.objects.filter(code="RP-101").exists()


def test_unknown_paths_people_and_references_are_reported(world: World) -> None:
    sheets = good_sheets(
        **{
            rx.POINTS_SHEET: [dict(POINT, org_unit="不存在车间"), dict(POINT, code="RP-102", type="什么")],
            rx.MEASURES_SHEET: [
                dict(MEASURE, responsible_post="合成车间/甲班", classify2="2-1"),
                dict(MEASURE, point="RP-999", description="另一措施"),
            ],
            rx.TIERS_SHEET: [dict(TIER, person="不在册"), dict(TIER, tier="车间级", person="王操作")],
        }
    )
    outcome = do_import(world, workbook_bytes(world, sheets))
    assert not outcome.ok
    found = {(e.sheet, e.row, e.column): e.message for e in outcome.errors}
    assert "没有这个车间/部门" in found[(rx.POINTS_SHEET, 2, "所属车间/部门")]
    assert "不是有效选项" in found[(rx.POINTS_SHEET, 3, "风险点类型")]
    assert "不属于一级分类" in found[(rx.MEASURES_SHEET, 2, "管控方式二级代码")]
    assert "须是“岗位”层级" in found[(rx.MEASURES_SHEET, 2, "责任岗位")]
    assert "没有这个编号" in found[(rx.MEASURES_SHEET, 3, "风险点编号")]
    assert "没有这个人员" in found[(rx.TIERS_SHEET, 2, "责任人")]
    assert "须是“车间/部门”层级" in found[(rx.TIERS_SHEET, 3, "责任单位")]
    assert RiskPoint.objects.count() == 0


def test_duplicates_and_another_enterprises_file_are_refused(world: World) -> None:
    sheets = good_sheets(
        **{rx.POINTS_SHEET: [dict(POINT), dict(POINT)], rx.TIERS_SHEET: [dict(TIER), dict(TIER)]}
    )
    outcome = do_import(world, workbook_bytes(world, sheets))
    found = {(e.sheet, e.row, e.column) for e in outcome.errors}
    assert (rx.POINTS_SHEET, 3, "风险点编号") in found and (rx.TIERS_SHEET, 3, "管控层级") in found

    content = workbook_bytes(world, good_sheets())
    outcome = import_register(
        user=world.user("county_admin"), enterprise=world.ent_b, file_name="a", content=content
    )
    assert not outcome.ok and outcome.errors[0].sheet == excel.HELP_SHEET
    assert "另一家企业" in outcome.errors[0].message


def test_measure_factor_references(world: World) -> None:
    only_bad = good_sheets(**{rx.FACTORS_SHEET: [dict(FACTOR, initial_E=5)]})
    outcome = do_import(world, workbook_bytes(world, only_bad))
    # The measure names the failed factor row: reported once, on the factor, not again on the measure.
    assert [(e.sheet, e.column) for e in outcome.errors] == [(rx.FACTORS_SHEET, "初始E")]

    two_steps = [
        dict(FACTOR, method="JHA", step_no=1, step_name="投料", description="投料静电"),
        dict(FACTOR, method="JHA", step_no=1, step_name="投料", description="投料中毒"),
    ]
    sheets = good_sheets(
        **{
            rx.FACTORS_SHEET: two_steps,
            rx.MEASURES_SHEET: [
                dict(MEASURE, factor="1"),
                dict(MEASURE, factor="不存在", description="措施二"),
                dict(MEASURE, factor="投料中毒", description="措施三"),
            ],
        }
    )
    outcome = do_import(world, workbook_bytes(world, sheets))
    found = {(e.row, e.column): e.message for e in outcome.errors}
    assert set(found) == {(2, "对应危险源"), (3, "对应危险源")}
    assert "多个危险源（第 2、3 行）" in found[(2, "对应危险源")]
    assert "没有这个编号、步骤序号" in found[(3, "对应危险源")]


def test_inactive_point_is_reactivated_when_listed_and_refused_when_only_referenced(world: World) -> None:
    point = make_point(world, "RP-101")
    services.risk_point_deactivate(actor=SYSTEM, point=point)
    referenced_only = good_sheets(**{rx.POINTS_SHEET: []})
    outcome = do_import(world, workbook_bytes(world, referenced_only))
    assert not outcome.ok
    assert {e.message for e in outcome.errors} == {"该风险点已停用；如需恢复，请在“风险点”表中列出它"}
    outcome = do_import(world, workbook_bytes(world, good_sheets()))
    assert outcome.ok, outcome.errors
    point.refresh_from_db()
    assert point.active and point.level == 2


# ---- replacement and round trip ---------------------------------------------------------------------


def test_import_updates_the_lists_of_named_points_in_place_and_leaves_others_alone(world: World) -> None:
    build_register(world)
    other = snapshot(world)[1]  # RP-002, not in the file
    point = RiskPoint.objects.get(enterprise=world.ent_a, code="RP-001")
    factor_ids = list(point.factors.values_list("pk", flat=True))
    sheets = good_sheets(
        **{
            rx.POINTS_SHEET: [dict(POINT, code="RP-001", name="反应釜（改）")],
            rx.FACTORS_SHEET: [
                dict(FACTOR, point="RP-001", initial_L=1, residual_method="LS", residual_L=2, residual_S=4)
            ],
            rx.MEASURES_SHEET: [dict(MEASURE, point="RP-001")],
            rx.TIERS_SHEET: [dict(TIER, point="RP-001")],
        }
    )
    outcome = do_import(world, workbook_bytes(world, sheets))
    assert outcome.ok, outcome.errors
    assert outcome.summary is not None
    counts = outcome.summary
    assert (counts["point"]["created"], counts["point"]["updated"]) == (0, 1)
    # The file's rows carry no codes: the factor is matched by its identity and updated in place
    # (texts, and a new initial assessment); both old measures differ from the file's one
    # (deactivated, the file's is created); the workshop tier is gone from the file (deactivated),
    # the post tier is as it was.
    assert counts["factor"] == {"created": 0, "updated": 1, "deactivated": 0, "unchanged": 0}
    assert counts["measure"] == {"created": 1, "updated": 0, "deactivated": 2, "unchanged": 0}
    assert counts["tier"] == {"created": 0, "updated": 0, "deactivated": 1, "unchanged": 1}
    point.refresh_from_db()
    assert point.name == "反应釜（改）" and point.level == 4  # the residual LS 2 × 4 = 8 still decides
    assert point.factors.get().assessments.count() == 3  # initial, residual, and the new initial
    assert list(point.factors.values_list("pk", flat=True)) == factor_ids
    assert [t.tier for t in point.tiers.filter(active=True)] == ["post"]
    assert point.measures.filter(active=True).count() == 1 and point.measures.count() == 3
    assert snapshot(world)[1] == other


def test_export_delete_import_round_trip_rebuilds_the_same_register(world: World, login: Any) -> None:
    build_register(world)
    before = snapshot(world)
    response = login(world.user("ent_a")).get(reverse("risks:excel_export"), {"enterprise": world.ent_a.pk})
    assert response.status_code == 200
    exported = load_workbook(io.BytesIO(response.content))
    assert [r[0] for r in exported[rx.POINTS_SHEET].iter_rows(min_row=2, values_only=True)] == [
        "RP-001",
        "RP-002",
    ]

    RiskPoint.objects.filter(enterprise=world.ent_a).delete()
    assert RiskPoint.objects.count() == 0
    outcome = do_import(world, response.content)
    assert outcome.ok, outcome.errors
    assert snapshot(world) == before


def test_export_neutralises_formulas_and_imports_them_back_as_text(world: World, login: Any) -> None:
    formula = '=HYPERLINK("http://evil.example/","点击查看")'
    make_point(world, "RP-001", location=formula, name="@SUM(1+1)")
    response = login(world.user("ent_a")).get(reverse("risks:excel_export"), {"enterprise": world.ent_a.pk})
    sheet = load_workbook(io.BytesIO(response.content))[rx.POINTS_SHEET]
    headers = [cell.value for cell in sheet[1]]
    location = sheet.cell(row=2, column=headers.index("位置") + 1)
    name = sheet.cell(row=2, column=headers.index("风险点名称*") + 1)
    assert (location.data_type, location.value) == ("s", "'" + formula)  # text, not a live formula
    assert name.value == "'@SUM(1+1)"
    RiskPoint.objects.filter(enterprise=world.ent_a).delete()
    outcome = do_import(world, response.content)
    assert outcome.ok, outcome.errors
    point = RiskPoint.objects.get(enterprise=world.ent_a, code="RP-001")
    assert (point.location, point.name) == (formula, "@SUM(1+1)")


# ---- pages and permissions ---------------------------------------------------------------------------


def upload(client: Any, world: World, content: bytes, enterprise: int | None = None) -> Any:
    """Upload, let the queued import job run (as the worker would), then show the import's page."""
    response = client.post(
        reverse("risks:excel_import"),
        {
            "enterprise": enterprise or world.ent_a.pk,
            "file": SimpleUploadedFile("风险清单.xlsx", content, content_type=XLSX_TYPE),
        },
    )
    if response.status_code != 302:
        return response
    run_queued()
    return client.get(response["Location"])


def test_government_exports_but_may_not_import(world: World, login: Any) -> None:
    client = login(world.user("town_a"))
    assert client.get(reverse("risks:excel_export"), {"enterprise": world.ent_a.pk}).status_code == 200
    page = client.get(reverse("risks:excel_import"), {"enterprise": world.ent_a.pk})
    assert page.status_code == 200 and "导出当前风险清单" in page.content.decode()
    assert "上传并预览变更" not in page.content.decode()
    assert upload(client, world, workbook_bytes(world, good_sheets())).status_code == 403
    assert not RiskPoint.objects.exists()


def test_county_user_picks_an_enterprise_first(world: World, login: Any) -> None:
    client = login(world.user("county_admin"))
    html = client.get(reverse("risks:excel_import")).content.decode()
    assert "请选择企业" in html and world.ent_a.name in html and world.ent_b.name in html
    html = client.get(reverse("risks:excel_import"), {"q": "化工"}).content.decode()
    assert world.ent_a.name in html and world.ent_b.name not in html
    html = client.get(reverse("risks:excel_import"), {"enterprise": world.ent_b.pk}).content.decode()
    assert "上传并预览变更" in html  # the county admin keeps any register


def test_other_enterprise_gets_404(world: World, login: Any) -> None:
    client = login(world.user("ent_b"))
    for name in ("risks:excel_export", "risks:excel_template", "risks:excel_import"):
        assert client.get(reverse(name), {"enterprise": world.ent_a.pk}).status_code == 404
    assert upload(client, world, workbook_bytes(world, good_sheets())).status_code == 404
    assert (
        login(world.user("town_b"))
        .get(reverse("risks:excel_export"), {"enterprise": world.ent_a.pk})
        .status_code
        == 404
    )


def test_upload_page_shows_the_error_table(world: World, login: Any) -> None:
    client = login(world.user("ent_a"))
    page = client.get(reverse("risks:excel_import"))
    assert page.status_code == 200 and world.ent_a.name in page.content.decode()  # own enterprise chosen
    bad = workbook_bytes(world, good_sheets(**{rx.FACTORS_SHEET: [dict(FACTOR, initial_E=5)]}))
    response = upload(client, world, bad)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="excel-import-errors"' in html
    assert "E 的取值“5”无效" in html and "初始E" in html and "第 2 行" in html
    assert Notification.objects.get(recipient=world.user("ent_a"), kind="imports.failed")
    response = upload(client, world, workbook_bytes(world, good_sheets()))
    html = response.content.decode()
    assert 'data-testid="excel-import-preview"' in html and 'data-testid="register-preview"' in html
    assert not RiskPoint.objects.filter(code="RP-101").exists()  # nothing until confirmed
    note = Notification.objects.get(recipient=world.user("ent_a"), kind="imports.preview")
    assert note.url == response.request["PATH_INFO"]
    confirmed = client.post(reverse("risks:excel_import_confirm", args=[response.context["job"].pk]))
    run_queued()
    html = client.get(confirmed["Location"]).content.decode()
    assert 'data-testid="excel-import-done"' in html and "风险点：新建 1" in html
    assert RiskPoint.objects.filter(code="RP-101").exists()
    job = Job.objects.filter(kind="risks.import_register", status=JobStatus.SUCCEEDED).get()
    assert (job.done, job.total, job.created_by) == (4, 4, world.user("ent_a"))  # progress reached the end
    note = Notification.objects.get(recipient=world.user("ent_a"), kind="imports.finished")
    assert note.url == reverse("risks:excel_import_detail", args=[job.args["upload_id"]])
    # The uploads are private to their uploader.
    page = login(world.user("county_admin")).get(note.url)
    assert page.status_code == 404
