"""The append-only, hash-chained audit log.

Each linked row's hash covers its content and the previous row's hash, and the single AuditHead
row holds the tip, so `safegrid audit verify` finds an edited row (hash mismatch), a removed row in
the middle (broken link or a gap in `seq`) and a removed tail (head points past the last row).

Short lock. `record()` inserts the entry *pending* (no seq/prev_hash/hash) inside the caller's
transaction, so it commits or rolls back with the data and takes no shared lock. Right after that
transaction commits, `link_recorded()` links the rows it recorded, in id order (a transaction's
entries keep their order), in batches of LINK_BATCH, each a short transaction that locks the head,
re-reads which of its rows are still pending and advances the head. Linkers serialise on the head
row (PostgreSQL `SELECT … FOR UPDATE` under READ COMMITTED; SQLite's single writer) and read after
locking, so two committers never fork the chain or link a row twice; rows of a transaction that
rolled back never existed. Chain order is link order (`seq`), not id order.

If the process dies between commit and linking, its rows stay pending: a later write links one
batch of rows pending longer than ORPHAN_GRACE (when the head is free), and `safegrid audit
verify` / `safegrid audit link` (`link_pending()`) link them all. Entries are hashed from the values
the process recorded, not re-read, so a pending row edited between commit and linking fails
`verify`; only rows orphaned by a crash are hashed as found (that window lasts until they are linked).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import logging
import uuid
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .context import request_id_var
from .insert import insert_rows
from .models import AuditEntry, AuditHead, User
from .scoping import ByDivision, ByEnterprise, Public

GENESIS = "0" * 64
LINK_BATCH = 500
ORPHAN_GRACE = dt.timedelta(minutes=1)

log = logging.getLogger(__name__)

# Inside `linking_deferred()`: the entries of the transactions committed so far, linked at its end.
_deferred_links: ContextVar[dict[int, AuditEntry] | None] = ContextVar("audit_deferred_links", default=None)


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


def snapshot(obj: models.Model, exclude: Collection[str] = ()) -> dict[str, Any]:
    """The concrete field values of a row (FKs as ids, M2M as sorted id lists when saved), without the
    fields named in `exclude` (large fields an audit entry leaves out, e.g. a filing's frozen book)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name not in exclude and field.attname not in exclude:
            data[field.attname] = _jsonable(getattr(obj, field.attname))
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            if m2m.name not in exclude:
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


def object_types() -> list[tuple[str, str]]:
    """(object_type, verbose name) of every model whose changes are audited, for the audit filter.

    Every user-readable model (it declares a `scope_rule`) is written through audited services, and
    so are users; sorted by the Chinese name.
    """
    audited = [m for m in apps.get_models() if getattr(m, "scope_rule", None) is not None or m is User]
    return sorted(
        ((m._meta.label_lower, str(m._meta.verbose_name)) for m in audited), key=lambda t: (t[1], t[0])
    )


def _fk_hop(holder: models.Model, part: str) -> models.ForeignKey[Any, Any] | None:
    field = holder._meta.get_field(part)
    return field if isinstance(field, models.ForeignKey) else None  # OneToOneField is a ForeignKey


def _follow(obj: models.Model, lookup: str) -> Any:
    """The value at `lookup` ("risk_point__enterprise") on obj: FK ids are read from the row, never fetched.

    Intermediate rows are followed through the relation cache (no query when the caller holds them).
    """
    parts = lookup.split("__")
    holder: models.Model | None = obj
    for index, part in enumerate(parts):
        assert holder is not None
        fk = _fk_hop(holder, part)
        rest = parts[index + 1 :]
        if fk is not None and (not rest or rest == [fk.target_field.name]):
            return getattr(holder, fk.attname)
        if fk is None:
            return getattr(holder, part)
        holder = getattr(holder, part)
        if holder is None:
            return None
    return None


def _cached_target(obj: models.Model, lookup: str) -> models.Model | None:
    """The row at the end of `lookup` when every hop is already in the relation cache, else None."""
    holder: models.Model | None = obj
    for part in lookup.split("__"):
        if holder is None:
            return None
        fk = _fk_hop(holder, part)
        if fk is None or not fk.is_cached(holder):
            return None
        holder = fk.get_cached_value(holder)
    return holder


def _enterprise_model(obj: models.Model, lookup: str) -> type[models.Model]:
    model: type[models.Model] = type(obj)
    for part in lookup.split("__"):
        related = model._meta.get_field(part).related_model
        assert isinstance(related, type)
        model = related
    return model


@dataclass
class _Owner:
    """An entry's owning enterprise and division, the division possibly still to be looked up."""

    enterprise_id: int | None
    division_code: str | None  # None: look up the enterprise's division
    enterprise_model: type[models.Model] | None = None


def _owner(obj: models.Model | None) -> _Owner:
    """Which enterprise and division an audited object belongs to, from its model's scope_rule."""
    if obj is None:
        return _Owner(None, "")
    rule = getattr(type(obj), "scope_rule", None)
    if isinstance(rule, ByEnterprise):
        if not rule.enterprise:  # the enterprise itself
            return _Owner(obj.pk, str(getattr(obj, "division_id", "") or ""))
        enterprise_id = _follow(obj, rule.enterprise)
        if enterprise_id is None:
            return _Owner(None, "")
        cached = _cached_target(obj, rule.enterprise)
        if cached is not None:
            return _Owner(enterprise_id, str(getattr(cached, "division_id", "") or ""))
        return _Owner(enterprise_id, None, _enterprise_model(obj, rule.enterprise))
    if isinstance(rule, ByDivision):
        return _Owner(None, str(_follow(obj, rule.code) or ""))
    if isinstance(rule, Public):
        return _Owner(None, "")
    # Not user-readable (role assignments, tokens…): file it under its enterprise/division columns.
    fields = {f.name: f for f in obj._meta.concrete_fields}
    enterprise_fk = fields.get("enterprise")
    division_fk = fields.get("division")
    enterprise_id = (
        getattr(obj, enterprise_fk.attname) if isinstance(enterprise_fk, models.ForeignKey) else None
    )
    division = (
        str(getattr(obj, division_fk.attname) or "") if isinstance(division_fk, models.ForeignKey) else ""
    )
    if enterprise_id is not None and not division:
        assert isinstance(enterprise_fk, models.ForeignKey)
        related = enterprise_fk.related_model
        assert isinstance(related, type)
        return _Owner(enterprise_id, None, related)
    return _Owner(enterprise_id, division)


def owner_enterprise_id(obj: models.Model) -> int | None:
    """The enterprise `obj` belongs to by its model's scope_rule (FK ids read from the row), or None."""
    return _owner(obj).enterprise_id


class _Pending:
    """The entries one transaction recorded; linked by `link` once it commits.

    Also remembers each enterprise's division for the transaction, so a long import that audits
    thousands of rows of one enterprise looks its division up once.
    """

    def __init__(self) -> None:
        self.entries: dict[int, AuditEntry] = {}
        self.divisions: dict[int, str] = {}

    def link(self) -> None:
        held = _deferred_links.get()
        if held is not None:
            held.update(self.entries)
            return
        link_recorded(self.entries)

    def resolve(self, owners: Sequence[_Owner]) -> None:
        """Fill in the divisions still unknown, one query per enterprise model for all of them."""
        wanted: dict[type[models.Model], set[int]] = {}
        for owner in owners:
            if owner.division_code is None and owner.enterprise_id not in self.divisions:
                assert owner.enterprise_model is not None and owner.enterprise_id is not None
                wanted.setdefault(owner.enterprise_model, set()).add(owner.enterprise_id)
        for model, ids in wanted.items():
            rows = model._default_manager.filter(pk__in=ids).values_list("pk", "division_id")
            self.divisions.update({pk: str(code or "") for pk, code in rows})
        for owner in owners:
            if owner.division_code is None:
                owner.division_code = self.divisions.get(owner.enterprise_id or 0, "")


def _current_pending() -> tuple[_Pending, bool]:
    """This transaction's pending batch (and whether it is new, i.e. still to be registered)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _sids, func, _robust in connection.run_on_commit:
            batch = getattr(func, "__self__", None)
            if isinstance(batch, _Pending):
                return batch, False
    return _Pending(), True


def _json_default(value: Any) -> Any:
    """What `_jsonable` makes of a value JSON cannot encode itself (the encoder recurses into it)."""
    converted = _jsonable(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
    return converted


def _as_stored(value: Any) -> Any:
    """`value` as the JSON column gives it back, so the hash covers exactly what the database returns.

    One encode and one decode in C: the encoder converts dates, decimals, UUIDs, files and rows
    through `_json_default` as it meets them (the same values `_jsonable` gives), and the decode turns
    tuples into lists and keys into strings as a read from the database would.
    """
    try:
        return json.loads(json.dumps(value, default=_json_default))
    except TypeError:  # e.g. a dict keyed by dates: `_jsonable` turns keys into text first
        return json.loads(json.dumps(_jsonable(value)))


def entry(
    *,
    actor: Actor | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    comment: str = "",
    owner: tuple[int | None, str] | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """An unsaved, pending entry (its owner's division may still be unknown); give it to `record_many`.

    Bulk writers that already know the owning (enterprise id, division code) and a cheap description
    pass `owner` and `object_repr` to skip deriving them per object.
    """
    resolved = _owner(obj) if owner is None else _Owner(owner[0], owner[1])
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    before_json = _as_stored(before) if before is not None else None
    after_json = _as_stored(after) if after is not None else None
    row = AuditEntry(
        at=timezone.now(),
        actor=actor if isinstance(actor, User) else None,
        actor_label=actor.label
        if isinstance(actor, SystemActor)
        else (actor.username if actor else "anonymous"),
        request_id=request_id_var.get(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=(object_repr if object_repr is not None else str(obj) if obj is not None else object_id)[
            :200
        ],
        enterprise_id=resolved.enterprise_id,
        division_code=resolved.division_code or "",
        before=before_json,
        after=after_json,
        comment=comment,
    )
    row._audit_owner = resolved  # type: ignore[attr-defined]
    return row


def record_many(entries: Sequence[AuditEntry]) -> None:
    """Insert entries (from `entry()`) pending, in their order, in one statement; linked after commit.

    For bulk writers: an import that creates 18,000 rows records 18,000 entries with one INSERT
    per batch and one division look-up per enterprise.
    """
    if not entries:
        return
    batch, new = _current_pending()
    owners = [getattr(e, "_audit_owner", None) or _Owner(e.enterprise_id, e.division_code) for e in entries]
    batch.resolve(owners)
    for row, owner in zip(entries, owners, strict=True):
        row.division_code = owner.division_code or ""
        if owner.enterprise_id is not None and owner.division_code is not None:
            batch.divisions.setdefault(owner.enterprise_id, owner.division_code)
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    else:
        with transaction.atomic(savepoint=False):  # several INSERTs: all or none
            insert_rows(entries)
    batch.entries.update({row.pk: row for row in entries if row.pk is not None})
    if new:
        transaction.on_commit(batch.link, robust=True)


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
    """Add one entry to the log. Call inside the service's transaction: it commits or rolls back with it."""
    row = entry(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        comment=comment,
    )
    record_many([row])
    return row


def _write_links(rows: Sequence[AuditEntry]) -> None:
    """Set seq/prev_hash/hash of `rows` in one UPDATE … FROM a VALUES list (PostgreSQL and SQLite ≥ 3.33).

    Django's bulk_update builds a CASE over every id, quadratic in the batch: seconds per 1,000 rows.
    """
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table = quote(AuditEntry._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for row in rows:
        params += [row.pk, row.seq, row.prev_hash, row.hash]
    # The table name comes from the model; every value is a parameter.
    sql = (
        f"WITH links (id, seq, prev_hash, hash) AS (VALUES {values}) "  # noqa: S608
        f"UPDATE {table} SET seq = CAST(links.seq AS BIGINT), prev_hash = links.prev_hash, hash = links.hash "
        f"FROM links WHERE {table}.id = CAST(links.id AS BIGINT)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _link_batch(
    pending: models.QuerySet[AuditEntry], recorded: Mapping[int, AuditEntry], *, skip_if_busy: bool = False
) -> int:
    """One short transaction: lock the head, link `pending` (read after the lock) in id order, advance it."""
    with transaction.atomic():
        heads = AuditHead.objects.select_for_update(skip_locked=skip_if_busy).filter(pk=1)
        head = heads.first()
        if head is None:
            if skip_if_busy:
                return 0
            head = AuditHead.objects.select_for_update().get_or_create(pk=1)[0]
        # Read after taking the lock: under READ COMMITTED this sees every earlier linker's work.
        # Only the ids of rows this process recorded (it holds their values); orphans are read whole.
        ids = list(pending.filter(seq__isnull=True).order_by("id").values_list("id", flat=True))
        missing = [pk for pk in ids if pk not in recorded]
        found = {row.pk: row for row in AuditEntry.objects.filter(id__in=missing)} if missing else {}
        rows = [recorded.get(pk) or found[pk] for pk in ids]
        for row in rows:
            row.prev_hash = head.last_hash
            row.hash = compute_hash(row)
            row.seq = head.count + 1
            head.count, head.last_id, head.last_hash = row.seq, row.pk, row.hash
        if rows:
            _write_links(rows)
            head.save(update_fields=["last_id", "last_hash", "count"])
    return len(rows)


def link_recorded(recorded: Mapping[int, AuditEntry], *, batch_size: int = LINK_BATCH) -> int:
    """After a commit: link the entries that transaction recorded, then sweep a few orphans.

    Only its own rows, so another user's edit committed beside an 18,000-row import waits for at
    most one of the import's batches, not for all of them. Then, when nobody else is linking, one
    batch of rows left pending for `ORPHAN_GRACE` (their process died before linking them).
    """
    linked = 0
    ids = sorted(recorded)
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        linked += _link_batch(AuditEntry.objects.filter(id__in=chunk), recorded)
    return linked + _link_orphan_batch(batch_size)


@contextmanager
def linking_deferred() -> Iterator[None]:
    """Link the entries of every transaction committed inside the block once, at its end: one short lock of
    the head for all of them instead of one per transaction (the alarm engine's raises and clears of one
    batch of readings, each its own transaction). Nested, the outer block links. Should the link at the end
    fail, the committed entries stay pending and the orphan sweep links them, as after a crash."""
    if _deferred_links.get() is not None:
        yield
        return
    held: dict[int, AuditEntry] = {}
    token = _deferred_links.set(held)
    try:
        yield
    finally:
        _deferred_links.reset(token)
        if held:
            try:
                link_recorded(held)
            except DatabaseError:
                log.exception("audit: linking %d entries failed; the orphan sweep links them", len(held))


def _link_orphan_batch(batch_size: int) -> int:
    """One batch of rows left pending for ORPHAN_GRACE, when nobody else is linking (0 if busy or none)."""
    stale = timezone.now() - ORPHAN_GRACE
    orphans = list(
        AuditEntry.objects.filter(seq__isnull=True, at__lt=stale)
        .order_by("id")
        .values_list("id", flat=True)[:batch_size]
    )
    if not orphans:
        return 0
    return _link_batch(AuditEntry.objects.filter(id__in=orphans), {}, skip_if_busy=True)


def link_orphans(*, batch_size: int = LINK_BATCH) -> int:
    """Link every entry left pending for ORPHAN_GRACE (its process died between commit and linking).

    The worker calls this on each schedule tick, so such entries never wait for a later write.
    """
    linked = 0
    while batch := _link_orphan_batch(batch_size):
        linked += batch
    return linked


def link_pending(*, batch_size: int = LINK_BATCH) -> int:
    """Link every committed pending entry into the chain, in id order; returns how many were linked.

    For `audit verify`, `audit link` and schedules. Each batch is its own short transaction holding
    the head lock. Called inside a transaction that recorded entries, those are hashed as recorded.
    """
    recorded = _current_pending()[0].entries
    linked = 0
    while True:
        ids = list(
            AuditEntry.objects.filter(seq__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return linked
        linked += _link_batch(AuditEntry.objects.filter(id__in=ids), recorded)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""
    linked: int = 0  # pending entries linked before checking
    pending: int = 0  # entries still pending (only when verify was told not to link)


LINK_BROKEN = "链接断裂：前一条记录被删除或篡改 (previous row removed or altered)"
ROW_ALTERED = "内容被篡改 (row content altered)"


@dataclass(frozen=True)
class Walked:
    """Where a walk along the chain ended: the last good row, or the first bad one and why."""

    last_seq: int
    last_id: int
    last_hash: str
    bad_id: int | None = None
    problem: str = ""


def walk(
    *, after_seq: int = 0, after_hash: str = GENESIS, upto_seq: int | None = None, batch_size: int = 5000
) -> Walked:
    """Check the linked rows after `after_seq` (whose hash is `after_hash`) in seq order, up to `upto_seq`:
    each must follow the previous one (seq + 1, prev_hash) and hash to its stored hash."""
    rows = AuditEntry.objects.filter(seq__gt=after_seq).order_by("seq")
    if upto_seq is not None:
        rows = rows.filter(seq__lte=upto_seq)
    seq, last_id, prev_hash = after_seq, 0, after_hash
    for row in rows.iterator(chunk_size=batch_size):
        if row.prev_hash != prev_hash or row.seq != seq + 1:
            return Walked(seq, last_id, prev_hash, row.pk, LINK_BROKEN)
        if compute_hash(row) != row.hash:
            return Walked(seq, last_id, prev_hash, row.pk, ROW_ALTERED)
        seq, last_id, prev_hash = row.seq, row.pk, row.hash
    return Walked(seq, last_id, prev_hash)


def verify(*, link: bool = True, batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in seq order; report the first row that was altered or removed.

    With `link` (the default, and `safegrid audit verify`) committed entries still pending — their
    process died before linking them — are linked first, so a clean result covers every committed
    entry. Without it they are only counted (`pending`) and left alone. A chain wiped or cut short
    together with its head passes here: `audit_anchor.check()` compares it with the anchor kept
    outside the database.
    """
    linked = 0
    if link:
        try:
            linked = link_pending()
        except IntegrityError:
            return VerifyResult(
                False, 0, None, "无法链接待链接记录：链头与链不一致 (head does not match the chain)"
            )
    pending = AuditEntry.objects.filter(seq__isnull=True).count()
    head = AuditHead.objects.filter(pk=1).first()
    walked = walk(batch_size=batch_size)
    checked = walked.last_seq
    if walked.problem:
        return VerifyResult(False, checked, walked.bad_id, walked.problem, linked, pending)
    if head is None:
        if checked:
            return VerifyResult(False, checked, None, "链头缺失 (chain head missing)", linked, pending)
        return VerifyResult(True, 0, linked=linked, pending=pending)
    if head.count != checked or head.last_id != walked.last_id or head.last_hash != walked.last_hash:
        return VerifyResult(
            False,
            checked,
            head.last_id,
            f"末尾记录被删除 (rows removed after #{walked.last_id})",
            linked,
            pending,
        )
    return VerifyResult(True, checked, linked=linked, pending=pending)
