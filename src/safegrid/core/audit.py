"""The append-only, hash-chained audit log.

Each row's hash covers its content and the previous row's hash, and the single AuditHead row
holds the tip, so `safegrid audit verify` finds an edited row (hash mismatch), a removed row in
the middle (broken link) and a removed tail (head points past the last row).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .context import request_id_var
from .models import AuditEntry, AuditHead, User

GENESIS = "0" * 64


@dataclass(frozen=True)
class SystemActor:
    """A named non-human actor: a management command or a background job."""

    name: str

    @property
    def label(self) -> str:
        return f"system:{self.name}"


Actor = User | SystemActor


def _jsonable(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The concrete field values of a row (FKs as ids, M2M as sorted id lists when saved)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        data[field.attname] = _jsonable(getattr(obj, field.attname))
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            data[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    return data


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "at": entry.at.isoformat(),
        "actor_label": entry.actor_label,
        "request_id": entry.request_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "enterprise_id": entry.enterprise_id,
        "division_code": entry.division_code,
        "before": entry.before,
        "after": entry.after,
        "comment": entry.comment,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _owner(obj: models.Model | None) -> tuple[int | None, str]:
    """Which enterprise and division an audited object belongs to (for scoped history views)."""
    if obj is None:
        return None, ""
    from safegrid.enterprises.models import Enterprise

    if isinstance(obj, Enterprise):
        return obj.pk, obj.division_id or ""
    enterprise_id = getattr(obj, "enterprise_id", None)
    division_code = getattr(obj, "division_id", None) or ""
    if enterprise_id is not None and not division_code:
        division_code = (
            Enterprise.objects.filter(pk=enterprise_id).values_list("division_id", flat=True).first() or ""
        )
    return enterprise_id, str(division_code)


def record(
    *,
    actor: Actor | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
) -> AuditEntry:
    """Append one entry to the chain. Call inside the service's transaction."""
    enterprise_id, division_code = _owner(obj)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            at=timezone.now(),
            actor=actor if isinstance(actor, User) else None,
            actor_label=actor.label
            if isinstance(actor, SystemActor)
            else (actor.username if actor else "anonymous"),
            request_id=request_id_var.get(),
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=str(obj)[:200] if obj is not None else object_id[:200],
            enterprise_id=enterprise_id,
            division_code=division_code,
            before=_jsonable(before) if before is not None else None,
            after=_jsonable(after) if after is not None else None,
            comment=comment,
            prev_hash=head.last_hash,
        )
        # Round-trip the JSON so the hash is computed over exactly what the database returns.
        entry.before = json.loads(json.dumps(entry.before)) if entry.before is not None else None
        entry.after = json.loads(json.dumps(entry.after)) if entry.after is not None else None
        entry.hash = compute_hash(entry)
        entry.save(force_insert=True)
        head.last_id = entry.pk
        head.last_hash = entry.hash
        head.count += 1
        head.save(update_fields=["last_id", "last_hash", "count"])
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def verify(batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in id order; report the first row that was altered or removed."""
    head = AuditHead.objects.filter(pk=1).first()
    prev_hash = GENESIS
    checked = 0
    last_id = 0
    qs = AuditEntry.objects.order_by("id")
    for entry in qs.iterator(chunk_size=batch_size):
        if entry.prev_hash != prev_hash:
            return VerifyResult(
                False, checked, entry.pk, "链接断裂：前一条记录被删除或篡改 (previous row removed or altered)"
            )
        if compute_hash(entry) != entry.hash:
            return VerifyResult(False, checked, entry.pk, "内容被篡改 (row content altered)")
        prev_hash = entry.hash
        last_id = entry.pk
        checked += 1
    if head is None:
        if checked:
            return VerifyResult(False, checked, None, "链头缺失 (chain head missing)")
        return VerifyResult(True, 0)
    if head.count != checked or head.last_id != last_id or head.last_hash != prev_hash:
        return VerifyResult(False, checked, head.last_id, f"末尾记录被删除 (rows removed after #{last_id})")
    return VerifyResult(True, checked)
