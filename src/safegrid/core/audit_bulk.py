"""One audit entry per object for bulk writes, chained exactly as `audit.record` chains them.

`record_created` locks the chain head once, builds the entries (same fields, same canonical
hash as `audit.record`) and inserts them with `bulk_create`, so an import of thousands of rows
costs a few queries per batch instead of several per row. Call it inside the writing
transaction. When `core.audit` offers a `record_many`, this module folds into it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from . import audit
from .audit import Actor, SystemActor
from .choices import AuditAction
from .context import request_id_var
from .models import AuditEntry, AuditHead, User

Owner = Callable[[models.Model], tuple[int | None, str]]


def concrete_snapshot(obj: models.Model, **m2m: Sequence[int]) -> dict[str, Any]:
    """`audit.snapshot` without its per-object M2M query: the caller passes the M2M id lists."""
    data = {f.attname: audit._jsonable(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}
    data.update({name: sorted(ids) for name, ids in m2m.items()})
    return data


def _actor_label(actor: Actor | None) -> str:
    if isinstance(actor, SystemActor):
        return actor.label
    return actor.username if actor else "anonymous"


def _roundtrip(value: Any) -> Any:
    return json.loads(json.dumps(audit._jsonable(value))) if value is not None else None


def record_created(
    *,
    actor: Actor | None,
    objects: Sequence[models.Model],
    owner: Owner,
    snapshots: Sequence[dict[str, Any]] | None = None,
    describe: Callable[[Any], str] = str,
    batch_size: int = 1000,
) -> None:
    """Append one `create` entry per object (in order), with `owner(obj)` = (enterprise id, division code).

    `describe` gives the entry's object_repr; pass an equivalent of `str(obj)` without its per-object
    cost when that is slow (a choice label looked up in a dict instead of `get_FOO_display`).
    """
    if not objects:
        return
    now = timezone.now()
    request_id = request_id_var.get()
    label = _actor_label(actor)
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        prev = head.last_hash
        entries: list[AuditEntry] = []
        for index, obj in enumerate(objects):
            enterprise_id, division_code = owner(obj)
            entry = AuditEntry(
                at=now,
                actor=user,
                actor_label=label,
                request_id=request_id,
                action=AuditAction.CREATE,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_repr=describe(obj)[:200],
                enterprise_id=enterprise_id,
                division_code=division_code,
                before=None,
                after=_roundtrip(snapshots[index] if snapshots is not None else audit.snapshot(obj)),
                comment="",
                prev_hash=prev,
            )
            entry.hash = audit.compute_hash(entry)
            prev = entry.hash
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=batch_size)
        head.last_id = entries[-1].pk
        head.last_hash = prev
        head.count += len(entries)
        head.save(update_fields=["last_id", "last_hash", "count"])
