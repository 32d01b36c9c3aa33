"""The register import: the kit's `Importer` (check every row, compare with the register, then write
the changes in place, all or nothing, audited), `preview_register` (what the file would change, nothing
written) and `import_register`, which the worker jobs run (`services.register_import`).

What an import changes: the risk points the file names (listed in 风险点, or referred to by another
sheet) are matched by code — created when new, updated in place when listed in 风险点 — and THEIR hazard
factors (with assessments), control measures and responsibility tiers are matched by their codes (the
tier by the tier): created, updated in place, or deactivated when the file leaves them out; ids stay,
nothing is deleted (see `diff`). Points the file does not name are left alone, or deactivated when the
person said the file is the whole register. Each changed object gets one audit entry
(`services.register_apply`); one summary entry (action *import*, ``risks.register_import``) closes the
import. An import confirmed after a preview writes only if the register is as it was then.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from safegrid.core import audit, excel
from safegrid.core.choices import AuditAction
from safegrid.core.excel import (
    HELP_SHEET,
    Importer,
    ImportResult,
    ProgressSink,
    Row,
    RowChecker,
    RowError,
    RowsRefused,
    SheetError,
    SheetSpec,
    cell_text,
)
from safegrid.enterprises import selectors as ent_selectors
from safegrid.enterprises.models import Enterprise, Person

from ...selectors import points as selectors
from ...selectors.filing import current_revision
from ...services import points as services
from ...services.register_apply import (
    MEASURE,
    ChangeRefused,
    RegisterChanged,
    RegisterChanges,
    register_apply,
)
from .check_rows import check_factor, check_measure, check_point, check_tier
from .columns import (
    FACTORS,
    INPUT_NAMES,
    MEASURES,
    POINTS,
    POINTS_SHEET,
    SPECS,
    TIERS,
    USCC_LABEL,
)
from .diff import register_changes
from .org_paths import OrgTree
from .plan import Lookups

STALE = (
    "预览之后，风险清单或本企业的人员、组织架构已有变动，本次导入未写入任何数据；"
    "请重新上传文件，按新的预览确认"
)
SPEC_OF = {spec.name: spec for spec in SPECS}


def _assessment_fields(kind: str) -> dict[str, str]:
    """A refused assessment's field names -> its columns (anything but an input: the method column)."""
    names = {name: f"{kind}_{name}" for name in INPUT_NAMES}
    return names | dict.fromkeys(("method", "inputs", "kind", "level", "score"), f"{kind}_method")


def _refused(exc: ChangeRefused) -> RowsRefused:
    change = exc.change
    fields: dict[str, str] = {}
    if exc.assessment:
        fields = _assessment_fields(exc.assessment)
    elif change.kind == MEASURE:
        fields = {"hazard_factor": "factor"}
    return RowsRefused(excel.validation_errors(SPEC_OF[change.sheet], change.row or 0, exc.error, fields))


def _stale(message: str = STALE) -> RowsRefused:
    return RowsRefused([RowError(HELP_SHEET, 0, "", "", message)])


class RegisterImporter:
    """The kit's `PreviewingImporter` for one enterprise's register (see `core.excel.run_preview` and
    `run_import`). `expected` is the preview the person confirmed: then only those changes are written."""

    sheets = SPECS

    def __init__(
        self,
        user: Any,
        enterprise: Enterprise,
        *,
        file_name: str,
        sha256: str,
        retire_missing: bool = False,
        expected: Mapping[str, Any] | None = None,
    ) -> None:
        self.user = user
        self.enterprise = enterprise
        self.file_name = file_name[:200]
        self.sha256 = sha256
        self.retire_missing = retire_missing
        self.expected = expected
        self.revision = 0
        self.counts: dict[str, dict[str, int]] | None = None

    def _lookups(self) -> Lookups:
        # The revision first: a register write after this read makes the comparison stale.
        self.revision = current_revision(self.enterprise.pk)
        people: dict[str, list[Person]] = {}
        for person in ent_selectors.person_list(self.user).filter(enterprise=self.enterprise, active=True):
            people.setdefault(person.name, []).append(person)
        return Lookups(
            tree=OrgTree.load(self.user, self.enterprise),
            existing={
                p.code: p for p in selectors.risk_point_list(self.user).filter(enterprise=self.enterprise)
            },
            people=people,
            config=services.config_for_enterprise(self.enterprise),
            items=selectors.register_items(self.enterprise.pk),
        )

    def check(
        self, rows: Mapping[str, list[Row]], errors: list[RowError], on_row: Callable[[int], None]
    ) -> Lookups:
        look = self._lookups()
        look.listed = {cell_text(r.values.get("code")) for r in rows[POINTS_SHEET]} - {""}
        steps: dict[str, list[int]] = {}
        seen: dict[str, dict[Any, int]] = {spec.name: {} for spec in SPECS}
        checks: tuple[tuple[SheetSpec, Callable[[RowChecker], None]], ...] = (
            (POINTS, lambda c: check_point(c, look, seen[POINTS_SHEET])),
            (FACTORS, lambda c: check_factor(c, look, steps, seen[FACTORS.name])),
            (MEASURES, lambda c: check_measure(c, look, seen[MEASURES.name])),
            (TIERS, lambda c: check_tier(c, look, seen[TIERS.name])),
        )
        done = 0
        for spec, check in checks:
            for row in rows[spec.name]:
                check(RowChecker(spec, row, errors))
                done += 1
                on_row(done)
        if not errors:
            look.changes = register_changes(look, errors, retire_missing=self.retire_missing)
        return look

    def preview(self, plan: Lookups) -> dict[str, Any]:
        assert plan.changes is not None  # checked without errors
        return plan.changes.preview(self.revision)

    def write(self, plan: Lookups, on_rows: Callable[[int], None]) -> int:
        changes = plan.changes
        assert changes is not None
        expected = self.expected
        if expected is not None and changes.digest() != expected.get("digest"):
            raise _stale()
        try:
            self.counts = register_apply(
                actor=self.user,
                enterprise=self.enterprise,
                changes=changes,
                revision_seen=int(expected["revision"]) if expected is not None else self.revision,
                on_rows=on_rows,
            )
        except RegisterChanged as exc:
            raise _stale(str(exc)) from exc
        except ChangeRefused as exc:
            raise _refused(exc) from exc
        self._record(plan, changes)
        return sum(entry.rows for entry in changes.points)

    def _record(self, plan: Lookups, changes: RegisterChanges) -> None:
        changed = changes.changed()
        audit.record(
            actor=self.user,
            action=AuditAction.IMPORT,
            obj=self.enterprise,
            object_type="risks.register_import",
            object_id=str(self.enterprise.pk),
            after={
                "file_name": self.file_name,
                "sha256": self.sha256,
                "points": sorted(plan.plans),
                "retire_missing": self.retire_missing,
                "counts": self.counts,
                "changed": changed,
            },
            comment=_("Excel 导入风险清单：%(file)s（%(n)s 个风险点，%(changed)s 项变更）")
            % {"file": self.file_name, "n": len(plan.plans), "changed": changed},
        )


@dataclass
class ImportOutcome(ImportResult):
    """The kit's result with what the register import changed (counts by kind and action)."""

    summary: dict[str, dict[str, int]] | None = None


class _Silent:
    def progress(self, done: int, total: int, message: str = "") -> None:
        return None


def file_uscc(content: bytes) -> str:
    """The USCC the file's 说明 sheet names ('' when none, or the file is unreadable)."""
    try:
        with excel.open_workbook(content) as workbook:
            return excel.labelled_value(workbook, HELP_SHEET, USCC_LABEL).upper()
    except SheetError:
        return ""


def _other_enterprise(enterprise: Enterprise, content: bytes) -> ImportOutcome | None:
    uscc = file_uscc(content)
    if not uscc or uscc == enterprise.uscc:
        return None
    message = _("该文件属于另一家企业，不能导入到“%(name)s”") % {"name": enterprise.name}
    return ImportOutcome(
        False,
        errors=[RowError(HELP_SHEET, 0, USCC_LABEL, uscc, message)],
        message=_("文件与所选企业不符，未导入任何数据"),
    )


def _importer(
    user: Any,
    enterprise: Enterprise,
    file_name: str,
    content: bytes,
    retire_missing: bool,
    expected: Mapping[str, Any] | None = None,
) -> RegisterImporter:
    sha256 = hashlib.sha256(content).hexdigest()
    return RegisterImporter(
        user, enterprise, file_name=file_name, sha256=sha256, retire_missing=retire_missing, expected=expected
    )


def preview_register(
    *,
    user: Any,
    enterprise: Enterprise,
    file_name: str,
    content: bytes,
    retire_missing: bool = False,
    ctx: ProgressSink | None = None,
) -> ImportResult:
    """Check the whole file and describe what importing it would change (`result.preview`); writes
    nothing. The caller has checked `can_edit_register`."""
    refused = _other_enterprise(enterprise, content)
    if refused is not None:
        return refused
    importer = _importer(user, enterprise, file_name, content, retire_missing)
    return excel.run_preview(ctx or _Silent(), importer, content)


def import_register(
    *,
    user: Any,
    enterprise: Enterprise,
    file_name: str,
    content: bytes,
    retire_missing: bool = False,
    expected: Mapping[str, Any] | None = None,
    ctx: ProgressSink | None = None,
    wrap: Callable[[Importer[Any]], Importer[Any]] | None = None,
) -> ImportOutcome:
    """Check the whole file, then write its changes all or nothing; with `expected` (a confirmed
    preview), only if they are still those changes. The caller has checked `can_edit_register`.
    `wrap` lets the job add to the import's transaction (see `enterprises.import_jobs.MarkDone`)."""
    refused = _other_enterprise(enterprise, content)
    if refused is not None:
        return refused
    importer = _importer(user, enterprise, file_name, content, retire_missing, expected)
    result = excel.run_import(ctx or _Silent(), wrap(importer) if wrap else importer, content)
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(ImportResult)}
    return ImportOutcome(**fields, summary=importer.counts if result.ok else None)
