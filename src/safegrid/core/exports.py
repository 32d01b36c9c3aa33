"""Streaming CSV and XLSX exports of exactly the rows a list shows (all pages)."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .excel import cells as excel_cells

EXPORT_FORMATS = ("csv", "xlsx")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = excel_cells.XLSX_TYPE


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _plain(value: Any) -> Any:
    """A spreadsheet-friendly value: dates stay dates, None is blank, everything else text or number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, int | float | dt.date):
        return value
    return str(value)


def _safe_text(value: Any) -> Any:
    """The product's one rule for spreadsheet cells (see core.excel.cells): no live formula, no
    control characters that break the file."""
    return excel_cells.safe_value(value) if isinstance(value, str) else value


def _filename(base: str, ext: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{base}-{stamp}.{ext}"


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"


def csv_response(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], basename: str
) -> StreamingHttpResponse:
    """Stream a UTF-8 CSV with a BOM so Excel opens the Chinese text correctly."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(list(headers))
        for row in rows:
            yield writer.writerow([_safe_text(_plain(v)) for v in row])

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = _disposition(_filename(basename, "csv"))
    return response


def xlsx_response(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], basename: str, sheet_title: str = ""
) -> FileResponse:
    """Write a write-only (constant-memory) workbook to a temporary file and send it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(sheet_title or basename)[:31])
    bold = Font(bold=True)
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=_safe_text(str(title)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        values = []
        for v in row:
            value = _safe_text(_plain(v))
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # openpyxl writes dates; its stubs omit them
                cell.number_format = "yyyy-mm-dd"
                values.append(cell)
            else:
                values.append(value)
        sheet.append(values)
    # A named temporary file keeps memory flat for large exports; FileResponse closes (and so deletes) it.
    spool = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _disposition(_filename(basename, "xlsx"))
    return response
