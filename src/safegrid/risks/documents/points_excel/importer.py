"""The register import: the kit's `Importer` (check every row, then write through the services, all
or nothing, audited) and `import_register`, which the worker job runs (`services.register_import`).

What an import replaces: the risk points the file names (listed in 风险点, or referred to by another
sheet) are upserted by code — created when new, their fields updated when listed in 风险点 — and
THEIR hazard factors (with assessments), control measures and responsibility tiers are replaced by
the file's rows: what the file leaves out for such a point is removed. Points the file does not
name are left alone. A retired point listed in 风险点 is reactivated. Assessments are graded anew
with the county's current configuration. Every write goes through the services (validated again,
audited); one summary audit entry (action *import*, ``risks.register_import``) closes the import.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safegrid.core import audit, excel
from safegrid.core.audit import Actor
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

from ...models import HazardFactor, RiskPoint
from ...selectors import points as selectors
from ...services import points as services
from .check_rows import check_factor, check_measure, check_point, check_tier
from .columns import (
    FACTORS,
    FACTORS_SHEET,
    INPUT_NAMES,
    MEASURES,
    MEASURES_SHEET,
    POINTS,
    POINTS_SHEET,
    SPECS,
    TIERS,
    TIERS_SHEET,
    USCC_LABEL,
)
from .org_paths import OrgTree
from .plan import Lookups, PointPlan


@dataclass
class ImportSummary:
    points_created: int = 0
    points_updated: int = 0
    factors_removed: int = 0
    factors: int = 0
    assessments: int = 0
    measures_removed: int = 0
    measures: int = 0
    tiers_removed: int = 0
    tiers: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def _assessment_fields(kind: str) -> dict[str, str]:
    """A refused assessment's field names -> its columns (anything but an input: the method column)."""
    names = {name: f"{kind}_{name}" for name in INPUT_NAMES}
    return names | dict.fromkeys(("method", "inputs", "kind", "level", "score"), f"{kind}_method")


def _refused(
    spec: SheetSpec, row: int | None, exc: ValidationError, fields: Mapping[str, str] | None = None
) -> RowsRefused:
    return RowsRefused(excel.validation_errors(spec, row or 0, exc, fields))


class RegisterImporter:
    """The kit's `Importer` for one enterprise's register (see `core.excel.run_import`)."""

    sheets = SPECS

    def __init__(self, user: Any, enterprise: Enterprise, *, file_name: str, sha256: str) -> None:
        self.user = user
        self.enterprise = enterprise
        self.file_name = file_name[:200]
        self.sha256 = sha256
        self.summary = ImportSummary()

    def _lookups(self) -> Lookups:
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
            (FACTORS, lambda c: check_factor(c, look, steps, seen[FACTORS_SHEET])),
            (MEASURES, lambda c: check_measure(c, look, seen[MEASURES_SHEET])),
            (TIERS, lambda c: check_tier(c, look, seen[TIERS_SHEET])),
        )
        done = 0
        for spec, check in checks:
            for row in rows[spec.name]:
                check(RowChecker(spec, row, errors))
                done += 1
                on_row(done)
        return look

    def write(self, plan: Lookups, on_rows: Callable[[int], None]) -> int:
        done = 0
        for point_plan in plan.plans.values():
            self._write_point(point_plan)
            done += point_plan.rows
            on_rows(done)
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
                **self.summary.as_dict(),
            },
            comment=_("Excel 导入风险清单：%(file)s（%(n)s 个风险点）")
            % {"file": self.file_name, "n": len(plan.plans)},
        )
        return done

    def _replace_lists(self, point: RiskPoint, plan: PointPlan) -> RiskPoint:
        actor: Actor = self.user
        if plan.data is not None:
            if not point.active:
                point = services.risk_point_reactivate(actor=actor, point=point)
            point = services.risk_point_update(actor=actor, point=point, data=plan.data)
            self.summary.points_updated += 1
        for measure in list(point.measures.all()):
            services.measure_remove(actor=actor, measure=measure)
            self.summary.measures_removed += 1
        for assignment in list(point.tiers.all()):
            services.tier_unassign(actor=actor, assignment=assignment)
            self.summary.tiers_removed += 1
        for old in list(point.factors.all()):
            services.hazard_factor_remove(actor=actor, factor=old)
            self.summary.factors_removed += 1
        point.refresh_from_db()
        return point

    def _write_point(self, plan: PointPlan) -> None:
        actor: Actor = self.user
        try:
            if plan.existing is None:
                assert plan.data is not None
                point = services.risk_point_create(actor=actor, enterprise=self.enterprise, data=plan.data)
                self.summary.points_created += 1
            else:
                point = self._replace_lists(plan.existing, plan)
        except ValidationError as exc:
            raise _refused(POINTS, plan.row, exc) from exc
        factors: list[HazardFactor] = []
        for item in plan.factors:
            try:
                factor = services.hazard_factor_add(actor=actor, point=point, data=item.data)
            except ValidationError as exc:
                raise _refused(FACTORS, item.row, exc) from exc
            factors.append(factor)
            self.summary.factors += 1
            for kind, method, inputs in item.assessments:
                try:
                    services.assess(actor=actor, factor=factor, kind=kind, method=method, inputs=inputs)
                except ValidationError as exc:
                    raise _refused(FACTORS, item.row, exc, _assessment_fields(kind)) from exc
                self.summary.assessments += 1
        for measure in plan.measures:
            data = dict(measure.data)
            if measure.factor_index is not None:
                data["hazard_factor"] = factors[measure.factor_index]
            try:
                services.measure_add(actor=actor, point=point, data=data)
            except ValidationError as exc:
                raise _refused(MEASURES, measure.row, exc, {"hazard_factor": "factor"}) from exc
            self.summary.measures += 1
        for tier in plan.tiers:
            try:
                services.tier_assign(
                    actor=actor, point=point, tier=tier.tier, person=tier.person, org_unit=tier.org_unit
                )
            except ValidationError as exc:
                raise _refused(TIERS, tier.row, exc) from exc
            self.summary.tiers += 1


@dataclass
class ImportOutcome(ImportResult):
    """The kit's result with what the register import did."""

    summary: ImportSummary | None = None


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


def import_register(
    *,
    user: Any,
    enterprise: Enterprise,
    file_name: str,
    content: bytes,
    ctx: ProgressSink | None = None,
    wrap: Callable[[Importer[Any]], Importer[Any]] | None = None,
) -> ImportOutcome:
    """Check the whole file, then write it all or nothing. The caller has checked `can_edit_register`.
    `wrap` lets the job add to the import's transaction (see `enterprises.import_jobs.MarkDone`)."""
    uscc = file_uscc(content)
    if uscc and uscc != enterprise.uscc:
        message = _("该文件属于另一家企业，不能导入到“%(name)s”") % {"name": enterprise.name}
        return ImportOutcome(
            False,
            errors=[RowError(HELP_SHEET, 0, USCC_LABEL, uscc, message)],
            message=_("文件与所选企业不符，未导入任何数据"),
        )
    importer = RegisterImporter(
        user, enterprise, file_name=file_name, sha256=hashlib.sha256(content).hexdigest()
    )
    result = excel.run_import(ctx or _Silent(), wrap(importer) if wrap else importer, content)
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(ImportResult)}
    return ImportOutcome(**fields, summary=importer.summary if result.ok else None)
