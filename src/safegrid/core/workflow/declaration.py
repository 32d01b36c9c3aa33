"""Declaring a status workflow: states, the transition table, and per action its label, who may take
it and what runs after it.

    FILING = Workflow(
        model=RiskRegisterFiling,
        states=FilingStatus,                        # one TextChoices: the state labels live there, once
        transitions={(NEW, "compile"): "compiled", ("compiled", "sign"): "signed", ...},
        steps={
            "sign": Step(_("签署"), allowed=can_sign),
            "return": Step(_("退回"), allowed=has_role(*GOVERNMENT_ROLES), comment_required=True,
                           after=(notify_enterprise,)),
            "supersede": Step(_("被新版本替代"), system=True),
        },
        log=FilingTransition, log_fk="filing",
    )

`transition()` and `create()` in `service.py` move objects through it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext

from ..audit import Actor, SystemActor
from ..scoping import Scope, scope_for
from .log import TransitionLog
from .table import TransitionTable

M = TypeVar("M", bound=models.Model)

Permission = Callable[[Actor, Any], bool]
"""Who may take a step: (acting user or system actor, the locked object) -> allowed.

A permission that needs to say *why* (e.g. "该企业不在您的监管范围内") may raise PermissionDenied itself."""


def by_scope(test: Callable[[Scope, Any], bool]) -> Permission:
    """A permission read from the acting user's `Scope` (roles, enterprises, divisions…).

    System actors (commands, jobs) are trusted code and always pass; the log and audit name them.
    """

    def allowed(actor: Actor, obj: Any) -> bool:
        if isinstance(actor, SystemActor):
            return True
        return test(scope_for(actor), obj)

    return allowed


def has_role(*roles: str) -> Permission:
    """Allowed to users holding any of `roles` (anywhere; combine with `by_scope` for "and in this enterprise")."""
    wanted = frozenset(roles)
    return by_scope(lambda scope, obj: bool(scope.roles & wanted))


def anyone(actor: Actor, obj: Any) -> bool:
    """Allowed to whoever reaches the service (the service's own selector already checked reach)."""
    return True


def nobody(actor: Actor, obj: Any) -> bool:
    """Never allowed to a person: for system steps (system actors still pass through `by_scope`)."""
    return isinstance(actor, SystemActor)


@dataclass(frozen=True)
class TransitionEvent(Generic[M]):
    """What a hook receives: the object after the move, who moved it, from where to where and why."""

    workflow: Workflow[M]
    obj: M
    action: str
    from_state: str
    to_state: str
    actor: Actor
    comment: str
    evidence: Any
    log: TransitionLog | None
    # The object's field values before the move (`audit.snapshot`: FKs as ids, dates as ISO strings);
    # empty for `create`. Lets a hook that keeps a derived figure take the old contribution away.
    before: Mapping[str, Any] = dataclass_field(default_factory=dict)


Hook = Callable[[TransitionEvent[Any]], None]


@dataclass(frozen=True)
class Step:
    """One action: its Chinese label, who may take it and what follows it.

    `system` steps are taken by the workflow itself (never a button, never named as possible in a
    refusal) and skip the permission check: the service that triggers them has checked its caller.
    `after` hooks run inside the transaction once the log row is written (e.g. `notify`, which then
    mails on commit); `on_commit` hooks run after the transaction commits and only if it does.
    """

    label: str | Promise
    allowed: Permission = nobody
    system: bool = False
    comment_required: bool = False
    denied: str | Promise = ""  # PermissionDenied message; default "您没有权限执行「label」"
    after: tuple[Hook, ...] = ()
    on_commit: tuple[Hook, ...] = ()

    @property
    def denied_message(self) -> str:
        return (
            str(self.denied)
            if self.denied
            else gettext("您没有权限执行「%(action)s」") % {"action": self.label}
        )


class TransitionNotAllowed(ValidationError):
    """The table does not allow this action from the object's current state.

    A ValidationError on the state field, so forms show it next to the field and the API's error shape
    names the field; the message names the current state and what may be done from it.
    """

    def __init__(self, message: str, *, field: str, state: str, action: str) -> None:
        self.state = state
        self.action = action
        self.field = field
        self.text = message
        super().__init__({field: message})


@dataclass(frozen=True, eq=False)
class Workflow(Generic[M]):
    model: type[M]
    states: type[models.TextChoices]
    transitions: Mapping[tuple[str, str], str]
    steps: Mapping[str, Step]
    field: str = "status"
    log: type[TransitionLog] | None = None
    log_fk: str = ""  # the log model's foreign key to `model`
    audit_exclude: tuple[str, ...] = ()  # large fields kept out of audit entries (e.g. a JSON snapshot)
    after: tuple[Hook, ...] = ()  # for every step, after the step's own hooks
    on_commit: tuple[Hook, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        label = self.model._meta.label
        if self.field not in getattr(self.model, "workflow_fields", ()):
            raise ImproperlyConfigured(
                f"{label}.workflow_fields must name {self.field!r} so object_update refuses to write it"
            )
        missing = sorted({a for (_, a) in self.transitions} - set(self.steps))
        if missing:
            raise ImproperlyConfigured(f"workflow of {label}: actions {missing} have no Step")
        if (self.log is None) != (not self.log_fk):
            raise ImproperlyConfigured(f"workflow of {label}: give both log and log_fk, or neither")
        if not self.name:
            object.__setattr__(self, "name", label.lower())
        self.table  # noqa: B018 - build (and so check) the table at declaration time

    @cached_property
    def table(self) -> TransitionTable:
        return TransitionTable(
            transitions={(str(s), str(a)): str(t) for (s, a), t in self.transitions.items()},
            state_labels={str(value): str(label) for value, label in self.states.choices},
            action_labels={action: str(step.label) for action, step in self.steps.items()},
            system_actions=frozenset(action for action, step in self.steps.items() if step.system),
        )

    def step(self, action: str) -> Step:
        try:
            return self.steps[action]
        except KeyError:
            raise ImproperlyConfigured(f"workflow {self.name} has no action {action!r}") from None

    def state_of(self, obj: M) -> str:
        return str(getattr(obj, self.field) or "")

    def may(self, actor: Actor, obj: M, action: str) -> bool:
        step = self.step(action)
        return step.system or step.allowed(actor, obj)

    def available(self, actor: Actor, obj: M) -> list[tuple[str, str]]:
        """(action, label) for each step `actor` may take on `obj` now: the page's buttons."""
        return [
            (action, self.table.action_label(action))
            for action in self.table.actions_from(self.state_of(obj))
            if self._allowed(self.step(action), actor, obj)
        ]

    @staticmethod
    def _allowed(step: Step, actor: Actor, obj: M) -> bool:
        try:
            return step.allowed(actor, obj)
        except PermissionDenied:  # a permission that explains its refusal: for buttons, just "no"
            return False

    def action_label(self, action: str) -> str:
        return self.table.action_label(action)

    def state_label(self, state: str) -> str:
        return self.table.state_label(state)
