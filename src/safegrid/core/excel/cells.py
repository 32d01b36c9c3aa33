"""Cell values in and out: what a cell says (`cell_text`) and what is safe to write (`safe_value`).

One rule for every spreadsheet the product writes (xlsx and CSV): text that a spreadsheet would
run as a formula (starting with = + - @, tab or carriage return; OWASP "CSV injection") gets a
leading apostrophe, and what XML 1.0 cannot hold (control characters — openpyxl's
IllegalCharacterError —, lone surrogates, U+FFFE/U+FFFF) is removed, and text is cut to what one
cell holds (32,767 characters). The input rule (`core.text.clean_text`) keeps such text out today;
this keeps data stored before it from breaking an export. `cell_text` takes the apostrophe off
again, so an export imports back unchanged.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_FILE_BYTES = 20 * 1024 * 1024
EXAMPLE_MARK = "【示例】"

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767
# openpyxl's ILLEGAL_CHARACTERS_RE, plus what no XML encoder writes (lone surrogates, non-characters).
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_QUOTE = "'"
_HEADER_NOISE = re.compile(r"[\s*＊]")


def neutralise(text: str) -> str:
    """Text as a spreadsheet must receive it: no illegal control characters, no live formula."""
    text = _UNWRITABLE.sub("", text)
    if text.startswith(FORMULA_TRIGGERS):
        text = _QUOTE + text
    return text[:MAX_CELL_CHARS]


def safe_value(value: Any) -> Any:
    """A value ready for a cell: numbers and dates as they are, None blank, anything else safe text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | decimal.Decimal | dt.date | dt.time):
        return value
    return neutralise(str(value))


def cell_text(value: Any) -> str:
    """A cell as the user meant it: integral floats without '.0', dates as ISO, text stripped.

    A leading apostrophe that `neutralise` added before a formula trigger is taken off again.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_QUOTE) and text[1:2] and text[1:].startswith(FORMULA_TRIGGERS):
        text = text[1:]
    return text.replace("\u3000", " ").strip()


def normal_header(value: Any) -> str:
    """A header cell compared without spaces and the required-column star."""
    return _HEADER_NOISE.sub("", cell_text(value))


def is_example(line: tuple[Any, ...]) -> bool:
    return any(isinstance(v, str) and v.strip().startswith(EXAMPLE_MARK) for v in line)
