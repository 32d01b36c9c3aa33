"""The one service that moves a workflow object: lock, check, apply, validate, save, log, audit, hooks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from .. import audit
from ..audit import Actor, SystemActor
from ..choices import AuditAction
from ..models import User
from .declaration import Step, TransitionEvent, TransitionNotAllowed, Workflow
from .log import TransitionLog
from .table import NEW

M = TypeVar("M", bound=models.Model)


def _target(workflow: Workflow[M], state: str, action: str) -> str:
    to_state = workflow.table.next_state(state, action)
    if to_state is None:
        raise TransitionNotAllowed(
            workflow.table.refusal(state, action), field=workflow.field, state=state, action=action
        )
    return to_state


def _check_actor(workflow: Workflow[M], step: Step, obj: M, action: str, actor: Actor, comment: str) -> None:
    if not workflow.may(actor, obj, action):
        raise PermissionDenied(step.denied_message)
    if step.comment_required and not comment:
        raise ValidationError({"comment": gettext("「%(action)s」须填写意见") % {"action": step.label}})


def _actor_label(actor: Actor) -> str:
    return actor.label if isinstance(actor, SystemActor) else actor.username


def _write_log(
    workflow: Workflow[M],
    obj: M,
    action: str,
    from_state: str,
    to_state: str,
    actor: Actor,
    comment: str,
    evidence: Any,
) -> TransitionLog | None:
    if workflow.log is None:
        return None
    return workflow.log._default_manager.create(
        **{workflow.log_fk: obj},
        from_status=from_state,
        to_status=to_state,
        action=action,
        actor=actor if isinstance(actor, User) else None,
        actor_label=_actor_label(actor),
        at=timezone.now(),
        comment=comment,
        evidence=evidence,
    )


def _audited(workflow: Workflow[M], data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in workflow.audit_exclude}


def _run_hooks(workflow: Workflow[M], step: Step, event: TransitionEvent[M]) -> None:
    for hook in (*step.after, *workflow.after):
        hook(event)
    for hook in (*step.on_commit, *workflow.on_commit):
        transaction.on_commit(partial(hook, event))


def transition(
    obj: M,
    action: str,
    *,
    actor: Actor,
    workflow: Workflow[M],
    comment: str = "",
    evidence: Any = None,
    changes: Mapping[str, Any] | None = None,
    prepare: Callable[[M], None] | None = None,
) -> M:
    """Move `obj` by `action`; returns the saved, locked copy.

    Locks the row, checks the table from the *locked* row's state (TransitionNotAllowed naming what is
    possible), checks the step's permission (PermissionDenied), applies `changes` and the new state,
    calls `prepare(locked)` (further checks or computed fields, e.g. rendering a document; it may
    raise ValidationError), validates the whole row, saves, writes the log row and one audit entry
    with the changed fields, then runs the hooks. All or nothing, inside the caller's transaction.
    """
    if not isinstance(obj, workflow.model):
        raise ImproperlyConfigured(
            f"workflow {workflow.name} moves {workflow.model._meta.label}, not {type(obj)}"
        )
    step = workflow.step(action)
    comment = (comment or "").strip()
    changes = dict(changes or {})
    if workflow.field in changes:
        raise ImproperlyConfigured(f"{workflow.field!r} is set by the transition table, not by changes")
    with transaction.atomic():
        locked = workflow.model._default_manager.select_for_update().get(pk=obj.pk)
        from_state = workflow.state_of(locked)
        to_state = _target(workflow, from_state, action)
        _check_actor(workflow, step, locked, action, actor, comment)
        before = audit.snapshot(locked, workflow.audit_exclude)
        for name, value in changes.items():
            setattr(locked, name, value)
        setattr(locked, workflow.field, to_state)
        if prepare is not None:
            prepare(locked)
        locked.full_clean()
        locked.save()
        after = audit.snapshot(locked, workflow.audit_exclude)
        noisy = {f.attname for f in workflow.model._meta.concrete_fields if getattr(f, "auto_now", False)}
        changed = sorted(k for k in after if k not in noisy and before.get(k) != after.get(k))
        log = _write_log(workflow, locked, action, from_state, to_state, actor, comment, evidence)
        label = workflow.action_label(action)
        audit.record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=locked,
            before=_audited(workflow, {k: before.get(k) for k in changed}),
            after=_audited(workflow, {k: after[k] for k in changed}),
            comment=f"{label}：{comment}" if comment else label,
        )
        event = TransitionEvent(
            workflow, locked, action, from_state, to_state, actor, comment, evidence, log, before=before
        )
        _run_hooks(workflow, step, event)
    return locked


def create(
    obj: M,
    action: str,
    *,
    actor: Actor,
    workflow: Workflow[M],
    comment: str = "",
    evidence: Any = None,
) -> M:
    """Save the new (unsaved) `obj` by an entry action of the table, `(NEW, action) -> state`.

    Checks the table and the step's permission (given the unsaved object), sets the entry state,
    validates, inserts, writes the log row from "" and the CREATE audit entry, and runs the hooks.
    """
    if obj.pk is not None and not obj._state.adding:
        raise ImproperlyConfigured("create() takes a new object; use transition() for a saved one")
    step = workflow.step(action)
    comment = (comment or "").strip()
    with transaction.atomic():
        to_state = _target(workflow, NEW, action)
        _check_actor(workflow, step, obj, action, actor, comment)
        setattr(obj, workflow.field, to_state)
        obj.full_clean()
        obj.save(force_insert=True)
        log = _write_log(workflow, obj, action, NEW, to_state, actor, comment, evidence)
        label = workflow.action_label(action)
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=obj,
            after=audit.snapshot(obj, workflow.audit_exclude),
            comment=f"{label}：{comment}" if comment else label,
        )
        event = TransitionEvent(workflow, obj, action, NEW, to_state, actor, comment, evidence, log)
        _run_hooks(workflow, step, event)
    return obj
