"""Writing a set of register changes in place: what a previewed import applies, all or nothing.

A change names one risk point, hazard factor, control measure or responsibility tier, what happens to
it (created, updated, deactivated — retired, never deleted — or unchanged) and the values to write.
`register_apply` writes them in one transaction: every changed object gets exactly one audit entry
(a created factor's assessments are objects of their own), unchanged objects none. New objects are
inserted in batches (`core.bulk`), changed ones updated one by one. A point's own changes and its new
level are written last, in one entry, once its factors are in place (a new point is graded ahead from
its file values). When the register changed after the preview (`expected_revision`), nothing is written.

The changes are computed from an Excel file by `documents.points_excel.diff`; the rules of matching
(codes, what counts as changed) are in `rules.register_diff`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from safegrid.core import bulk
from safegrid.core.audit import Actor
from safegrid.core.services import authorize, writing_protected
from safegrid.enterprises.models import Enterprise

from ..choices import AssessmentKind
from ..models import (
    ControlMeasure,
    HazardFactor,
    RegisterRevision,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskPoint,
)
from ..permissions import can_edit_register
from ..rules import assessment as assessment_rules
from ..rules.register_diff import ACTIONS, CREATED, DEACTIVATED, UNCHANGED, UPDATED
from . import points as services
from . import revision

POINT, FACTOR, MEASURE, TIER = "point", "factor", "measure", "tier"
KINDS = (POINT, FACTOR, MEASURE, TIER)
LEVEL_FIELDS = ("level", "level_method_version")


@dataclass(eq=False)
class Change:
    """What happens to one object of the register."""

    kind: str  # POINT / FACTOR / MEASURE / TIER
    action: str  # CREATED / UPDATED / DEACTIVATED / UNCHANGED
    sheet: str  # where a person finds it in the file
    row: int | None  # its Excel row (None: not in the file)
    point_code: str
    code: str  # a point's, factor's or measure's code; a tier's tier
    label: str  # what a person recognises it by (name, description, person)
    obj: Any = None  # the existing row (None when created)
    data: dict[str, Any] = field(default_factory=dict)  # created: every value; updated: the changed ones
    fields: list[str] = field(default_factory=list)  # the changed columns, as the file names them
    assessments: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # factor: to add
    factor: Change | None = None  # measure: the factor it is aimed at (written first)
    parent: Any = None  # an item's point, once written
    written: Any = None  # the object once written

    def as_row(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "action": self.action,
            "sheet": self.sheet,
            "row": self.row,
            "point": self.point_code,
            "code": self.code,
            "label": self.label[:80],
            "fields": self.fields,
        }


@dataclass(eq=False)
class PointChanges:
    """One point and its items, in the order they are written (factors, measures, tiers)."""

    point: Change
    items: list[Change] = field(default_factory=list)
    listed: bool = True  # its 风险点 row is in the file (else only its lists are)
    rows: int = 0  # the file rows it covers (progress)
    level: dict[str, Any] | None = None  # a created point's level, from its assessments


@dataclass
class RegisterChanges:
    """Everything an import would change in one enterprise's register."""

    points: list[PointChanges]
    retire_missing: bool  # points not in the file are deactivated (else left as they are)
    untouched: int = 0  # points in use that the file does not name, left as they are

    def changes(self) -> Iterator[Change]:
        for entry in self.points:
            if entry.listed or entry.point.action != UNCHANGED:
                yield entry.point
            yield from entry.items

    def counts(self) -> dict[str, dict[str, int]]:
        counts = {kind: dict.fromkeys(ACTIONS, 0) for kind in KINDS}
        for change in self.changes():
            counts[change.kind][change.action] += 1
        return counts

    def changed(self) -> int:
        return sum(1 for c in self.changes() if c.action != UNCHANGED)

    def digest(self) -> str:
        """A fingerprint of every change and every value to write: equal only for the same changes."""
        canonical = [
            (c.as_row(), sorted(_plain(c.data).items()), c.assessments, c.factor.code if c.factor else None)
            for c in self.changes()
        ]
        text = json.dumps([self.retire_missing, canonical], ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def preview(self, revision: int) -> dict[str, Any]:
        """The changes as the JSON a preview page shows (and the import later checks against)."""
        counts = self.counts()
        return {
            "retire_missing": self.retire_missing,
            "revision": revision,
            "digest": self.digest(),
            "counts": counts,
            "totals": {a: sum(counts[k][a] for k in KINDS) for a in ACTIONS},
            "untouched": self.untouched,
            "rows": [c.as_row() for c in self.changes()],
        }


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.pk if isinstance(v, models.Model) else v) for k, v in data.items() if k != "hazard_factor"}


class ChangeRefused(Exception):
    """A model refused one change (its `ValidationError`): everything is rolled back. `assessment`
    names the kind (initial/residual) when a factor's assessment was refused."""

    def __init__(self, change: Change, error: ValidationError, assessment: str = "") -> None:
        super().__init__(error)
        self.change = change
        self.error = error
        self.assessment = assessment


class RegisterChanged(Exception):
    """The register changed after the preview: nothing was written."""


def register_apply(
    *,
    actor: Actor,
    enterprise: Enterprise,
    changes: RegisterChanges,
    revision_seen: int,
    on_rows: Callable[[int], None] | None = None,
) -> dict[str, dict[str, int]]:
    """Write `changes` all or nothing, if `actor` may keep the register; the counts by kind and action.

    `revision_seen` is the register's revision when the changes were computed (or previewed): if any
    other register write commits before this one, nothing is written (`RegisterChanged`) — checked
    first, and again at the end with the revision row locked until the commit, so the objects the
    changes hold (read before) were current (another writer locks its row, then the revision row;
    taking the revision row last keeps the two from waiting on each other). New objects are validated
    in memory and inserted in batches, changed ones updated in batches (`core.bulk`, one audit entry
    each); a model's refusal raises `ChangeRefused`.
    """
    authorize(
        actor,
        lambda user: can_edit_register(user, enterprise.pk),
        "只有本企业的管理员、安全管理员或县级管理员可以修改风险台账",
    )
    writer = _Writer(actor, enterprise, services.config_for_enterprise(enterprise))
    _check_revision(enterprise.pk, revision_seen, lock=False)
    with transaction.atomic(), revision.one_bump_per_enterprise():
        entries = changes.points
        writer.points(entries)
        for kind in (FACTOR, MEASURE, TIER):
            writer.items(entries, kind)
        writer.assessments(entries)
        writer.finish_points(entries)
        _check_revision(enterprise.pk, revision_seen, lock=True)
        if changes.changed():
            revision.changed(enterprise.pk)  # bulk writes send no signals
        if on_rows is not None:
            on_rows(sum(entry.rows for entry in entries))
    return changes.counts()


def _check_revision(enterprise_id: int, seen: int, *, lock: bool) -> None:
    rows = RegisterRevision.objects.filter(enterprise_id=enterprise_id)
    if lock:  # the row every register write updates: no other write commits before ours
        rows = rows.select_for_update()
    current = rows.values_list("revision", flat=True).first()
    if int(current or 0) != seen:
        raise RegisterChanged(
            "风险清单在预览之后已有修改，本次导入未写入任何数据；请重新上传文件，按新的预览确认"
        )


class _Writer:
    """The writes of one apply, in dependency order: points, their items, assessments, then each
    touched point's own changes and level."""

    def __init__(self, actor: Actor, enterprise: Enterprise, config: assessment_rules.RiskConfig) -> None:
        self.actor = actor
        self.enterprise = enterprise
        self.config = config
        self.owner = (enterprise.pk, enterprise.division_id)

    def _owner(self, obj: Any) -> tuple[int | None, str]:
        return self.owner

    def _create(self, changes: list[Change], objects: list[Any], assessment: str = "") -> None:
        try:
            bulk.create_many(actor=self.actor, objects=objects, owner=self._owner)
        except bulk.BulkRefused as exc:
            raise ChangeRefused(changes[exc.index], exc.error, assessment) from exc
        for change, obj in zip(changes, objects, strict=True):
            change.written = obj

    def _update(self, updates: list[tuple[Change, dict[str, Any]]]) -> None:
        try:
            bulk.update_many(
                actor=self.actor, changes=[(c.obj, data) for c, data in updates], owner=self._owner
            )
        except bulk.BulkRefused as exc:
            raise ChangeRefused(updates[exc.index][0], exc.error) from exc
        for change, _data in updates:
            change.written = change.obj

    def points(self, entries: list[PointChanges]) -> None:
        created = [e for e in entries if e.point.action == CREATED]
        # A new point is graded ahead from its file values, so its one entry holds its level.
        self._create(
            [e.point for e in created],
            [RiskPoint(**e.point.data, **(e.level or {}), enterprise=self.enterprise) for e in created],
        )
        self._update([(e.point, {"active": False}) for e in entries if e.point.action == DEACTIVATED])
        for entry in entries:
            if entry.point.action in (UPDATED, UNCHANGED):
                entry.point.written = entry.point.obj  # its own changes are written last, with its level

    def items(self, entries: list[PointChanges], kind: str) -> None:
        model = {FACTOR: HazardFactor, MEASURE: ControlMeasure, TIER: ResponsibilityAssignment}[kind]
        created: list[Change] = []
        updates: list[tuple[Change, dict[str, Any]]] = []
        for entry in entries:
            for change in entry.items:
                if change.kind != kind:
                    continue
                change.parent = entry.point.written
                change.written = change.obj
                if change.action == CREATED:
                    created.append(change)
                elif change.action == DEACTIVATED:
                    updates.append((change, {"active": False}))
                elif change.action == UPDATED and change.data:  # (else only assessments are new)
                    updates.append((change, self._resolved(change, dict(change.data))))
        self._update(updates)
        self._create(
            created, [model(**self._resolved(c, {**c.data, "risk_point": c.parent})) for c in created]
        )

    def _resolved(self, change: Change, data: dict[str, Any]) -> dict[str, Any]:
        """A measure's factor as the row written for it (a new factor has no id before)."""
        if change.kind == MEASURE and (change.action == CREATED or "hazard_factor" in data):
            data["hazard_factor"] = change.factor.written if change.factor is not None else None
        return data

    def assessments(self, entries: list[PointChanges]) -> None:
        for kind in (AssessmentKind.INITIAL, AssessmentKind.RESIDUAL):  # a residual after its initial
            graded: list[Change] = []
            objects: list[RiskAssessment] = []
            for entry in entries:
                for change in entry.items:
                    for of_kind, method, inputs in change.assessments:
                        if of_kind != kind:
                            continue
                        try:
                            objects.append(
                                services.assessment_object(
                                    actor=self.actor,
                                    factor=change.written,
                                    kind=kind,
                                    method=method,
                                    inputs=inputs,
                                    config=self.config,
                                )
                            )
                        except ValidationError as exc:
                            raise ChangeRefused(change, exc, assessment=kind) from exc
                        graded.append(change)
            try:
                bulk.create_many(actor=self.actor, objects=objects, owner=self._owner)
            except bulk.BulkRefused as exc:
                raise ChangeRefused(graded[exc.index], exc.error, assessment=kind) from exc

    def finish_points(self, entries: list[PointChanges]) -> None:
        """Each touched point's own changes and new level, in one entry per point."""
        touched = [
            e
            for e in entries
            if e.point.action in (CREATED, UPDATED) or any(c.action != UNCHANGED for c in e.items)
        ]
        levels = services.risk_point_levels_now([e.point.written.pk for e in touched])
        updates: list[tuple[Change, dict[str, Any]]] = []
        for entry in touched:
            point = entry.point.written
            data = dict(entry.point.data) if entry.point.action == UPDATED else {}
            derived = levels[point.pk]
            if any(getattr(point, name) != derived[name] for name in LEVEL_FIELDS):
                data.update(derived)
            if data:
                entry.point.obj = point
                updates.append((entry.point, data))
        with writing_protected(*LEVEL_FIELDS):
            self._update(updates)
