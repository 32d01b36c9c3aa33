import datetime as dt

import pytest

from safegrid import jobs
from safegrid.enterprises.models import Certificate
from safegrid.jobs import runner
from safegrid.jobs.choices import JobStatus
from safegrid.jobs.registry import schedules

pytestmark = pytest.mark.django_db


def test_certificate_expiry_scan_counts_by_reminder_window(world):
    today = dt.date(2025, 6, 1)
    Certificate.objects.update(expires_on=None)
    cert_a, cert_b = Certificate.objects.order_by("pk")[:2]
    Certificate.objects.filter(pk=cert_a.pk).update(expires_on=today)  # expires today
    Certificate.objects.filter(pk=cert_b.pk).update(expires_on=today - dt.timedelta(days=1))  # expired
    job = jobs.enqueue(
        "enterprises.certificate_expiry_scan",
        title="证照到期检查",
        actor=world.user("county_admin"),
        args={"today": today.isoformat()},
    )
    assert runner.execute(str(job.uuid)) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.result["expired"] == 1
    assert (job.result["within_0_days"], job.result["within_7_days"], job.result["within_30_days"]) == (
        1,
        1,
        1,
    )
    assert job.result["enterprises"] == len({cert_a.enterprise_id, cert_b.enterprise_id})
    assert "已过期证照 1 个" in job.result["summary"]
    assert (job.done, job.total) == (2, 2)


def test_the_scan_is_scheduled_daily():
    entry = next(s for s in schedules() if s.name == "enterprises.certificate_expiry_scan")
    assert (entry.cron, entry.job_kind) == ("0 6 * * *", "enterprises.certificate_expiry_scan")
