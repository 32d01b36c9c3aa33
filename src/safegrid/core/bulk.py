"""Audited bulk creation and update for imports: validate every object in memory, write in batches,
one audit entry per object. The caller has checked uniqueness and references against prefetched
lookups, so the per-object queries of `full_clean` (foreign keys exist, unique fields, unique
constraints) are skipped; the database constraints still hold and a violation rolls back.

`update_many` takes objects the caller read and knows to be current (it holds a lock that keeps
every other writer of them out, e.g. the risk register's revision row): no per-row re-read or lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from . import audit, audit_bulk
from .audit import Actor
from .choices import AuditAction
from .insert import insert_rows

M = TypeVar("M", bound=models.Model)
BATCH_SIZE = 1000


class BulkRefused(Exception):
    """Object `index` of the batch (of `model`) was refused by its model's validation."""

    def __init__(self, index: int, error: ValidationError, model: type[models.Model] | None = None) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error
        self.model = model


def validate_all(objects: Sequence[models.Model], exclude: Sequence[str] = ()) -> None:
    """`full_clean` each object without the queries (foreign keys, uniqueness); raises BulkRefused."""
    for index, obj in enumerate(objects):
        relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
        try:
            obj.full_clean(exclude=[*relations, *exclude], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise BulkRefused(index, exc, type(obj)) from None


def insert_many(objects: Sequence[M], *, exclude: Sequence[str] = ()) -> list[M]:
    """Validate, then insert in batches; the objects get their primary keys. Not audited: pair
    with `audit_bulk.record_created` in the same transaction."""
    if not objects:
        return []
    validate_all(objects, exclude)
    return insert_rows(objects, batch_size=BATCH_SIZE)


def create_many(
    *,
    actor: Actor,
    objects: Sequence[M],
    owner: audit_bulk.Owner,
    snapshot: Callable[[M], dict[str, Any]] | None = None,
    describe: Callable[[Any], str] = str,
) -> list[M]:
    """Validate and insert `objects` and append one audit entry (action create) for each."""
    with transaction.atomic():
        created = insert_many(objects)
        snapshots = [snapshot(obj) for obj in created] if snapshot is not None else None
        audit_bulk.record_created(
            actor=actor, objects=created, owner=owner, snapshots=snapshots, describe=describe
        )
    return created


def update_many(
    *,
    actor: Actor,
    changes: Sequence[tuple[M, dict[str, Any]]],
    owner: audit_bulk.Owner,
    describe: Callable[[Any], str] = str,
) -> list[M]:
    """Apply each `(object, {field: value})`, validate in memory, save the changed fields in batches
    and append one audit entry (action update, the changed fields before and after) per object that
    changed. Refuses protected fields (`core.services.refuse_protected`) like `object_update`."""
    from .services import refuse_protected

    if not changes:
        return []
    model = type(changes[0][0])
    stamped = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    entries = []
    changed_objects: list[M] = []
    positions: list[int] = []  # each changed object's index in `changes`
    fields: set[str] = set()
    for index, (obj, data) in enumerate(changes):
        try:
            refuse_protected(obj, data)
        except ValidationError as exc:
            raise BulkRefused(index, exc, model) from None
        before = audit.snapshot(obj)
        for name, value in data.items():
            setattr(obj, name, value)
        after = audit.snapshot(obj)
        keys = sorted(k for k in after if before.get(k) != after.get(k))
        if not keys:
            continue
        changed_objects.append(obj)
        positions.append(index)
        fields.update(data)
        entries.append(
            audit.entry(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=obj,
                before={k: before.get(k) for k in keys},
                after={k: after[k] for k in keys},
                owner=owner(obj),
                object_repr=describe(obj),
            )
        )
    try:
        validate_all(changed_objects)
    except BulkRefused as exc:
        raise BulkRefused(positions[exc.index], exc.error, model) from None
    for obj in changed_objects:
        for field in stamped:
            field.pre_save(obj, add=False)
    with transaction.atomic():
        model._default_manager.bulk_update(
            changed_objects, [*sorted(fields), *(f.name for f in stamped)], batch_size=BATCH_SIZE
        )
        audit.record_many(entries)
    return changed_objects
