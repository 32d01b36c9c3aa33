"""Audited bulk creation for imports: validate every object in memory, insert in batches, one
audit entry per object. The caller has checked uniqueness and references against prefetched
lookups, so the per-object queries of `full_clean` (foreign keys exist, unique fields, unique
constraints) are skipped; the database constraints still hold and a violation rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from . import audit_bulk
from .audit import Actor
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
