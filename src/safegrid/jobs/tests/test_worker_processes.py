"""Real `safegrid worker` processes against the test database (a file on SQLite, a database on PostgreSQL).

No eager mode: jobs are enqueued here, run by two worker subprocesses, and observed through the pages.
Waits are bounded and fail with a message; nothing asserts how long anything took.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from safegrid import jobs
from safegrid.core.models import User
from safegrid.jobs.choices import JobStatus
from safegrid.jobs.models import Job, ScheduleRun

from . import worker_jobs  # noqa: F401  (the test job kinds, also loaded into the workers)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BOUND_SECONDS = 180  # generous: two busy cores, and a worker process takes seconds to start


def wait_for(condition: Callable[[], object], what: str) -> object:
    deadline = time.monotonic() + BOUND_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"gave up waiting: {what}")


def _database_env() -> dict[str, str]:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"SAFEGRID_DB_PATH": str(db["NAME"])}
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return {
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    }


class Workers:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.procs: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(self, count: int, **env: str) -> None:
        base = {
            **os.environ,
            **_database_env(),
            "SAFEGRID_PROFILE": "test",
            "SAFEGRID_VAR_DIR": str(settings.VAR_DIR),
            "SAFEGRID_JOB_RETRY_BASE_SECONDS": "1",
            "SAFEGRID_LOG_LEVEL": "DEBUG",
            **env,
        }
        for n in range(count):
            log = self.tmp_path / f"worker-{n}.log"
            command = [sys.executable, "-m", "safegrid", "worker", "--tick", "0.5", "--interval", "0.2"]
            command += ["--worker-id", f"test-{n}", "--load", "safegrid.jobs.tests.worker_jobs"]
            proc = subprocess.Popen(command, env=base, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
            self.procs.append((proc, log))

    def ticks(self, n: int) -> int:
        return self.procs[n][1].read_text(errors="ignore").count("schedule tick done")

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='ignore')[-3000:]}" for _, log in self.procs)

    def alive(self) -> bool:
        return all(proc.poll() is None for proc, _ in self.procs)

    def stop(self) -> None:
        for proc, _ in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def workers(transactional_db, tmp_path) -> Iterator[Workers]:
    pool = Workers(tmp_path)
    yield pool
    pool.stop()


@pytest.fixture
def owner(transactional_db) -> User:
    return User.objects.create_user("job_owner", password="x-long-enough-password")


def test_two_workers_fire_each_schedule_slot_once(workers, tmp_path):
    ran = tmp_path / "slots.txt"
    workers.start(2, SAFEGRID_TEST_SCHEDULE_FILE=str(ran))
    wait_for(lambda: ScheduleRun.objects.filter(name="tests.every_minute").exists(), "the first slot fired")
    wait_for(lambda: workers.ticks(0) >= 1 and workers.ticks(1) >= 1, "both workers ticked")
    # Let both workers tick a few more times over the same slot(s).
    seen = (workers.ticks(0), workers.ticks(1))
    wait_for(lambda: workers.ticks(0) >= seen[0] + 3 and workers.ticks(1) >= seen[1] + 3, "more ticks")
    wait_for(
        lambda: not Job.objects.filter(kind="tests.append_line", status__in=["queued", "running"]).exists(),
        "the slot jobs finished",
    )
    assert workers.alive(), workers.logs()
    runs = list(ScheduleRun.objects.filter(name="tests.every_minute"))
    slot_jobs = Job.objects.filter(kind="tests.append_line")
    assert len({r.slot for r in runs}) == len(runs) == slot_jobs.count(), workers.logs()
    assert all(j.status == JobStatus.SUCCEEDED and j.attempts == 1 for j in slot_jobs)
    lines = ran.read_text().splitlines()
    assert len(lines) == len(runs), "each slot's job ran exactly once"


def test_a_failing_job_is_retried_and_then_shown_failed(workers, owner, client):
    job = jobs.enqueue(
        "tests.always_fails", title="总会失败的任务", actor=owner, args={"reason": "磁盘已满"}, max_attempts=2
    )
    workers.start(2)
    wait_for(lambda: Job.objects.get(pk=job.pk).status == JobStatus.FAILED, "the job failed for good")
    job.refresh_from_db()
    assert job.attempts == 2, workers.logs()
    assert "RuntimeError: 磁盘已满" in job.error
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/jobs/{job.uuid}/").content.decode()
    assert "磁盘已满" in page and "执行失败（共执行 2 次）" in page


def test_progress_is_visible_while_the_job_runs(workers, owner, client, tmp_path):
    go = tmp_path / "go"
    job = jobs.enqueue("tests.waits_for_file", title="分三步的任务", actor=owner, args={"path": str(go)})
    workers.start(1)
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    status_url = f"/jobs/{job.uuid}/status.json"

    def at_step_one() -> bool:
        data = client.get(status_url).json()
        return data["status"] == JobStatus.RUNNING and data["done"] == 1

    wait_for(at_step_one, "the job reported step 1 of 3")
    data = client.get(status_url).json()
    assert (data["total"], data["percent"], data["message"]) == (3, 33, "第一步完成")
    partial = client.get(f"/jobs/{job.uuid}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and 'data-sg-width="33"' in partial and "第一步完成" in partial
    go.write_text("")
    wait_for(lambda: client.get(status_url).json()["status"] == JobStatus.SUCCEEDED, "the job finished")
    partial = client.get(f"/jobs/{job.uuid}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and "三步都完成了" in partial and "返回任务列表" in partial


def _redis_url() -> str | None:
    import redis

    url = os.environ.get("SAFEGRID_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return None
    return url


def test_the_broker_swaps_to_rq_on_redis(workers, owner, tmp_path):
    """The same jobs through Redis: two `safegrid worker` processes on the RQ backend run each job once."""
    url = _redis_url()
    if url is None:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    queue = "default"  # the jobs' task queue; the test's own Redis database keeps it apart
    broker = {
        "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}},
        "RQ_QUEUES": {queue: {"URL": url}},
    }
    ran = tmp_path / "ran.txt"
    with override_settings(**broker):
        import django_rq

        django_rq.get_queue(queue).empty()
        sent = [
            jobs.enqueue(
                "tests.append_line", title=f"经 Redis 执行 {n}", actor=owner, args={"path": str(ran)}
            )
            for n in range(6)
        ]
        failing = jobs.enqueue(
            "tests.always_fails",
            title="经 Redis 重试",
            actor=owner,
            args={"reason": "网络中断"},
            max_attempts=2,
        )
        assert django_rq.get_queue(queue).count == 7  # in Redis, not in the database queue
    workers.start(
        2,
        SAFEGRID_TASKS_BACKEND="django_tasks_rq.RQBackend",
        SAFEGRID_TASKS_QUEUES=queue,
        SAFEGRID_TASKS_REDIS_URL=url,
    )
    wait_for(
        lambda: Job.objects.filter(pk__in=[j.pk for j in sent], status=JobStatus.SUCCEEDED).count() == 6,
        "the six jobs ran through Redis",
    )
    wait_for(
        lambda: Job.objects.get(pk=failing.pk).status == JobStatus.FAILED,
        "the failing job was retried, then failed",
    )
    assert workers.alive(), workers.logs()
    assert sorted(line.split()[1] for line in ran.read_text().splitlines()) == sorted(
        str(j.uuid) for j in sent
    )
    failing.refresh_from_db()
    assert failing.attempts == 2 and "网络中断" in failing.error
    assert all("RQ worker on default" in log.read_text(errors="ignore") for _, log in workers.procs)
