"""The points workbook: an export imports back unchanged; new rows create points (gas defaults); changed limits
of an existing point become a limit-change request (never a direct write); each kind of row error is
reported as sheet/row/column/value/message and nothing is written; the upload runs on the worker."""

from __future__ import annotations

import io

import openpyxl
import pytest

from safegrid.core.excel import run_import
from safegrid.core.testing import SYSTEM
from safegrid.enterprises.models_import import ImportJob, ImportStatus
from safegrid.jobs.testing import run_queued
from safegrid.majorhazards.models import HazardUnit
from safegrid.monitoring.models import LimitChange, LimitChangeStatus, MonitoringPoint
from safegrid.monitoring.services import points as services
from safegrid.monitoring.services import points_import as importing

pytestmark = pytest.mark.django_db


class Sink:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str]] = []

    def progress(self, done: int, total: int, message: str = "") -> None:
        self.calls.append((done, total, message))


def _point(world, code="T101-LT-01"):
    return services.point_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        data={"code": code, "name": "储罐液位", "kind": "level", "l": 1.0, "h": 8.0, "hh": 9.0,
              "limits_version": "V1", "limits_source": "工艺控制指标 V1"},
    )  # fmt: skip


def _edit(content: bytes, rows: list[dict[str, object]], *, keep: bool = True) -> bytes:
    """Rewrite the 监测点位 sheet: keep (or drop) the exported rows, then append `rows` by header."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[importing.SHEET]
    headers = [c.value for c in sheet[1]]
    header_of = {c.key: c.header for c in importing.POINTS.columns}
    if not keep:
        sheet.delete_rows(3, sheet.max_row)  # row 2 is the example row
    for row in rows:
        values = {header_of[k]: v for k, v in row.items()}
        sheet.append([values.get(str(h).rstrip("*").strip()) if h else None for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _run(world, content: bytes):
    file = {"job_id": 1, "file_name": "points.xlsx", "sha256": "0" * 64}
    return run_import(Sink(), importing.PointsImporter(world.user("ent_a"), world.ent_a, file), content)


def test_export_imports_back_unchanged(world):
    point = _point(world)
    content = importing.workbook(world.ent_a, [point])
    result = _run(world, content)
    assert result.ok, result.errors
    assert not LimitChange.objects.exists()
    point.refresh_from_db()
    assert (point.h, point.limits_version) == (8.0, "V1")


def test_new_rows_create_points_and_gas_defaults(world):
    HazardUnit.objects.create(enterprise=world.ent_a, code="ME-01", name="甲醇罐区", kind="tank_farm")
    content = _edit(
        importing.workbook(world.ent_a),
        [
            {"code": "T102-LT-01", "name": "T102液位", "kind": "液位", "unit": "ME-01", "ll": 0.5, "l": 1,
             "h": 12, "hh": 13, "limits_version": "V2", "limits_source": "甲醇罐区工艺控制指标"},
            {"code": "ME-01-GC-01", "name": "可燃气体1号", "kind": "gas_combustible", "unit": "ME-01"},
        ],
    )  # fmt: skip
    result = _run(world, content)
    assert result.ok, result.errors
    level = MonitoringPoint.objects.get(code="T102-LT-01")
    assert (level.ll, level.hh, level.unit.code, level.measure_unit) == (0.5, 13.0, "ME-01", "m")
    gas = MonitoringPoint.objects.get(code="ME-01-GC-01")
    assert (gas.h, gas.hh) == (25.0, 50.0) and "GB/T 50493" in gas.limits_source


def test_changed_limits_become_a_request_awaiting_approval(world):
    point = _point(world)
    content = _edit(
        importing.workbook(world.ent_a),
        [{"code": point.code, "name": "储罐液位（改）", "kind": "level", "l": 1.0, "h": 8.5, "hh": 9.5,
          "limits_version": "V2", "limits_source": "工艺控制指标 V2"}],
    )  # fmt: skip
    result = _run(world, content)
    assert result.ok, result.errors
    point.refresh_from_db()
    assert (point.name, point.h, point.limits_version) == ("储罐液位（改）", 8.0, "V1")  # limits untouched
    change = LimitChange.objects.get(point=point)
    assert (change.status, change.h, change.version) == (LimitChangeStatus.REQUESTED, 8.5, "V2")
    assert change.requested_by == world.user("ent_a") and "points.xlsx" in change.reason


BAD_ROWS = [
    ({"code": "X-1", "name": "x", "kind": "不存在的类型"}, "监测类型"),
    ({"code": "X-2", "name": "x", "kind": "level", "unit": "NO-UNIT"}, "重大危险源单元编码"),
    ({"code": "X-3", "name": "x", "kind": "level", "h": 9, "hh": 8, "limits_version": "V1",
      "limits_source": "s"}, "高高限HH"),
    ({"code": "X-4", "name": "x", "kind": "level", "h": 9, "hh": 10}, "限值版本"),
    ({"code": "X-5", "name": "x", "kind": "level", "h": "高", "limits_version": "V1", "limits_source": "s"}, "高限H"),
    ({"name": "x", "kind": "level"}, "点位编码"),
    ({"code": "T101-LT-01", "name": "x", "kind": "level", "l": 1.0, "h": 8.8, "hh": 9.0, "limits_version": "V1",
      "limits_source": "s"}, "限值版本"),  # changed limits under the same version
    ({"code": "T101-LT-01", "name": "x", "kind": "pressure", "l": 1.0, "h": 8.0, "hh": 9.0,
      "limits_version": "V1", "limits_source": "工艺控制指标 V1"}, "监测类型"),  # kind of an existing point
    ({"code": "X-9", "name": "x", "kind": "level", "rate_limit": -1}, "变化速率限值（每分钟）"),
]  # fmt: skip


@pytest.mark.parametrize(("row", "column"), BAD_ROWS)
def test_each_row_error_names_its_column_and_nothing_is_written(world, row, column):
    _point(world)
    content = _edit(importing.workbook(world.ent_a), [{"code": "OK-1", "name": "好行", "kind": "flow"}, row])
    result = _run(world, content)
    assert not result.ok
    errors = [e.as_dict() for e in result.errors]
    assert errors and all(e["sheet"] == importing.SHEET for e in errors)
    assert column in {e["column"] for e in errors}, errors
    assert {e["row"] for e in errors} == {4}  # header, example, the good row, then this one
    assert not MonitoringPoint.objects.filter(code="OK-1").exists()  # all or nothing


def test_duplicate_code_in_the_file(world):
    content = _edit(importing.workbook(world.ent_a), [{"code": "D-1", "name": "a", "kind": "flow"},
                                                      {"code": "D-1", "name": "b", "kind": "flow"}])  # fmt: skip
    result = _run(world, content)
    assert not result.ok and "与本文件第 3 行重复" in result.errors[0].message


def test_upload_runs_on_the_worker_with_progress(world, login):
    content = _edit(importing.workbook(world.ent_a), [{"code": "W-1", "name": "工人导入", "kind": "flow"}])
    upload = importing.upload_start(
        user=world.user("ent_a"), enterprise=world.ent_a, file_name="p.xlsx", content=content
    )
    assert run_queued("monitoring.import_points") == ["succeeded"]
    upload.refresh_from_db()
    assert upload.status == ImportStatus.DONE and upload.created_count == 1
    assert upload.summary == {"created": 1, "updated": 0, "limit_changes": 0}
    assert MonitoringPoint.objects.filter(code="W-1").exists()
    page = login(world.user("ent_a")).get(f"/monitoring/points/import/{upload.pk}/")
    assert page.status_code == 200 and "新建 1 个点位" in page.content.decode()
    assert login(world.user("ent_b")).get(f"/monitoring/points/import/{upload.pk}/").status_code == 404


def test_upload_page_and_template(world, login):
    client = login(world.user("ent_a"))
    assert client.get("/monitoring/points/import/").status_code == 200
    template = client.get(f"/monitoring/points/import/template.xlsx?enterprise={world.ent_a.pk}")
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    assert importing.SHEET in book.sheetnames
    assert login(world.user("town_a")).get("/monitoring/points/import/").status_code == 404
    assert ImportJob.objects.count() == 0
