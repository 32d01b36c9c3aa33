"""Running an import: read, check every row, then write all of it in one transaction, or nothing.

An app describes its import as an `Importer` (its sheets, a `check` that turns rows into a plan
while collecting `RowError`s, a `write` that saves the plan through bulk services); `run_import`
does the rest and reports progress to a `ProgressSink` — the job's `ctx` on the worker, or any
object with `progress(done, total, message)`.

An import that changes existing data shows what it would change first: its importer is a
`PreviewingImporter` (`preview(plan)` describes the changes as JSON, writing nothing), `run_preview`
reads and checks the file and returns that description in `ImportResult.preview`; once the person
confirms, `run_import` checks the same file again and writes (see `enterprises.import_jobs`).
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


class PreviewingImporter(Importer[PlanT], Protocol):
    """An importer that can say what writing its plan would change, before anything is written."""

    def preview(self, plan: PlanT) -> dict[str, Any]:
        """The changes the plan would make, as JSON kept until the person confirms (no writes)."""
        ...


@dataclass
class ImportResult:
    ok: bool
    total: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    message: str = ""
    preview: dict[str, Any] | None = None  # from run_preview: what the import would change

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


def _checked(
    ctx: ProgressSink, importer: Importer[Any], content: bytes, every: int, first_sheet_fallback: bool
) -> tuple[ImportResult | None, Any, int]:
    """Read and check the workbook: (the refusal, or None and the plan, the number of data rows)."""
    try:
        read = read_workbook(content, importer.sheets, first_sheet_fallback=first_sheet_fallback)
    except SheetError as exc:
        return ImportResult(False, message=str(exc)), None, 0
    if read.problems:
        problems = sort_errors(read.problems, importer.sheets)
        return ImportResult(False, errors=problems, message=_("表头与模板不一致")), None, 0
    total = read.total
    if not total:
        return ImportResult(False, message=_("文件中没有数据行（示例行不会导入）")), None, 0
    ctx.progress(0, total, CHECKING)
    errors: list[RowError] = []
    plan = importer.check(read.sheets, errors, _Throttle(ctx, total, CHECKING, every))
    if errors:
        refused = ImportResult(
            False,
            total,
            errors=sort_errors(errors, importer.sheets),
            message=_("发现 %(n)s 处错误，未导入任何数据") % {"n": len(errors)},
        )
        return refused, None, total
    return None, plan, total


def run_preview(
    ctx: ProgressSink,
    importer: PreviewingImporter[Any],
    content: bytes,
    *,
    every: int = PROGRESS_EVERY,
    first_sheet_fallback: bool = False,
) -> ImportResult:
    """Check one workbook and describe what importing it would change, writing nothing."""
    refused, plan, total = _checked(ctx, importer, content, every, first_sheet_fallback)
    if refused is not None:
        return refused
    return ImportResult(True, total, preview=importer.preview(plan))


def run_import(
    ctx: ProgressSink,
    importer: Importer[Any],
    content: bytes,
    *,
    every: int = PROGRESS_EVERY,
    first_sheet_fallback: bool = False,
) -> ImportResult:
    """Check and write one workbook, all or nothing. Unexpected exceptions propagate (rolled back)."""
    refused, plan, total = _checked(ctx, importer, content, every, first_sheet_fallback)
    if refused is not None:
        return refused
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
