"""Row checking: each problem named by sheet, Excel row, column header, value and a message.

An import is all or nothing: the importer checks every row into a list of `RowError`, and any
entry means nothing is written. Problems found only when writing (a model's `clean`) are raised
as `RowsRefused`, which rolls the transaction back and reports them the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from ..text import visible
from .cells import cell_text
from .columns import CellError, SheetSpec

if TYPE_CHECKING:
    from .reader import Row

T = TypeVar("T")
SHOWN_VALUE_CHARS = 100


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # 0: the sheet as a whole
    column: str  # the Chinese header, '' for the row as a whole
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class RowsRefused(Exception):
    """Raised while writing: the transaction rolls back and these problems are reported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


def sort_errors(errors: Iterable[RowError], specs: Sequence[SheetSpec]) -> list[RowError]:
    """In the order the user reads the workbook: sheet, row, column."""
    sheet_order = {spec.name: i for i, spec in enumerate(specs)}
    column_order = {(spec.name, c.header): i for spec in specs for i, c in enumerate(spec.columns)}
    return sorted(
        errors,
        key=lambda e: (sheet_order.get(e.sheet, -1), e.row, column_order.get((e.sheet, e.column), -1)),
    )


def validation_errors(
    spec: SheetSpec, row: int, exc: ValidationError, field_columns: Mapping[str, str] | None = None
) -> list[RowError]:
    """A model's field-named ValidationError as row errors; `field_columns` maps field -> column key."""
    found: list[RowError] = []
    if not hasattr(exc, "error_dict"):
        return [RowError(spec.name, row, "", "", str(m)) for m in exc.messages]
    for field_name, messages in exc.message_dict.items():
        key = (field_columns or {}).get(field_name, field_name)
        header = "" if field_name == NON_FIELD_ERRORS else (spec.header(key) or field_name)
        found.extend(RowError(spec.name, row, header, "", str(m)) for m in messages)
    return found


class RowChecker:
    """Parses one row by its column definitions and collects its problems."""

    def __init__(self, spec: SheetSpec, row: Row, errors: list[RowError]) -> None:
        self.spec = spec
        self.row = row
        self.errors = errors
        self.failed = False

    def raw(self, key: str) -> Any:
        return self.row.values.get(key)

    def text(self, key: str) -> str:
        return cell_text(self.raw(key))

    def error(self, key: str, message: str, value: Any = None) -> None:
        shown = visible(cell_text(self.raw(key) if value is None else value))  # storable (JSON, PostgreSQL)
        self.errors.append(
            RowError(
                self.spec.name, self.row.number, self.spec.header(key), shown[:SHOWN_VALUE_CHARS], message
            )
        )
        self.failed = True

    def value(self, key: str) -> Any:
        """The parsed value of the cell; on a problem it is recorded and the column default returned."""
        column = self.spec.column(key)
        try:
            return column.parse(self.raw(key))
        except CellError as exc:
            self.error(key, str(exc))
            return column.blank

    def values(self, *keys: str) -> dict[str, Any]:
        return {key: self.value(key) for key in keys}

    def lookup(self, key: str, found: Mapping[str, T] | Callable[[str], T | None], message: str) -> T | None:
        """A reference cell resolved through a prefetched mapping (or a function); blank gives None."""
        reference = self.value(key)
        if not reference:
            return None
        target = found(reference) if callable(found) else found.get(reference)
        if target is None:
            self.error(key, message)
        return target

    def lookup_many(self, key: str, found: Mapping[str, T], message: str) -> list[T]:
        """A list cell (`many=True`) whose every item must be in `found`; `message` takes %(name)s."""
        targets: list[T] = []
        for reference in self.value(key):
            target = found.get(reference)
            if target is None:
                self.error(key, message % {"name": reference})
            elif target not in targets:
                targets.append(target)
        return targets

    def duplicate(self, key: str, identity: Any, seen: dict[Any, int]) -> bool:
        """Report a second row with the same `identity` in this file; True when it is a repeat."""
        first = seen.setdefault(identity, self.row.number)
        if first != self.row.number:
            self.error(key, _("与本文件第 %(row)s 行重复") % {"row": first})
            return True
        return False
