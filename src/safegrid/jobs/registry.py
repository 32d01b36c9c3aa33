"""Registries of job functions (`@job`) and cron schedules (`schedule`), and the context a job runs with.

Imports no models at module level: `safegrid.jobs` (which re-exports this) is imported while apps load.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import rules

if TYPE_CHECKING:
    from safegrid.core.audit import Actor

JobFunction = Callable[..., dict[str, Any] | None]

PROGRESS_EVERY_SECONDS = 0.5


class JobFailed(Exception):
    """Raise from a job to fail it at once, without retries; the message is shown to the user as is."""


class JobContext:
    """Handed to every job function: who asked, which attempt this is, and `progress()`."""

    def __init__(
        self,
        *,
        job_id: int,
        uuid: str,
        kind: str,
        attempt: int,
        created_by_id: int | None,
        actor_label: str,
        enterprise_id: int | None,
        write: Callable[[JobContext], None],
    ) -> None:
        self.job_id = job_id
        self.uuid = uuid
        self.kind = kind
        self.attempt = attempt
        self.created_by_id = created_by_id
        self.actor_label = actor_label
        self.enterprise_id = enterprise_id
        self.done = 0
        self.total = 0
        self.message = ""
        self._write = write
        self._last_write = 0.0

    @property
    def actor(self) -> Actor:
        """Who the job's writes are audited as: the user who started it, or the system for schedules."""
        from safegrid.core.audit import SystemActor
        from safegrid.core.models import User

        if self.created_by_id is not None:
            return User.objects.get(pk=self.created_by_id)
        return SystemActor(f"job:{self.kind}")

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Report progress (and so a heartbeat). Cheap to call per row: written at most every 0.5 s,
        and always for the last step (done == total)."""
        self.done = done
        if total is not None:
            self.total = total
        if message:
            self.message = message
        now = time.monotonic()
        if now - self._last_write < PROGRESS_EVERY_SECONDS and not (self.total and done >= self.total):
            return
        self._last_write = now
        self._write(self)


@dataclass(frozen=True)
class JobKind:
    kind: str
    function: JobFunction


@dataclass(frozen=True)
class Schedule:
    name: str
    cron: str
    job_kind: str
    title: str
    args: dict[str, Any] = field(default_factory=dict)


_JOBS: dict[str, JobKind] = {}
_SCHEDULES: dict[str, Schedule] = {}


def job(kind: str) -> Callable[[JobFunction], JobFunction]:
    """Register `function(ctx, **args) -> dict` as the code for jobs of `kind` ("app.what")."""

    def register(function: JobFunction) -> JobFunction:
        existing = _JOBS.get(kind)
        if existing is not None and existing.function.__qualname__ != function.__qualname__:
            raise ValueError(f"job kind {kind!r} is already registered by {existing.function.__module__}")
        _JOBS[kind] = JobKind(kind, function)
        return function

    return register


def job_function(kind: str) -> JobFunction | None:
    found = _JOBS.get(kind)
    return found.function if found else None


def job_kinds() -> list[str]:
    return sorted(_JOBS)


def schedule(
    name: str, *, cron: str, job_kind: str, title: str, args: dict[str, Any] | None = None
) -> Schedule:
    """Declare that `job_kind` runs at every slot of `cron` (5 fields, in settings.TIME_ZONE)."""
    if not rules.valid_cron(cron):
        raise ValueError(f"schedule {name!r}: {cron!r} is not a cron expression")
    entry = Schedule(name=name, cron=cron, job_kind=job_kind, title=title, args=dict(args or {}))
    _SCHEDULES[name] = entry
    return entry


def schedules() -> list[Schedule]:
    return [_SCHEDULES[name] for name in sorted(_SCHEDULES)]
