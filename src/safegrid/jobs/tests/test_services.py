import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from safegrid import jobs
from safegrid.core.models import AuditEntry
from safegrid.jobs import registry, runner, scheduler, services
from safegrid.jobs.choices import JobStatus
from safegrid.jobs.models import Job, ScheduleRun

from . import worker_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(world):
    return world.user("county_admin")


def _enqueue(actor, kind, args, **kw):
    return jobs.enqueue(kind, title="测试任务", actor=actor, args=args, **kw)


def test_enqueue_records_the_job_audits_it_and_queues_the_task_on_commit(
    world, county, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _enqueue(county, "tests.refused", {"reason": "x"}, enterprise=world.ent_a)
        assert DBTaskResult.objects.count() == 0  # nothing reaches the queue before the commit
    job.refresh_from_db()
    task = DBTaskResult.objects.get()
    assert task.task_path == "safegrid.jobs.tasks.run_job"
    assert task.args_kwargs["args"] == [str(job.uuid)]
    assert job.task_id == str(task.id)
    assert (job.status, job.created_by, job.enterprise_id) == (JobStatus.QUEUED, county, world.ent_a.pk)
    assert job.division_code == world.ent_a.division_id
    assert AuditEntry.objects.filter(object_type="jobs.job", object_id=str(job.pk), action="create").exists()


def test_enqueue_refuses_unknown_kinds_and_unserialisable_args(county):
    with pytest.raises(ValidationError, match="未登记"):
        _enqueue(county, "nobody.knows", {})
    with pytest.raises(ValidationError, match="JSON"):
        _enqueue(county, "tests.refused", {"reason": object()})
    assert not Job.objects.exists()


def test_a_job_runs_once_and_stores_its_result(county, tmp_path):
    out = tmp_path / "ran.txt"
    job = _enqueue(county, "tests.append_line", {"path": str(out)})
    assert runner.execute(str(job.uuid)) == JobStatus.SUCCEEDED
    assert runner.execute(str(job.uuid)) is None  # a duplicate delivery finds it no longer queued
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["summary"]) == (JobStatus.SUCCEEDED, 1, "已记录")
    assert out.read_text().count("\n") == 1


def test_a_failing_job_is_retried_with_back_off_then_failed(
    county, settings, django_capture_on_commit_callbacks
):
    settings.SAFEGRID_JOB_RETRY_BASE_SECONDS = 30
    job = _enqueue(county, "tests.always_fails", {"reason": "数据源不可用"}, max_attempts=2)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert runner.execute(str(job.uuid)) == JobStatus.QUEUED
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert "RuntimeError: 数据源不可用" in job.error
    assert job.run_after >= before + dt.timedelta(seconds=30)
    retry_task = DBTaskResult.objects.latest("enqueued_at")
    assert retry_task.run_after >= before + dt.timedelta(seconds=30)  # the queue holds it back too

    assert runner.execute(str(job.uuid)) == JobStatus.FAILED
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 2)
    assert "数据源不可用" in job.error and job.finished_at is not None


def test_job_failed_is_not_retried(county):
    job = _enqueue(county, "tests.refused", {"reason": "文件不是 Excel 工作簿"})
    assert runner.execute(str(job.uuid)) == JobStatus.FAILED
    job.refresh_from_db()
    assert (job.attempts, job.error) == (1, "文件不是 Excel 工作簿")


def test_progress_is_written_and_throttled(county, monkeypatch):
    writes = []
    ctx = registry.JobContext(
        job_id=1,
        uuid="u",
        kind="k",
        attempt=1,
        created_by_id=None,
        actor_label="x",
        enterprise_id=None,
        write=lambda c: writes.append((c.done, c.total, c.message)),
    )
    clock = iter([10.0, 10.1, 10.2, 10.7, 10.8])
    monkeypatch.setattr(registry.time, "monotonic", lambda: next(clock))
    ctx.progress(1, 5, "开始")  # first call writes
    ctx.progress(2)  # 0.1 s later: skipped
    ctx.progress(3)  # skipped
    ctx.progress(4)  # 0.7 s after the last write: written
    ctx.progress(5)  # the last step is always written
    assert writes == [(1, 5, "开始"), (4, 5, "开始"), (5, 5, "开始")]


def test_a_job_reports_progress_to_its_row(county, tmp_path):
    (tmp_path / "go").write_text("")
    job = _enqueue(county, "tests.waits_for_file", {"path": str(tmp_path / "go")})
    runner.execute(str(job.uuid))
    job.refresh_from_db()
    assert (job.done, job.total, job.message, job.percent) == (3, 3, "全部完成", 100)


def test_a_lost_worker_is_detected_by_its_heartbeat(county, settings):
    settings.SAFEGRID_JOB_LEASE_SECONDS = 120
    job = _enqueue(county, "tests.refused", {"reason": "x"}, max_attempts=2)
    services.job_claim(str(job.uuid))
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(heartbeat_at=now - dt.timedelta(seconds=60))
    assert services.jobs_reap_expired(now) == 0  # still within its lease
    Job.objects.filter(pk=job.pk).update(heartbeat_at=now - dt.timedelta(seconds=121))
    assert services.jobs_reap_expired(now) == 1
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.QUEUED, services.LEASE_EXPIRED)
    services.job_claim(str(job.uuid))  # the retry starts, and its worker dies too
    Job.objects.filter(pk=job.pk).update(heartbeat_at=now - dt.timedelta(seconds=500))
    assert services.jobs_reap_expired(now) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (JobStatus.FAILED, 2, "执行进程中断（心跳超时）")


def test_a_schedule_fires_once_per_slot_and_catches_up_once(county, tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "_SCHEDULES", {})
    worker_jobs.every_minute(str(tmp_path / "x"))
    registry.schedule(
        "tests.daily", cron="15 2 * * *", job_kind="tests.append_line", title="每日", args={"path": "y"}
    )
    tz = timezone.get_current_timezone()
    now = dt.datetime(2025, 3, 5, 9, 7, 30, tzinfo=tz)
    assert len(scheduler.schedules_tick(now)) == 2
    assert scheduler.schedules_tick(now) == []  # a second worker ticking in the same minute
    assert scheduler.schedules_tick(now + dt.timedelta(seconds=20)) == []
    # Three days later: the daily schedule fires once (for the latest slot), not three times.
    later = now + dt.timedelta(days=3)
    fired = scheduler.schedules_tick(later)
    assert sorted(j.title for j in fired) == ["每日", "测试：每分钟"]
    daily = ScheduleRun.objects.filter(name="tests.daily").order_by("slot")
    assert [r.slot.astimezone(tz) for r in daily] == [
        dt.datetime(2025, 3, 5, 2, 15, tzinfo=tz),
        dt.datetime(2025, 3, 8, 2, 15, tzinfo=tz),
    ]
    assert all(r.job.created_by is None and r.job.actor_label == f"system:schedule:{r.name}" for r in daily)
    assert daily[0].job.initiator == "定时任务"


def test_retry_is_for_county_admins_and_audited(world, county, django_capture_on_commit_callbacks):
    job = _enqueue(world.user("town_a"), "tests.refused", {"reason": "x"})
    with pytest.raises(ValidationError, match="只有失败的任务"):
        services.job_retry(actor=county, job=job)
    runner.execute(str(job.uuid))
    with pytest.raises(PermissionDenied):
        services.job_retry(actor=world.user("town_a"), job=job)
    with django_capture_on_commit_callbacks(execute=True):
        services.job_retry(actor=county, job=job)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)
    entry = AuditEntry.objects.filter(object_type="jobs.job", action="transition").get()
    assert entry.actor == county and entry.comment == "重新执行"
    assert runner.execute(str(job.uuid)) == JobStatus.FAILED  # it really runs again
