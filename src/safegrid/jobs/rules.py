"""Pure rules for background jobs and schedules: retry back-off, lease expiry, schedule slots. No ORM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from croniter import croniter


def retry_delay(attempt: int, *, base_seconds: int, cap_seconds: int = 3600) -> int:
    """Seconds to wait before running again after failed attempt number `attempt` (1, 2, …).

    Exponential: base, 2·base, 4·base, … capped at `cap_seconds`.
    """
    if attempt < 1:
        raise ValueError("attempt starts at 1")
    return int(min(cap_seconds, base_seconds * 2 ** (attempt - 1)))


@dataclass(frozen=True)
class AfterFailure:
    """What happens to a job whose attempt failed: run again after `delay` seconds, or fail for good."""

    retry: bool
    delay: int = 0


def after_failure(
    attempts: int, max_attempts: int, *, base_seconds: int, permanent: bool = False
) -> AfterFailure:
    """A failed attempt is retried while attempts remain, unless the failure is permanent."""
    if permanent or attempts >= max_attempts:
        return AfterFailure(retry=False)
    return AfterFailure(retry=True, delay=retry_delay(attempts, base_seconds=base_seconds))


def lease_expired(heartbeat_at: dt.datetime | None, now: dt.datetime, lease_seconds: int) -> bool:
    """A running job whose last heartbeat is older than the lease has lost its worker."""
    if heartbeat_at is None:
        return True
    return now - heartbeat_at > dt.timedelta(seconds=lease_seconds)


def valid_cron(expression: str) -> bool:
    return bool(croniter.is_valid(expression))


def latest_slot(expression: str, now: dt.datetime) -> dt.datetime:
    """The most recent slot at or before `now` (an aware datetime in the county's time zone).

    Only this slot is ever due: slots missed while no worker ran are caught up once, by firing the
    latest of them, never one job per missed slot.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    # croniter's get_prev is strictly before its start; start one second later to include `now` itself.
    itr = croniter(expression, now.replace(microsecond=0) + dt.timedelta(seconds=1))
    slot: dt.datetime = itr.get_prev(dt.datetime)
    return slot


def next_slot(expression: str, now: dt.datetime) -> dt.datetime:
    slot: dt.datetime = croniter(expression, now).get_next(dt.datetime)
    return slot
