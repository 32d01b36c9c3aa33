"""Column and sheet definitions: the Excel contract of one import, and how each cell is parsed.

Headers are fixed Chinese text (a data format, like a code list), so a file filled in under one UI
language imports under the other; choice labels are read in Chinese for the same reason.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..text import TextRefused, clean_text
from .cells import cell_text

LIST_SPLIT = re.compile(r"[、,，;；]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_TRUE = {"是", "有", "√", "1", "true", "yes", "y"}
_FALSE = {"否", "无", "×", "0", "false", "no", "n"}
NUMERIC_CODE_MESSAGE = gettext_noop(
    "该单元格被 Excel 当作数字保存，长代码会丢失精度；请把这一列设为“文本”格式后重新填写"
)


class Kind(enum.StrEnum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"  # decimal.Decimal
    FLOAT = "float"
    DATE = "date"
    BOOL = "bool"
    CHOICE = "choice"  # a label (or stored value) from `choices`
    REFERENCE = "reference"  # a key of another row or object; the importer resolves it


class CellError(ValueError):
    """A cell that cannot be parsed; the message is shown to the user as is."""


def choice_labels(choices: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    """Chinese label -> stored value, whatever the active UI language."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices}


def choice_label(choices: Iterable[tuple[Any, Any]], value: Any) -> str:
    """The Chinese label of a stored value (the value itself when unknown)."""
    with translation.override("zh-hans"):
        return next((str(label) for v, label in choices if v == value), cell_text(value))


@dataclass(frozen=True)
class Column:
    """One column: header, how its cells parse, and how the template presents it.

    `choices` are Django choices (value, label); `codes` names a code list (see writer.CodeList)
    that feeds the column's drop-down; `strict` drop-downs refuse other values in Excel itself.
    `code` marks long codes (USCC, division codes) that must be text: a numeric cell is refused
    with an explanation. `check` returns a message for a parsed value that is wrong. Every cell
    passes the input rule (`core.text.clean_text`); `multiline` columns keep tabs and line breaks.
    """

    key: str
    header: str
    kind: Kind = Kind.TEXT
    required: bool = False
    width: int = 14
    note: str = ""
    choices: Sequence[tuple[Any, Any]] = ()
    default: Any = None
    max_length: int | None = None
    low: float | None = None
    high: float | None = None
    many: bool = False
    code: bool = False
    text_format: bool = False
    codes: str = ""
    strict: bool = True
    normalise: Callable[[str], str] | None = None
    multiline: bool = False
    check: Callable[[Any], str | None] | None = field(default=None, compare=False)

    @property
    def as_text(self) -> bool:
        """Excel should keep this column as text (the '@' number format)."""
        return self.code or self.text_format or self.kind == Kind.REFERENCE

    @property
    def dropdown(self) -> str:
        """The code list feeding the drop-down: `codes`, or the column's own choices."""
        return self.codes or (self.key if self.kind == Kind.CHOICE else "")

    @property
    def blank(self) -> Any:
        """The value of an empty cell: [] for lists, '' for text without a default, else `default`."""
        if self.many:
            return []
        if self.default is None and self.kind == Kind.TEXT:
            return ""
        return self.default

    @functools.cached_property
    def _labels(self) -> dict[str, Any]:
        return choice_labels(self.choices)

    def labels(self) -> dict[str, Any]:
        """Chinese label -> stored value (computed once per column)."""
        return self._labels

    def parse(self, raw: Any) -> Any:
        """The typed value of a cell; blank gives `default` ([] for `many`). Raises CellError."""
        if self.code and isinstance(raw, int | float) and not isinstance(raw, bool):
            raise CellError(_(NUMERIC_CODE_MESSAGE))
        try:
            text = clean_text(cell_text(raw), multiline=self.multiline)
        except TextRefused as exc:
            raise CellError(exc.message) from None
        if self.normalise is not None:
            text = self.normalise(text)
        if not text:
            if self.required:
                raise CellError(_("必填项不能为空"))
            return self.blank
        if self.many:
            values = [
                self._one(part.strip(), part.strip()) for part in LIST_SPLIT.split(text) if part.strip()
            ]
            return list(dict.fromkeys(values))
        return self._one(raw, text)

    def _one(self, raw: Any, text: str) -> Any:
        value = _PARSERS[self.kind](self, raw, text)
        if self.check is not None and (problem := self.check(value)):
            raise CellError(problem)
        return value

    def example_value(self, value: Any) -> Any:
        """A stored value as the template shows it (choice labels in Chinese)."""
        if self.kind == Kind.CHOICE and not isinstance(value, list):
            return choice_label(self.choices, value)
        return value


def _text(column: Column, raw: Any, text: str) -> str:
    if column.max_length is not None and len(text) > column.max_length:
        raise CellError(_("不能超过 %(n)s 个字（实际 %(m)s 个）") % {"n": column.max_length, "m": len(text)})
    return text


def _number(raw: Any, text: str) -> decimal.Decimal:
    try:
        number = decimal.Decimal(str(raw)) if isinstance(raw, int | float) else decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise CellError(_("应为数字")) from None
    if not number.is_finite():
        raise CellError(_("应为数字"))
    return number


def _in_range(column: Column, number: decimal.Decimal, message: str) -> None:
    if (column.low is not None and number < decimal.Decimal(str(column.low))) or (
        column.high is not None and number > decimal.Decimal(str(column.high))
    ):
        raise CellError(message % {"low": column.low, "high": column.high})


def _int(column: Column, raw: Any, text: str) -> int:
    number = _number(raw, text)
    if number != number.to_integral_value():
        raise CellError(_("应为整数"))
    _in_range(column, number, _("应为 %(low)s 到 %(high)s 之间的整数"))
    return int(number)


def _decimal(column: Column, raw: Any, text: str) -> decimal.Decimal:
    number = _number(raw, text)
    _in_range(column, number, _("应在 %(low)s 到 %(high)s 之间"))
    return number


def _float(column: Column, raw: Any, text: str) -> float:
    return float(_decimal(column, raw, text))


def _date(column: Column, raw: Any, text: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("日期格式不正确，请填写如 2027-06-30 的日期"))


def _bool(column: Column, raw: Any, text: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise CellError(_("请填写“是”或“否”"))


def _choice(column: Column, raw: Any, text: str) -> Any:
    labels = column.labels()
    if text in labels:
        return labels[text]
    for stored in labels.values():
        if text == str(stored):
            return stored
    raise CellError(_("不是有效选项，可选：%(options)s") % {"options": "、".join(labels)})


_PARSERS: dict[Kind, Callable[[Column, Any, str], Any]] = {
    Kind.TEXT: _text,
    Kind.REFERENCE: _text,
    Kind.INT: _int,
    Kind.DECIMAL: _decimal,
    Kind.FLOAT: _float,
    Kind.DATE: _date,
    Kind.BOOL: _bool,
    Kind.CHOICE: _choice,
}


@dataclass(frozen=True)
class SheetSpec:
    """One worksheet of an import: its name, its columns, and how many data rows it may hold."""

    name: str
    columns: tuple[Column, ...]
    max_rows: int = 50_000
    optional: bool = False

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def header(self, key: str) -> str:
        return next((c.header for c in self.columns if c.key == key), "")
