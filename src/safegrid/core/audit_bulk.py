"""One audit entry per object for bulk writes: entries built with `audit.entry` (owner and description
given by the caller, so nothing is looked up per object) and inserted pending with `audit.record_many`,
which links them into the chain after the writing transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import models

from . import audit
from .audit import Actor
from .choices import AuditAction

Owner = Callable[[models.Model], tuple[int | None, str]]


def concrete_snapshot(obj: models.Model, **m2m: Sequence[int]) -> dict[str, Any]:
    """`audit.snapshot` without its per-object M2M query: the caller passes the M2M id lists.

    Values are left as the row holds them (dates, decimals…): `audit.entry` converts them in one
    JSON pass, exactly as `audit.snapshot` would have.
    """
    data = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    data.update({name: sorted(ids) for name, ids in m2m.items()})
    return data


def record_created(
    *,
    actor: Actor | None,
    objects: Sequence[models.Model],
    owner: Owner,
    snapshots: Sequence[dict[str, Any]] | None = None,
    describe: Callable[[Any], str] = str,
) -> None:
    """Record one `create` entry per object (in order), with `owner(obj)` = (enterprise id, division code).

    `describe` gives the entry's object_repr; pass an equivalent of `str(obj)` without its per-object
    cost when that is slow (a choice label looked up in a dict instead of `get_FOO_display`).
    Call inside the writing transaction.
    """
    if not objects:
        return
    if snapshots is None:
        # Freshly inserted rows have no M2M links yet, so the concrete fields are the whole snapshot.
        m2m = {m.name: () for m in objects[0]._meta.many_to_many}
        snapshots = [concrete_snapshot(obj, **m2m) for obj in objects]
    audit.record_many(
        [
            audit.entry(
                actor=actor,
                action=AuditAction.CREATE,
                obj=obj,
                after=after,
                owner=owner(obj),
                object_repr=describe(obj),
            )
            for obj, after in zip(objects, snapshots, strict=True)
        ]
    )
