import pytest

from safegrid import jobs
from safegrid.core.models import AuditEntry
from safegrid.jobs import runner
from safegrid.jobs.choices import JobStatus

from . import worker_jobs  # noqa: F401  (registers the test job kinds)

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_jobs(world):
    a = jobs.enqueue("tests.refused", title="甲镇的任务", actor=world.user("town_a"), args={"reason": "甲"})
    b = jobs.enqueue(
        "tests.refused",
        title="乙镇的任务",
        actor=world.user("town_b"),
        args={"reason": "乙"},
        enterprise=world.ent_b,
    )
    return a, b


def test_users_see_their_own_jobs_and_the_county_sees_all(world, login, town_jobs):
    a, b = town_jobs
    page = login(world.user("town_a")).get("/jobs/").content.decode()
    assert "甲镇的任务" in page and "乙镇的任务" not in page
    client = login(world.user("town_a"))
    for url in (f"/jobs/{b.uuid}/", f"/jobs/{b.uuid}/status.json"):
        assert client.get(url).status_code == 404
    assert client.post(f"/jobs/{b.uuid}/retry/").status_code == 404
    page = login(world.user("county_admin")).get("/jobs/").content.decode()
    assert "甲镇的任务" in page and "乙镇的任务" in page
    assert "证照到期检查" in page  # the schedules card lists the declared schedules


def test_progress_partial_polls_while_active_and_shows_the_error_after(world, login, town_jobs):
    a, _ = town_jobs
    client = login(world.user("town_a"))
    partial = client.get(f"/jobs/{a.uuid}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and "progress-bar" in partial and "<html" not in partial
    runner.execute(str(a.uuid))
    partial = client.get(f"/jobs/{a.uuid}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and "甲" in partial and "执行失败" in partial
    assert "重新执行" not in partial  # only county admins retry
    data = client.get(f"/jobs/{a.uuid}/status.json").json()
    assert (data["status"], data["error"], data["attempts"]) == (JobStatus.FAILED, "甲", 1)


def test_county_admin_retries_a_failed_job(world, login, town_jobs):
    a, _ = town_jobs
    runner.execute(str(a.uuid))
    client = login(world.user("county_admin"))
    assert "重新执行" in client.get("/jobs/?status=failed").content.decode()
    response = client.post(f"/jobs/{a.uuid}/retry/")
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == JobStatus.QUEUED
    assert AuditEntry.objects.filter(object_type="jobs.job", action="transition").count() == 1
    # A town officer may not, even for their own job.
    runner.execute(str(a.uuid))
    login(world.user("town_a")).post(f"/jobs/{a.uuid}/retry/")
    a.refresh_from_db()
    assert a.status == JobStatus.FAILED
