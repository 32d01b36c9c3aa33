"""Writing workbooks: import templates and exports in one format, so an export imports back.

`build_workbook` lays out each data sheet (bold header, required columns red with a star, the
column note as a header comment, widths, frozen header, text format for codes), a 代码表 sheet
with every code list, drop-downs on choice and reference columns, and the 说明 sheet with the
instructions and a line per column. Every value goes through `cells.safe_value`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .cells import EXAMPLE_MARK, safe_value
from .columns import Column, Kind, SheetSpec, choice_label

HELP_SHEET = "说明"
CODES_SHEET = "代码表"
DROPDOWN_ROWS = 20_000
HEADER_FILL = PatternFill("solid", fgColor="DCE7F5")
EXAMPLE_FONT = Font(italic=True, color="808080")


@dataclass(frozen=True)
class CodeList:
    """A list of valid values on the 代码表 sheet; a column whose `codes` is `key` gets it as drop-down."""

    key: str
    header: str
    values: Sequence[str]


@dataclass
class SheetData:
    """A data sheet to write: its spec, the rows (dicts by column key, stored values) and an example row."""

    spec: SheetSpec
    rows: Iterable[Mapping[str, Any]] = ()
    example: Mapping[str, Any] | None = None


@dataclass
class HelpText:
    """The 说明 sheet: leading label/value pairs (read back by `reader.labelled_value`), then lines."""

    title: str = "导入说明"
    pairs: Sequence[tuple[str, str]] = ()
    lines: Sequence[str] = ()
    column_notes: bool = True
    first: bool = False  # put 说明 before the data sheets


def cell_value(column: Column, value: Any) -> Any:
    """A stored value as the sheet shows it: choice labels, lists joined with 、, safe text."""
    if isinstance(value, list | tuple | set):
        return safe_value("、".join(str(cell_value(column, v)) for v in value))
    if column.kind == Kind.CHOICE and value not in (None, ""):
        return safe_value(choice_label(column.choices, value))
    return safe_value(value)


def _write_header(sheet: Worksheet, spec: SheetSpec) -> None:
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(
            row=1, column=index, value=f"{column.header}*" if column.required else column.header
        )
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if column.note:
            cell.comment = Comment(column.note, "SafeGrid")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.as_text:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"


def _write_row(
    sheet: Worksheet, spec: SheetSpec, number: int, row: Mapping[str, Any], *, example: bool
) -> None:
    for index, column in enumerate(spec.columns, start=1):
        value = cell_value(column, row.get(column.key))
        cell = sheet.cell(row=number, column=index, value=value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        elif column.as_text:
            cell.number_format = "@"
        if example:
            cell.font = EXAMPLE_FONT


def _code_lists(sheets: Sequence[SheetData], extra: Sequence[CodeList]) -> list[CodeList]:
    lists = {code.key: code for code in extra}
    for data in sheets:
        for column in data.spec.columns:
            if column.kind == Kind.CHOICE and column.dropdown not in lists:
                lists[column.dropdown] = CodeList(column.dropdown, column.header, list(column.labels()))
    return list(lists.values())


def _dropdown(sheet: Worksheet, column: Column, index: int, codes_index: int, count: int) -> None:
    letter = get_column_letter(codes_index)
    validation = DataValidation(
        type="list",
        formula1=f"'{CODES_SHEET}'!${letter}$2:${letter}${count + 1}",
        allow_blank=True,
        showErrorMessage=column.strict and not column.many,
        errorTitle="输入有误" if column.strict else None,
        error="请从下拉列表中选择" if column.strict else None,
    )
    target = get_column_letter(index)
    validation.add(f"{target}2:{target}{DROPDOWN_ROWS + 1}")
    sheet.add_data_validation(validation)


def _write_codes(workbook: Workbook, lists: Sequence[CodeList]) -> dict[str, tuple[int, int]]:
    codes = workbook.create_sheet(CODES_SHEET)
    where: dict[str, tuple[int, int]] = {}
    for index, code_list in enumerate(lists, start=1):
        head = codes.cell(row=1, column=index, value=code_list.header)
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        codes.column_dimensions[get_column_letter(index)].width = 24
        for offset, value in enumerate(code_list.values, start=2):
            codes.cell(row=offset, column=index, value=safe_value(value))
        where[code_list.key] = (index, len(code_list.values))
    codes.freeze_panes = "A2"
    return where


def _write_help(sheet: Worksheet, sheets: Sequence[SheetData], text: HelpText) -> None:
    lines: list[tuple[str, str, bool]] = [(text.title, "", True)]
    lines += [(label, value, False) for label, value in text.pairs]
    lines += [(line, "", line in {"", text.title}) for line in text.lines]
    if text.column_notes:
        for data in sheets:
            lines += [("", "", False), (f"“{data.spec.name}”各列说明", "", True)]
            lines += [
                (f"{c.header}{'（必填）' if c.required else ''}：{c.note or '—'}", "", False)
                for c in data.spec.columns
            ]
    for number, (first, second, bold) in enumerate(lines, start=1):
        cell = sheet.cell(row=number, column=1, value=safe_value(first))
        if bold:
            cell.font = Font(bold=True, size=12)
        if second:
            sheet.cell(row=number, column=2, value=safe_value(second))
    sheet.column_dimensions["A"].width = 110 if not text.pairs else 26
    if text.pairs:
        sheet.column_dimensions["B"].width = 60


def build_workbook(
    sheets: Sequence[SheetData], *, code_lists: Sequence[CodeList] = (), help_text: HelpText | None = None
) -> bytes:
    """The workbook as bytes: data sheets, 代码表 (drop-down sources) and 说明."""
    workbook = Workbook()
    default = workbook.worksheets[0]
    help_sheet = None
    if help_text is not None and help_text.first:
        default.title = HELP_SHEET
        help_sheet = default
    data_sheets: list[Worksheet] = []
    for index, data in enumerate(sheets):
        sheet = default if index == 0 and help_sheet is None else workbook.create_sheet(data.spec.name)
        sheet.title = data.spec.name
        _write_header(sheet, data.spec)
        number = 2
        if data.example is not None:
            _write_row(sheet, data.spec, number, data.example, example=True)
            number += 1
        for row in data.rows:
            _write_row(sheet, data.spec, number, row, example=False)
            number += 1
        data_sheets.append(sheet)
    lists = _code_lists(sheets, code_lists)
    where = _write_codes(workbook, lists)
    for sheet, data in zip(data_sheets, sheets, strict=True):
        for index, column in enumerate(data.spec.columns, start=1):
            codes_index, count = where.get(column.dropdown, (0, 0))
            if column.dropdown and count:
                _dropdown(sheet, column, index, codes_index, count)
    if help_text is not None:
        if help_sheet is None:
            help_sheet = workbook.create_sheet(HELP_SHEET)
        _write_help(help_sheet, sheets, help_text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class TemplateLines:
    """The standard instructions of an all-or-nothing import template."""

    sheet_names: Sequence[str]
    max_rows: int
    extra: Sequence[str] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        sheets = "、".join(f"“{name}”" for name in self.sheet_names)
        return [
            f"1. 在{sheets}工作表填写数据，第 1 行为表头，请勿修改表头文字；红色带 * 的列为必填，表头批注说明填写要求。",
            f"2. 以“{EXAMPLE_MARK}”开头的行是示例，不会导入，可保留或删除。",
            f"3. 可选值见“{CODES_SHEET}”工作表，带下拉框的列可直接选择。",
            "4. 全部行校验通过才会导入；任何一行有错，都不会导入任何数据，并列出每处错误的工作表、行号、列名和原因。",
            f"5. 每个工作表最多 {self.max_rows} 行；大文件在后台处理，页面显示进度。",
            *self.extra,
        ]
