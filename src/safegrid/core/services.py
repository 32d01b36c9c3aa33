"""Generic audited writes that every app's services build on.

App services add their domain checks and call these; nothing else saves a model that a user
can change. Each call validates the whole object first (refusing bad input whole), writes inside
one transaction and appends the audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext

from . import audit
from .audit import Actor
from .choices import AuditAction
from .models import User

M = TypeVar("M", bound=models.Model)


def authorize(actor: Actor, allowed: Callable[[User], bool], message: str) -> None:
    """A service given a person checks that person's permission itself, whoever called it.

    Views and API handlers ask the same predicates first (to hide buttons and answer 403 early); this
    is the guarantee for every other caller. System actors (commands, jobs) act for the county.
    """
    if isinstance(actor, User) and not allowed(actor):
        raise PermissionDenied(message)


# Fields a service may write although the model protects them; set only by `writing_protected()`.
_writable: ContextVar[frozenset[str]] = ContextVar("safegrid_writable_protected", default=frozenset())


@contextmanager
def writing_protected(*fields: str) -> Iterator[None]:
    """Let the service that *computes* a derived field write it through object_update, for this block.

    For code, never for request data: a model's `workflow_fields` (moved only by
    `core.workflow.transition`, which saves them itself) and `derived_fields` (computed by a service,
    e.g. a risk point's level from its assessments) are otherwise refused by object_update.
    """
    token = _writable.set(_writable.get() | frozenset(fields))
    try:
        yield
    finally:
        _writable.reset(token)


def refuse_protected(current: models.Model, data: Mapping[str, Any]) -> None:
    """ValidationError naming each field that `data` would change although the model protects it.

    Writing a protected field's current value again is not a change (forms post every field).
    """
    model = type(current)
    workflow = set(getattr(model, "workflow_fields", ()))
    derived = set(getattr(model, "derived_fields", ()))
    if not (workflow or derived):
        return
    fields = {f.name: f for f in model._meta.concrete_fields}
    by_attname = {f.attname: f.name for f in fields.values()}
    allowed = _writable.get()
    errors: dict[str, str] = {}
    for raw, value in data.items():
        name = by_attname.get(raw, raw)
        if name in allowed or not (name in workflow or name in derived):
            continue
        field = fields[name]
        old = getattr(current, field.attname if raw == field.attname else name)
        if old == value:
            continue
        how = (
            gettext("%(field)s只能通过流程操作修改")
            if name in workflow
            else gettext("%(field)s由系统计算，不能直接修改")
        )
        errors[name] = how % {"field": field.verbose_name}
    if errors:
        raise ValidationError(errors)


def _validate(obj: models.Model, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude))


def object_create(
    *, actor: Actor, model: type[M], data: Mapping[str, Any], m2m: Mapping[str, Iterable[Any]] | None = None
) -> M:
    obj = model(**data)
    _validate(obj)
    with transaction.atomic():
        obj.save(force_insert=True)
        for name, values in (m2m or {}).items():
            getattr(obj, name).set(values)
        audit.record(actor=actor, action=AuditAction.CREATE, obj=obj, after=audit.snapshot(obj))
    return obj


def object_update(
    *, actor: Actor, obj: M, data: Mapping[str, Any], m2m: Mapping[str, Iterable[Any]] | None = None
) -> M:
    """Apply `data` to a fresh, locked copy of `obj`; record only the fields that changed.

    Refuses (ValidationError naming the field) to write the model's `workflow_fields` and
    `derived_fields` unless the computing service allows it with `writing_protected()`.
    """
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        refuse_protected(locked, data)
        before = audit.snapshot(locked)
        for name, value in data.items():
            setattr(locked, name, value)
        _validate(locked)
        locked.save()
        for name, values in (m2m or {}).items():
            getattr(locked, name).set(values)
        after = audit.snapshot(locked)
        noisy = {f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
        changed = {k for k in after if k not in noisy and before.get(k) != after.get(k)}
        if changed:
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=locked,
                before={k: before.get(k) for k in sorted(changed)},
                after={k: after[k] for k in sorted(changed)},
            )
    return locked


def object_delete(*, actor: Actor, obj: models.Model) -> None:
    with transaction.atomic():
        before = audit.snapshot(obj)
        audit.record(actor=actor, action=AuditAction.DELETE, obj=obj, before=before)
        try:
            obj.delete()
        except models.ProtectedError as exc:
            names = sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
            raise ValidationError(
                gettext("仍有关联数据（%(objects)s），不能删除") % {"objects": gettext("、").join(names)}
            ) from exc
