"""Excel import of enterprises and people: all or nothing, row-by-row errors, scope, progress."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from safegrid.core import excel
from safegrid.core.models import AuditEntry
from safegrid.enterprises import import_jobs, importing
from safegrid.enterprises.models import Certificate, Enterprise, ImportJob, OrgUnit, Person
from safegrid.enterprises.models_import import ImportKind, ImportStatus
from safegrid.enterprises.rules import make_uscc
from safegrid.jobs import JobFailed
from safegrid.jobs.choices import JobStatus
from safegrid.jobs.models import Job
from safegrid.jobs.testing import run_queued
from safegrid.notifications.models import Notification

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
START = "/enterprises/import/"
TEMPLATE = "/enterprises/import/template.xlsx"


def workbook_bytes(kind: str, rows: list[dict[str, Any]]) -> bytes:
    """A workbook with the template's headers and `rows` (keys are column keys) from row 2 on."""
    columns = importing.COLUMNS[kind]
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = importing.DATA_SHEET[kind]
    sheet.append([c.header for c in columns])
    for row in rows:
        sheet.append([row.get(c.key) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def uscc(n: int) -> str:
    return make_uscc(f"91370321MA7K{n:05d}")


def enterprise_row(world, n: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "name": f"导入测试企业{n}",
        "uscc": uscc(n),
        "sectors": "危险化学品、特种设备",
        "division": f"{world.village_a.code} {world.village_a.name}",
        "grid": world.grid_a.code,
        "status": "正常生产经营",
        "scale": "中型",
        "employees": 120,
        "lat": 36.951,
        "lon": 118.081,
        "legal_rep": "赵六",
        "legal_rep_phone": 13800001111,
    }
    row.update(overrides)
    return row


def upload(client, kind: str, content: bytes, name: str = "导入.xlsx"):
    """Upload, let the queued import job run (as the worker would), then show the import's page."""
    response = client.post(
        START, {"kind": kind, "file": SimpleUploadedFile(name, content, content_type=XLSX)}
    )
    if response.status_code != 302:
        return response
    run_queued()
    return client.get(response["Location"])


def last_job(user) -> ImportJob:
    return ImportJob.objects.filter(created_by=user).latest("id")


def errors_of(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


# --- template -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_template_downloads_and_reimports_when_filled(world, login):
    client = login(world.user("county_admin"))
    response = client.get(TEMPLATE, {"kind": "enterprises"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["企业", "代码表", "说明"]
    data, codes = book["企业"], book["代码表"]
    headers = [c.value for c in data[1]]
    assert headers[:4] == ["企业名称*", "统一社会信用代码*", "行业领域*", "所属区划代码*"]
    assert str(data["A2"].value).startswith(excel.EXAMPLE_MARK)
    code_headers = [c.value for c in codes[1]]
    sector_col = code_headers.index("行业领域") + 1
    sectors = [codes.cell(row=r, column=sector_col).value for r in range(2, 12)]
    assert "危险化学品" in sectors and len(sectors) == 10
    division_col = code_headers.index("区划（代码 名称）") + 1
    divisions = [
        c.value for c in next(codes.iter_cols(min_col=division_col, max_col=division_col, min_row=2))
    ]
    assert f"{world.village_b.code} {world.village_b.name}" in divisions
    assert data.data_validations.dataValidation, "drop-downs for the coded columns"
    assert data.column_dimensions["B"].number_format == "@", "USCC column kept as text"

    # Fill one row under the example, the way a user would, and upload the same workbook.
    data.append(
        [
            "模板填写企业",
            uscc(1),
            "工贸",
            divisions[0],
            None,
            "停产停业整顿",
            "小型",
            8,
            None,
            "索镇工业路 8 号",
            36.95,
            118.09,
            None,
            "钱七",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    upload(client, "enterprises", buffer.getvalue(), "模板.xlsx")
    job = last_job(world.user("county_admin"))
    assert job.status == ImportStatus.DONE, job.errors or job.message
    assert job.total_rows == 1  # the example row is skipped
    enterprise = Enterprise.objects.get(uscc=uscc(1))
    assert enterprise.status == "suspended"
    assert [s.name for s in enterprise.sectors.all()] == ["工贸"]


@pytest.mark.django_db
def test_template_lists_only_the_town_officers_scope(world, login):
    client = login(world.user("town_a"))
    book = load_workbook(io.BytesIO(client.get(TEMPLATE, {"kind": "enterprises"}).content))
    codes = [str(c.value) for row in book["代码表"].iter_rows(min_row=2) for c in row if c.value]
    assert any(world.village_a.code in c for c in codes)
    assert not any(world.village_b.code in c or world.town_b.code in c for c in codes)
    assert world.grid_b.code not in codes


@pytest.mark.django_db
def test_people_template_lists_own_enterprise_and_paths(world, login):
    client = login(world.user("ent_a"))
    response = client.get(TEMPLATE, {"kind": "people"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    values = {str(c.value) for row in book["代码表"].iter_rows(min_row=2) for c in row if c.value}
    assert world.ent_a.uscc in values
    assert world.ent_b.uscc not in values
    assert "合成车间/甲班/反应釜操作岗" in values


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_bad_check_digit_imports_nothing_and_names_row_column_reason(world, login):
    client = login(world.user("county_admin"))
    bad = uscc(2)[:17] + ("0" if uscc(2)[17] != "0" else "1")
    rows = [enterprise_row(world, 1), enterprise_row(world, 2, uscc=bad), enterprise_row(world, 3)]
    before, audits = Enterprise.objects.count(), AuditEntry.objects.exclude(object_type="jobs.job").count()
    response = upload(client, "enterprises", workbook_bytes("enterprises", rows))
    job = last_job(world.user("county_admin"))
    assert job.status == ImportStatus.FAILED
    assert Enterprise.objects.count() == before
    assert AuditEntry.objects.exclude(object_type="jobs.job").count() == audits
    assert len(job.errors) == 1
    error = job.errors[0]
    assert (error["row"], error["column"], error["value"]) == (3, "统一社会信用代码", bad)
    assert "校验位错误" in error["message"]
    page = response.content.decode()
    assert "未导入任何数据" in page and "第 3 行" in page and "校验位错误" in page


@pytest.mark.django_db
def test_duplicate_uscc_in_file_and_against_database(world, login):
    client = login(world.user("county_admin"))
    rows = [
        enterprise_row(world, 1),
        enterprise_row(world, 2, uscc=uscc(1)),
        enterprise_row(world, 3, uscc=world.ent_a.uscc),
    ]
    upload(client, "enterprises", workbook_bytes("enterprises", rows))
    job = last_job(world.user("county_admin"))
    assert errors_of(job) == [
        (3, "统一社会信用代码", "与本文件第 2 行重复"),
        (4, "统一社会信用代码", "该统一社会信用代码已在系统中登记，不能重复导入"),
    ]
    assert not Enterprise.objects.filter(uscc=uscc(1)).exists()


@pytest.mark.django_db
def test_town_officer_cannot_import_into_another_town(world, login):
    client = login(world.user("town_a"))
    rows = [
        enterprise_row(world, 1),  # town A: fine on its own
        enterprise_row(world, 2, division=world.village_b.code, grid=""),
        enterprise_row(world, 3, grid=world.grid_b.code),
    ]
    upload(client, "enterprises", workbook_bytes("enterprises", rows))
    job = last_job(world.user("town_a"))
    assert job.status == ImportStatus.FAILED
    assert errors_of(job) == [
        (3, "所属区划代码", "区划代码不存在或不在您的管辖范围内"),
        (4, "所属网格编号", "网格编号不存在或不在您的管辖范围内"),
    ]
    assert not Enterprise.objects.filter(name__startswith="导入测试企业").exists()


@pytest.mark.django_db
def test_grid_must_lie_in_the_divisions_town(world, login):
    client = login(world.user("county_admin"))
    rows = [enterprise_row(world, 1, division=world.village_a.code, grid=world.grid_b.code)]
    upload(client, "enterprises", workbook_bytes("enterprises", rows))
    assert errors_of(last_job(world.user("county_admin"))) == [
        (2, "所属网格编号", "网格不在所属区划的镇/街道内")
    ]


@pytest.mark.django_db
def test_out_of_range_and_swapped_coordinates_are_refused(world, login):
    client = login(world.user("county_admin"))
    rows = [
        enterprise_row(world, 1, lat=95.2),
        enterprise_row(world, 2, lat=118.08, lon=36.95),
        enterprise_row(world, 3, lat="北纬36度"),
        enterprise_row(world, 4, lon=None),
    ]
    upload(client, "enterprises", workbook_bytes("enterprises", rows))
    errors = errors_of(last_job(world.user("county_admin")))
    assert errors[0] == (2, "纬度", "应在 -90 到 90 之间")
    assert errors[1] == (3, "纬度", "纬度 118.08、经度 36.95 看起来填反了")
    assert errors[2] == (4, "纬度", "应为数字")
    assert errors[3] == (5, "经度", "经度和纬度须同时填写或同时留空")
    assert not Enterprise.objects.filter(name__startswith="导入测试企业").exists()


@pytest.mark.django_db
def test_required_fields_sectors_and_labels_are_checked(world, login):
    client = login(world.user("county_admin"))
    rows = [enterprise_row(world, 1, name="", sectors="化工、工贸", scale="超大型", legal_rep=None)]
    upload(client, "enterprises", workbook_bytes("enterprises", rows))
    errors = errors_of(last_job(world.user("county_admin")))
    assert (2, "企业名称", "必填项不能为空") in errors
    assert (2, "法定代表人", "必填项不能为空") in errors
    assert (2, "行业领域", "没有名为“化工”的行业领域，请按代码表填写") in errors
    assert any(e[:2] == (2, "规模") and "大型、中型、小型、微型" in e[2] for e in errors)


@pytest.mark.django_db
def test_a_uscc_that_excel_stored_as_a_number_is_explained(world, login):
    client = login(world.user("county_admin"))
    upload(
        client,
        "enterprises",
        workbook_bytes("enterprises", [enterprise_row(world, 1, uscc=913703211234567890)]),
    )
    errors = errors_of(last_job(world.user("county_admin")))
    assert errors[0][:2] == (2, "统一社会信用代码") and "文本" in errors[0][2]


@pytest.mark.django_db
def test_missing_required_column_is_reported_on_row_one(world, login):
    client = login(world.user("county_admin"))
    book = Workbook()
    book.worksheets[0].append(["企业名称", "行业领域"])
    book.worksheets[0].append(["某企业", "工贸"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload(client, "enterprises", buffer.getvalue())
    job = last_job(world.user("county_admin"))
    assert job.status == ImportStatus.FAILED
    assert (1, "统一社会信用代码", "缺少必填列，请使用导入模板") in errors_of(job)


@pytest.mark.django_db
def test_a_file_that_is_not_xlsx_is_refused_by_the_form(world, login):
    client = login(world.user("county_admin"))
    response = upload(client, "enterprises", b"name,uscc\n", "企业.csv")
    assert response.status_code == 200
    assert "请上传 .xlsx 格式的 Excel 文件" in response.content.decode()
    assert not ImportJob.objects.exists()
    response = upload(client, "enterprises", b"not a zip at all", "企业.xlsx")
    assert "文件不是有效的 .xlsx 文件" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_refusal_by_a_service_rolls_back_the_whole_file(world, login, monkeypatch):
    """A row that passes the checks but is refused when written still leaves nothing behind."""
    real = Enterprise.clean

    def refuse_second(self: Enterprise) -> None:
        if self.name == "导入测试企业2":
            raise ValidationError({"name": "模拟：写入时被拒绝"})
        real(self)

    monkeypatch.setattr(Enterprise, "clean", refuse_second)
    client = login(world.user("county_admin"))
    audits = AuditEntry.objects.exclude(object_type="jobs.job").count()
    upload(
        client, "enterprises", workbook_bytes("enterprises", [enterprise_row(world, n) for n in (1, 2, 3)])
    )
    job = last_job(world.user("county_admin"))
    assert job.status == ImportStatus.FAILED
    assert errors_of(job) == [(3, "企业名称", "模拟：写入时被拒绝")]
    assert not Enterprise.objects.filter(name__startswith="导入测试企业").exists()
    assert AuditEntry.objects.exclude(object_type="jobs.job").count() == audits


# --- success --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_successful_import_creates_enterprises_sectors_company_unit_and_audit(world, login):
    user = world.user("county_admin")
    client = login(user)
    rows = [
        enterprise_row(world, 1),
        enterprise_row(
            world,
            2,
            sectors="工贸,消防",
            division=world.town_b.code,
            grid=world.grid_b.code,
            status="停产停业整顿",
            chemical_park="马桥产业园",
            lat=None,
            lon=None,
        ),
    ]
    response = upload(client, "enterprises", workbook_bytes("enterprises", rows), "两家企业.xlsx")
    job = last_job(user)
    assert job.status == ImportStatus.DONE, job.errors or job.message
    assert (job.total_rows, job.created_count) == (2, 2)
    assert "已导入 2 行" in response.content.decode()

    first = Enterprise.objects.get(uscc=uscc(1))
    assert sorted(s.name for s in first.sectors.all()) == ["危险化学品", "特种设备"]
    assert (first.division_id, first.grid_id, first.scale, first.employees) == (
        world.village_a.code,
        world.grid_a.pk,
        "medium",
        120,
    )
    assert first.legal_rep_phone == "13800001111"
    second = Enterprise.objects.get(uscc=uscc(2))
    assert (second.status, second.chemical_park, second.lat, second.lon) == (
        "suspended",
        "maqiao",
        None,
        None,
    )
    for enterprise in (first, second):
        company = OrgUnit.objects.get(enterprise=enterprise, parent__isnull=True)
        assert (company.kind, company.name) == ("company", enterprise.name)

    created = AuditEntry.objects.filter(actor=user, action="create")
    assert created.filter(object_type="enterprises.enterprise").count() == 2
    assert created.filter(object_type="enterprises.orgunit").count() == 2
    summary = AuditEntry.objects.get(action="import", object_type="enterprises.import")
    assert summary.object_id == str(job.pk)
    assert summary.after is not None
    assert summary.after["rows"] == 2 and summary.after["sha256"] == job.sha256
    assert summary.actor_id == user.pk


@pytest.mark.django_db
def test_people_import_with_org_unit_path_and_certificate(world, login):
    user = world.user("ent_a")
    client = login(user)
    rows = [
        {
            "enterprise": world.ent_a.uscc,
            "name": "孙操作",
            "job_title": "操作工",
            "phone": "13900002222",
            "org_unit": "合成车间/甲班/反应釜操作岗",
            "cert_kind": "特种作业：危险化学品",
            "cert_number": "T-A-0100",
            "cert_expires": "2028/3/31",
        },
        {"enterprise": world.ent_a.uscc, "name": "周班长", "org_unit": "甲化工有限公司/合成车间/甲班"},
        {"enterprise": world.ent_a.uscc, "name": "吴文员"},
    ]
    upload(client, "people", workbook_bytes("people", rows))
    job = last_job(user)
    assert job.status == ImportStatus.DONE, job.errors or job.message
    person = Person.objects.get(enterprise=world.ent_a, name="孙操作")
    assert person.org_unit == world.post_a
    certificate = Certificate.objects.get(person=person)
    assert (certificate.kind, certificate.number, str(certificate.expires_on)) == (
        "hazchem",
        "T-A-0100",
        "2028-03-31",
    )
    team = Person.objects.get(name="周班长").org_unit
    assert team is not None and team.name == "甲班"
    assert Person.objects.get(name="吴文员").org_unit is None
    assert (
        AuditEntry.objects.filter(object_type="enterprises.person", action="create", actor=user).count() == 3
    )
    assert AuditEntry.objects.filter(action="import", object_type="enterprises.import").count() == 1


@pytest.mark.django_db
def test_people_import_refuses_out_of_scope_enterprise_unknown_path_and_duplicate_certificate(world, login):
    user = world.user("ent_a")
    client = login(user)
    rows = [
        {"enterprise": world.ent_b.uscc, "name": "越权人员"},
        {"enterprise": world.ent_a.uscc, "name": "无此岗", "org_unit": "合成车间/乙班"},
        {
            "enterprise": world.ent_a.uscc,
            "name": "重复证",
            "cert_kind": "特种作业：危险化学品",
            "cert_number": "T-A-0001",
        },
        {"enterprise": world.ent_a.uscc, "name": "缺编号", "cert_kind": "特种作业：高处作业"},
        {
            "enterprise": world.ent_a.uscc,
            "name": "坏日期",
            "cert_kind": "特种作业：高处作业",
            "cert_number": "X1",
            "cert_expires": "明年",
        },
    ]
    people = Person.objects.count()
    upload(client, "people", workbook_bytes("people", rows))
    job = last_job(user)
    assert job.status == ImportStatus.FAILED
    assert errors_of(job) == [
        (2, "企业统一社会信用代码", "系统中没有该统一社会信用代码的企业，或该企业不在您的管辖范围内"),
        (3, "岗位/部门路径", "该企业没有这个岗位/部门，请先在组织架构中建立，或检查名称和层级"),
        (4, "证书编号", "该类型、编号的证书已在系统中登记"),
        (5, "证书编号", "填写了证书信息时，证书编号必填"),
        (6, "证书有效期至", "日期格式不正确，请填写如 2027-06-30 的日期"),
    ]
    assert Person.objects.count() == people


@pytest.mark.django_db
def test_town_officer_imports_people_for_enterprises_of_the_town_only(world, login):
    client = login(world.user("town_b"))
    rows = [
        {"enterprise": world.ent_b.uscc, "name": "钱架子工"},
        {"enterprise": world.ent_a.uscc, "name": "越界"},
    ]
    upload(client, "people", workbook_bytes("people", rows))
    job = last_job(world.user("town_b"))
    assert [e[0] for e in errors_of(job)] == [3]
    rows.pop()
    upload(client, "people", workbook_bytes("people", rows))
    assert last_job(world.user("town_b")).status == ImportStatus.DONE
    assert Person.objects.filter(enterprise=world.ent_b, name="钱架子工").exists()


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_enterprise_user_cannot_import_enterprises(world, login):
    client = login(world.user("ent_a"))
    assert client.get(TEMPLATE, {"kind": "enterprises"}).status_code == 403
    response = client.post(
        START,
        {"kind": "enterprises", "file": SimpleUploadedFile("x.xlsx", workbook_bytes("enterprises", []))},
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    page = client.get(START)
    assert page.status_code == 200  # people import is theirs
    assert 'value="people"' in page.content.decode() and 'value="enterprises"' not in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["grid_a", "post_a", "outsider", "dept_chem"])
def test_other_roles_get_403(world, login, username):
    client = login(world.user(username))
    assert client.get(START).status_code == 403
    assert client.get(TEMPLATE, {"kind": "people"}).status_code == 403


@pytest.mark.django_db
def test_county_officer_may_import_both_kinds(world, login):
    from safegrid.core.testing import make_user

    officer = make_user("officer", {"role": "county_officer"})
    client = login(officer)
    page = client.get(START).content.decode()
    assert 'value="enterprises"' in page and 'value="people"' in page
    upload(
        client,
        "enterprises",
        workbook_bytes("enterprises", [enterprise_row(world, 1, division=world.town_b.code, grid="")]),
    )
    assert last_job(officer).status == ImportStatus.DONE


@pytest.mark.django_db
def test_pages_require_login(world, client):
    assert client.get(START).status_code == 302
    assert client.get(TEMPLATE).status_code == 302


@pytest.mark.django_db
def test_jobs_are_private_to_their_uploader(world, login):
    job = ImportJob.objects.create(
        kind=ImportKind.ENTERPRISES,
        file_name="a.xlsx",
        content=b"",
        sha256="0" * 64,
        created_by=world.user("town_a"),
    )
    assert login(world.user("town_b")).get(f"/enterprises/import/{job.pk}/").status_code == 404
    assert login(world.user("town_a")).get(f"/enterprises/import/{job.pk}/").status_code == 200


def _queued(world, user_name: str, rows: list[dict[str, Any]], name: str = "a.xlsx") -> ImportJob:
    content = workbook_bytes("enterprises", rows)
    return import_jobs.job_create(
        user=world.user(user_name), kind="enterprises", file_name=name, content=content
    )


@pytest.mark.django_db
def test_permission_is_checked_again_when_the_job_runs(world):
    """A queued job whose uploader lost the role by the time it runs imports nothing."""
    upload_row = _queued(world, "town_a", [enterprise_row(world, 1)])
    world.user("town_a").role_assignments.all().delete()
    assert run_queued("enterprises.import") == [JobStatus.FAILED]
    upload_row.refresh_from_db()
    assert upload_row.status == ImportStatus.FAILED and "没有导入此类数据的权限" in upload_row.message
    assert not Enterprise.objects.filter(uscc=uscc(1)).exists()


# --- the import on the worker ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_upload_runs_as_a_job_with_progress_result_and_notification(world):
    user = world.user("county_admin")
    upload_row = _queued(world, "county_admin", [enterprise_row(world, n) for n in range(1, 6)], "five.xlsx")
    assert upload_row.status == ImportStatus.QUEUED and upload_row.job is not None
    job = upload_row.job
    assert (job.kind, job.args, job.created_by) == ("enterprises.import", {"upload_id": upload_row.pk}, user)
    assert run_queued() == [JobStatus.SUCCEEDED]
    job.refresh_from_db()
    upload_row.refresh_from_db()
    assert (upload_row.status, upload_row.total_rows, upload_row.created_count) == (ImportStatus.DONE, 5, 5)
    assert (job.done, job.total, job.message) == (5, 5, "正在导入")
    assert job.result["created"] == 5 and job.result["url"] == f"/enterprises/import/{upload_row.pk}/"
    note = Notification.objects.get(recipient=user)
    assert note.kind == "imports.finished" and "five.xlsx 已导入 5 行" in note.text
    # Delivered again (a broker retry, a lease taken over after the commit): nothing is imported twice.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    assert run_queued() == [JobStatus.SUCCEEDED]
    assert Enterprise.objects.filter(name__startswith="导入测试企业").count() == 5


@pytest.mark.django_db
def test_a_refused_file_fails_the_job_once_and_notifies_the_uploader(world):
    bad = uscc(1)[:17] + ("0" if uscc(1)[17] != "0" else "1")
    upload_row = _queued(world, "county_admin", [enterprise_row(world, 1, uscc=bad)])
    assert run_queued() == [JobStatus.FAILED]
    upload_row.refresh_from_db()
    job = Job.objects.get(pk=upload_row.job_id)
    assert job.attempts == 1 and "未导入任何数据" in job.error  # JobFailed: no retry
    assert upload_row.status == ImportStatus.FAILED and upload_row.error_count == 1
    note = Notification.objects.get(recipient=world.user("county_admin"))
    assert note.kind == "imports.failed" and note.url == f"/enterprises/import/{upload_row.pk}/"


@pytest.mark.django_db
def test_status_partial_shows_the_job_progress_then_the_outcome(world, login):
    user = world.user("county_admin")
    upload_row = _queued(world, "county_admin", [enterprise_row(world, n) for n in (1, 2)], "big.xlsx")
    client = login(user)
    url = f"/enterprises/import/{upload_row.pk}/"
    Job.objects.filter(pk=upload_row.job_id).update(
        status=JobStatus.RUNNING, done=4200, total=18000, message="正在校验"
    )
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and f'hx-get="{url}"' in partial
    assert partial.count("hx-trigger") == 1  # the job partial inside does not poll on its own
    assert "正在校验" in partial and "4200 / 18000" in partial and 'data-sg-width="23"' in partial
    assert "<html" not in partial
    assert "<html" in client.get(url).content.decode()
    Job.objects.filter(pk=upload_row.job_id).update(status=JobStatus.QUEUED)
    run_queued()
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and "已导入 2 行" in done


@pytest.mark.django_db
def test_checking_rows_makes_no_per_row_queries(world):
    """Prefetching keeps validation at a fixed number of queries, however many rows the file has."""

    def queries_for(n: int) -> int:
        rows = [enterprise_row(world, i, division="999999999999") for i in range(1, n + 1)]
        upload_row = _queued(world, "county_admin", rows)
        with CaptureQueriesContext(connection) as captured, pytest.raises(JobFailed):
            import_jobs.process_upload(SilentProgress(), upload_row.pk)
        upload_row.refresh_from_db()
        assert upload_row.status == ImportStatus.FAILED and upload_row.error_count == n
        return len(captured.captured_queries)

    assert queries_for(5) == queries_for(150)


class SilentProgress:
    def progress(self, done: int, total: int, message: str = "") -> None:
        return None


# --- cell parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (370321001001.0, "370321001001"), (36.95, "36.95"), ("　甲 ", "甲"), (12, "12")],
)
def test_cell_text(value, text):
    assert excel.cell_text(value) == text
