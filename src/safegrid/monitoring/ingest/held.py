"""Events messages the database has not taken yet, held in memory in the order received (used by mqtt.py).

Readings spill to disk when the database is away (spill.py); events are few and handled one message at a
time with the ORM (`services.events`), so a message whose handling failed on the database waits here,
unacknowledged, and is tried again with the spill's back-off (`spill.Backoff`: 0.5 s doubling to 30 s), on
a new connection (the broken one is closed first). Oldest first, and a new message queues behind those
waiting, so the order received is kept; each is acknowledged only once handled. At most `limit` wait: the
ingest takes nothing more from the broker until the database takes some (what the broker sends meanwhile
waits there, unacknowledged).

A message whose handling raises anything else is a fault of its own (a bug, a payload the code trips on):
retrying would block every later message, so it is logged and given to `refused` (the ingest dead-letters it
and acknowledges it once that dead letter is written or spilled). An IntegrityError or DataError is about the
message too, unless a race caused it: it is retried OWN_FAULT_ATTEMPTS times before it is refused.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import DatabaseError, DataError, IntegrityError, InterfaceError

from .pipeline import drop_connection
from .spill import Backoff

log = logging.getLogger(__name__)

T = TypeVar("T")

DATABASE_ERRORS = (DatabaseError, InterfaceError)  # the database is away (or the connection broke): retried
OWN_FAULT = (IntegrityError, DataError)  # database errors about the message itself: retried a few times only
OWN_FAULT_ATTEMPTS = 3


class HeldEvents(Generic[T]):
    def __init__(
        self,
        handle: Callable[[T], None],
        *,
        done: Callable[[T], None],
        refused: Callable[[T, BaseException], None],
        limit: int,
        backoff: Backoff | None = None,
        reset: Callable[[], None] = drop_connection,
    ) -> None:
        self.handle = handle
        self.done = done
        self.refused = refused
        self.limit = limit
        self.backoff = backoff or Backoff()
        self.reset = reset
        self.waiting: deque[T] = deque()
        self.attempts = 0  # failed attempts of the oldest waiting message
        self.handled = 0
        self.refused_count = 0

    def __len__(self) -> int:
        return len(self.waiting)

    def full(self) -> bool:
        return len(self.waiting) >= self.limit

    def due(self) -> bool:
        """Something waits and the back-off allows an attempt."""
        return bool(self.waiting) and self.backoff.may_retry()

    def put(self, item: T) -> None:
        """Queue a message behind those waiting (the caller stops taking messages once `full()`)."""
        self.waiting.append(item)

    def drain(self) -> int:
        """Handle what waits, oldest first, while the back-off allows; stop at the first database error (the
        message stays first in line). Returns the messages done (handled or refused)."""
        finished = 0
        while self.waiting and self.backoff.may_retry():
            item = self.waiting[0]
            try:
                self.handle(item)
            except DATABASE_ERRORS as exc:
                self.reset()
                self.attempts += 1
                if not (isinstance(exc, OWN_FAULT) and self.attempts >= OWN_FAULT_ATTEMPTS):
                    delay = self.backoff.failed(exc)
                    log.warning(
                        "events message not handled, database error (%s); %d message(s) waiting, retry in %.1f s",
                        exc,
                        len(self.waiting),
                        delay,
                    )
                    return finished
                self._refuse(item, exc)
            except Exception as exc:  # noqa: BLE001 - a fault of this message must not hold the others
                self._refuse(item, exc)
            else:
                self.backoff.succeeded()
                self.handled += 1
                self.done(item)
            self.waiting.popleft()
            self.attempts = 0
            finished += 1
        return finished

    def _refuse(self, item: T, exc: BaseException) -> None:
        log.error("events message refused: its handling failed (%s); dead-lettered", exc, exc_info=exc)
        self.refused_count += 1
        self.refused(item, exc)
