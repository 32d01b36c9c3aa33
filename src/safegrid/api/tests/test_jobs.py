"""The API base's schedule: expired Idempotency-Keys are purged daily by a job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safegrid import jobs
from safegrid.api.models import IdempotencyKey
from safegrid.core.audit import SystemActor
from safegrid.core.models import User
from safegrid.jobs import runner
from safegrid.jobs.choices import JobStatus
from safegrid.jobs.registry import schedules

pytestmark = pytest.mark.django_db


def _key(user: User, key: str, expires_at: dt.datetime) -> IdempotencyKey:
    return IdempotencyKey.objects.create(
        user=user,
        key=key,
        fingerprint="0" * 64,
        method="POST",
        path="/api/v1/x",
        status_code=201,
        expires_at=expires_at,
    )


def test_the_purge_job_deletes_only_expired_keys() -> None:
    user = User.objects.create_user("api_client", password="x-long-enough-password")
    now = timezone.now()
    _key(user, "old", now - dt.timedelta(minutes=1))
    _key(user, "live", now + dt.timedelta(hours=1))
    job = jobs.enqueue("api.idempotency_purge", title="清理过期的幂等键", actor=SystemActor("schedule:test"))
    assert runner.execute(str(job.uuid)) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.result["deleted"] == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["live"]


def test_the_purge_is_scheduled_daily() -> None:
    entry = next(s for s in schedules() if s.name == "api.idempotency_purge")
    assert (entry.cron, entry.job_kind) == ("20 3 * * *", "api.idempotency_purge")
