"""The Excel kit: column parsing, error reporting, safe writing, upload checks, round trip."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict
from openpyxl import Workbook, load_workbook

from safegrid.core.excel import (
    EXAMPLE_MARK,
    CellError,
    CodeList,
    Column,
    HelpText,
    Kind,
    Row,
    RowChecker,
    RowError,
    SheetData,
    SheetError,
    SheetSpec,
    build_workbook,
    cell_text,
    check_archive,
    labelled_value,
    open_workbook,
    read_workbook,
    run_import,
    safe_value,
)
from safegrid.core.excel import reader as excel_reader
from safegrid.core.excel.forms import ExcelUploadForm
from safegrid.enterprises.choices import EnterpriseScale

POINTS = SheetSpec(
    "风险点",
    (
        Column("code", "编号", Kind.REFERENCE, required=True, code=True),
        Column("name", "名称", required=True, max_length=8, note="不超过 8 个字"),
        Column("count", "数量", Kind.INT, low=0, high=100, default=0),
        Column("score", "分值", Kind.DECIMAL, low=0, high=10),
        Column("on", "日期", Kind.DATE),
        Column("key", "关键", Kind.BOOL, default=False),
        Column("scale", "规模", Kind.CHOICE, choices=EnterpriseScale.choices, default=EnterpriseScale.SMALL),
        Column("tags", "标签", Kind.REFERENCE, many=True, codes="tags", strict=False),
    ),
)
MEASURES = SheetSpec(
    "措施",
    (
        Column("point", "风险点编号", Kind.REFERENCE, required=True, codes="points"),
        Column("text", "措施内容", required=True),
    ),
)


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, lines in sheets.items():
        sheet = book.create_sheet(title)
        for line in lines:
            sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("column", "raw", "value"),
    [
        (POINTS.column("count"), 7.0, 7),
        (POINTS.column("count"), "", 0),
        (POINTS.column("score"), "2.5", decimal.Decimal("2.5")),
        (POINTS.column("on"), "2027/6/30", dt.date(2027, 6, 30)),
        (POINTS.column("on"), dt.datetime(2027, 6, 30), dt.date(2027, 6, 30)),
        (POINTS.column("key"), "是", True),
        (POINTS.column("scale"), "中型", EnterpriseScale.MEDIUM),
        (POINTS.column("scale"), "medium", EnterpriseScale.MEDIUM),
        (POINTS.column("scale"), None, EnterpriseScale.SMALL),
        (POINTS.column("tags"), "甲、乙,甲", ["甲", "乙"]),
        (POINTS.column("name"), "　甲 ", "甲"),
    ],
)
def test_columns_parse_typed_values(column: Column, raw: Any, value: Any) -> None:
    assert column.parse(raw) == value


@pytest.mark.parametrize(
    ("column", "raw", "message"),
    [
        (POINTS.column("count"), "1.5", "应为整数"),
        (POINTS.column("count"), 101, "应为 0 到 100 之间的整数"),
        (POINTS.column("score"), "abc", "应为数字"),
        (POINTS.column("on"), "明年", "日期格式不正确"),
        (POINTS.column("key"), "也许", "请填写“是”或“否”"),
        (POINTS.column("scale"), "超大型", "不是有效选项，可选：大型、中型、小型、微型"),
        (POINTS.column("name"), "一二三四五六七八九", "不能超过 8 个字（实际 9 个）"),
        (POINTS.column("name"), "", "必填项不能为空"),
        (POINTS.column("code"), 913703211234567890, "文本"),
    ],
)
def test_columns_refuse_bad_cells_with_a_message(column: Column, raw: Any, message: str) -> None:
    with pytest.raises(CellError) as caught:
        column.parse(raw)
    assert message in str(caught.value)


def test_checker_reports_sheet_row_column_and_value() -> None:
    errors: list[RowError] = []
    checker = RowChecker(POINTS, Row("风险点", 7, {"code": "P1", "name": "名", "count": "x"}), errors)
    checker.value("count")
    assert checker.lookup("code", {"P2": object()}, "没有这个风险点") is None
    assert [e.as_dict() for e in errors] == [
        {"sheet": "风险点", "row": 7, "column": "数量", "value": "x", "message": "应为数字"},
        {"sheet": "风险点", "row": 7, "column": "编号", "value": "P1", "message": "没有这个风险点"},
    ]
    assert checker.failed


def test_reader_finds_the_header_row_skips_examples_and_reports_missing_sheets() -> None:
    content = xlsx(
        {
            "风险点": [
                ["某企业风险清单"],
                [],
                ["编号*", "名称", "多余的列"],
                [f"{EXAMPLE_MARK}P0", "示例"],
                ["P1", "反应釜"],
                [None, None],
                ["P2", "储罐"],
            ]
        }
    )
    read = read_workbook(content, [POINTS, MEASURES])
    assert [(r.number, r.values["code"]) for r in read.sheets["风险点"]] == [(5, "P1"), (7, "P2")]
    assert [(p.sheet, p.message) for p in read.problems] == [("措施", "缺少工作表，请使用导入模板")]


def test_reader_names_a_missing_required_column_on_the_header_row() -> None:
    read = read_workbook(xlsx({"风险点": [["名称"], ["甲"]]}), [POINTS])
    assert [(p.row, p.column, p.message) for p in read.problems] == [
        (1, "编号", "缺少必填列，请使用导入模板")
    ]


def test_oversize_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    content = xlsx({"风险点": [["编号", "名称"]]})
    monkeypatch.setattr(excel_reader, "MAX_FILE_BYTES", len(content) - 1)
    with pytest.raises(SheetError, match="文件过大"):
        check_archive(content)


def test_zip_bomb_is_refused_before_parsing() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 50_000_000)  # compresses ~1000:1
    with pytest.raises(SheetError, match="解压后过大"):
        check_archive(buffer.getvalue())


@pytest.mark.parametrize("content", [b"name,uscc\n", b"PK\x03\x04 not really a zip"])
def test_non_xlsx_is_refused(content: bytes) -> None:
    with pytest.raises(SheetError, match="不是有效的 .xlsx"):
        check_archive(content)


def test_upload_form_applies_the_same_checks() -> None:
    good = xlsx({"风险点": [["编号", "名称"]]})
    form = ExcelUploadForm(files=MultiValueDict({"file": [SimpleUploadedFile("a.xlsx", good)]}))
    assert form.is_valid(), form.errors
    assert form.content() == good
    bad = ExcelUploadForm(files=MultiValueDict({"file": [SimpleUploadedFile("a.xlsx", b"not a zip")]}))
    assert not bad.is_valid() and "不是有效的 .xlsx" in str(bad.errors["file"])
    csv = ExcelUploadForm(files=MultiValueDict({"file": [SimpleUploadedFile("a.csv", good)]}))
    assert not csv.is_valid() and ".xlsx" in str(csv.errors["file"])


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a\x00b\x07c\x1fd", "abcd"),
        ("正常文本", "正常文本"),
        (-5, -5),
        (None, None),
    ],
)
def test_safe_value_neutralises_formulas_and_strips_control_characters(value: Any, written: Any) -> None:
    assert safe_value(value) == written


def test_neutralised_text_reads_back_as_written() -> None:
    for text in ("=1+1", "-某某", "@x", "+86 138"):
        assert cell_text(safe_value(text)) == text
    assert cell_text("'普通") == "'普通"  # an apostrophe the user typed before ordinary text stays


def test_writer_template_has_dropdowns_notes_help_and_frozen_header() -> None:
    content = build_workbook(
        [
            SheetData(POINTS, example={"code": f"{EXAMPLE_MARK}P0", "scale": EnterpriseScale.LARGE}),
            SheetData(MEASURES),
        ],
        code_lists=[CodeList("points", "风险点编号", ["P1", "P2"]), CodeList("tags", "标签", ["甲"])],
        help_text=HelpText(
            pairs=[("企业统一社会信用代码", "91370321MA7K000012")], lines=["只导入本企业"], first=True
        ),
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["说明", "风险点", "措施", "代码表"]
    points = book["风险点"]
    assert [c.value for c in points[1]][:2] == ["编号*", "名称*"]
    assert points["B1"].comment is not None and "8 个字" in points["B1"].comment.text
    assert points.freeze_panes == "A2"
    assert points["G2"].value == "大型"
    validated = {str(v.sqref).split(":")[0] for v in points.data_validations.dataValidation}
    assert {"G2", "H2"} <= validated
    assert book["措施"].data_validations.dataValidation
    help_lines = [c.value for c in book["说明"]["A"]]
    assert "只导入本企业" in help_lines and any("不超过 8 个字" in str(v) for v in help_lines)
    with open_workbook(content) as workbook:
        assert labelled_value(workbook, "说明", "企业统一社会信用代码") == "91370321MA7K000012"


def test_control_characters_never_break_the_written_file() -> None:
    content = build_workbook([SheetData(MEASURES, rows=[{"point": "P1", "text": "坏\x00字\x0b符=1"}])])
    assert load_workbook(io.BytesIO(content))["措施"]["B2"].value == "坏字符=1"


class _Sink:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str]] = []

    def progress(self, done: int, total: int, message: str = "") -> None:
        self.calls.append((done, total, message))


class _PointsImporter:
    """A two-sheet import whose measures refer to points by code (the register's shape)."""

    sheets = (POINTS, MEASURES)

    def __init__(self) -> None:
        self.written: list[dict[str, Any]] = []

    def check(self, rows: Any, errors: list[RowError], on_row: Any) -> list[dict[str, Any]]:
        points: dict[str, dict[str, Any]] = {}
        seen: dict[Any, int] = {}
        done = 0
        for row in rows["风险点"]:
            c = RowChecker(POINTS, row, errors)
            values = c.values("code", "name", "count", "score", "on", "key", "scale", "tags")
            if not c.duplicate("code", values["code"], seen):
                points[values["code"]] = {**values, "measures": []}
            done += 1
            on_row(done)
        for row in rows["措施"]:
            c = RowChecker(MEASURES, row, errors)
            point = c.lookup("point", points, "“风险点”表中没有这个编号")
            if point is not None:
                point["measures"].append(c.value("text"))
            done += 1
            on_row(done)
        return list(points.values())

    def write(self, plan: list[dict[str, Any]], on_rows: Any) -> int:
        self.written = plan
        on_rows(len(plan))
        return len(plan)


@pytest.mark.django_db
def test_export_then_reimport_round_trip() -> None:
    points = [
        {"code": "P1", "name": "=反应釜", "count": 3, "score": decimal.Decimal("2.5"), "on": dt.date(2027, 1, 2),
         "key": True, "scale": EnterpriseScale.MEDIUM, "tags": ["甲", "乙"]},
        {"code": "0012", "name": "-储罐", "count": 0, "score": None, "on": None, "key": False,
         "scale": EnterpriseScale.SMALL, "tags": []},
    ]  # fmt: skip
    measures = [{"point": "P1", "text": "@每班巡检"}, {"point": "0012", "text": "液位报警"}]
    content = build_workbook([SheetData(POINTS, rows=points), SheetData(MEASURES, rows=measures)])
    importer = _PointsImporter()
    sink = _Sink()
    result = run_import(sink, importer, content, every=1)
    assert result.ok, result.errors
    assert [{k: v for k, v in p.items() if k != "measures"} for p in importer.written] == points
    assert [p["measures"] for p in importer.written] == [["@每班巡检"], ["液位报警"]]
    assert sink.calls[0] == (0, 4, "正在校验") and sink.calls[-1] == (2, 4, "正在导入")


@pytest.mark.django_db
def test_any_error_writes_nothing_and_names_every_problem_in_sheet_order() -> None:
    content = xlsx(
        {
            "措施": [["风险点编号", "措施内容"], ["P9", "巡检"]],
            "风险点": [["编号", "名称", "数量"], ["P1", "反应釜", "很多"], ["P1", "重复"]],
        }
    )
    importer = _PointsImporter()
    result = run_import(_Sink(), importer, content)
    assert not result.ok and importer.written == []
    assert [(e.sheet, e.row, e.column, e.value, e.message) for e in result.errors] == [
        ("风险点", 2, "数量", "很多", "应为数字"),
        ("风险点", 3, "编号", "P1", "与本文件第 2 行重复"),
        ("措施", 2, "风险点编号", "P9", "“风险点”表中没有这个编号"),
    ]
    assert "3 处错误" in result.message


@pytest.mark.parametrize(
    ("raw", "read"),
    [("", None), (5.0, 5), (-3.0, -3), (0.5, 0.5), (1e20, 1e20), ("5", "5"), (True, True)],
)
def test_calamine_values_read_as_openpyxl_gives_them(raw: object, read: object) -> None:
    """Excel stores 5 as 5.0; the checker must quote the "5" the user typed."""
    from safegrid.core.excel.reader import _cell

    value = _cell(raw)
    assert value == read and type(value) is type(read)
