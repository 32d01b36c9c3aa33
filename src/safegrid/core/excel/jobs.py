"""Running an import: read, check every row, then write all of it in one transaction, or nothing.

An app describes its import as an `Importer` (its sheets, a `check` that turns rows into a plan
while collecting `RowError`s, a `write` that saves the plan through bulk services); `run_import`
does the rest and reports progress to a `ProgressSink` — the job's `ctx` on the worker, or any
object with `progress(done, total, message)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from .checking import RowError, RowsRefused, sort_errors
from .columns import SheetSpec
from .reader import Row, SheetError, read_workbook

PlanT = TypeVar("PlanT")
CHECKING = "正在校验"
WRITING = "正在导入"
PROGRESS_EVERY = 500
MAX_STORED_ERRORS = 500


class ProgressSink(Protocol):
    def progress(self, done: int, total: int, message: str = "") -> None: ...


class Importer(Protocol[PlanT]):
    """What an app declares for one import."""

    @property
    def sheets(self) -> Sequence[SheetSpec]: ...

    def check(
        self, rows: Mapping[str, list[Row]], errors: list[RowError], on_row: Callable[[int], None]
    ) -> PlanT:
        """Parse and check every row (queries only up front, for lookups); call on_row(i) per row."""
        ...

    def write(self, plan: PlanT, on_rows: Callable[[int], None]) -> int:
        """Save the plan (inside run_import's transaction), calling on_rows(done) per batch; the
        number of rows written. Raise RowsRefused for what a model refuses at this stage."""
        ...


@dataclass
class ImportResult:
    ok: bool
    total: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    message: str = ""

    @property
    def error_count(self) -> int:
        return len(self.errors)

    def stored_errors(self) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self.errors[:MAX_STORED_ERRORS]]


class _Throttle:
    def __init__(self, ctx: ProgressSink, total: int, message: str, every: int) -> None:
        self.ctx, self.total, self.message, self.every, self.last = ctx, total, message, every, 0

    def __call__(self, done: int) -> None:
        if done - self.last >= self.every or done == self.total:
            self.last = done
            self.ctx.progress(done, self.total, self.message)


def run_import(
    ctx: ProgressSink,
    importer: Importer[Any],
    content: bytes,
    *,
    every: int = PROGRESS_EVERY,
    first_sheet_fallback: bool = False,
) -> ImportResult:
    """Check and write one workbook, all or nothing. Unexpected exceptions propagate (rolled back)."""
    try:
        read = read_workbook(content, importer.sheets, first_sheet_fallback=first_sheet_fallback)
    except SheetError as exc:
        return ImportResult(False, message=str(exc))
    if read.problems:
        return ImportResult(
            False, errors=sort_errors(read.problems, importer.sheets), message=_("表头与模板不一致")
        )
    total = read.total
    if not total:
        return ImportResult(False, message=_("文件中没有数据行（示例行不会导入）"))
    ctx.progress(0, total, CHECKING)
    errors: list[RowError] = []
    plan = importer.check(read.sheets, errors, _Throttle(ctx, total, CHECKING, every))
    if errors:
        return ImportResult(
            False,
            total,
            errors=sort_errors(errors, importer.sheets),
            message=_("发现 %(n)s 处错误，未导入任何数据") % {"n": len(errors)},
        )
    ctx.progress(0, total, WRITING)
    try:
        with transaction.atomic():
            created = importer.write(plan, _Throttle(ctx, total, WRITING, 1))
    except RowsRefused as exc:
        return ImportResult(
            False,
            total,
            errors=sort_errors(exc.errors, importer.sheets),
            message=_("写入时被拒绝，已全部回滚，未导入任何数据"),
        )
    return ImportResult(True, total, created)
