import datetime as dt

import pytest

from safegrid import jobs
from safegrid.core.choices import Role
from safegrid.core.testing import make_user
from safegrid.enterprises import reminders, rules
from safegrid.enterprises.models import Certificate, CertificateReminder
from safegrid.jobs import runner
from safegrid.jobs.choices import JobStatus
from safegrid.jobs.registry import schedules
from safegrid.notifications.models import Notification

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
    assert (job.done, job.total) == (3, 3)


def test_the_scan_is_scheduled_daily():
    entry = next(s for s in schedules() if s.name == "enterprises.certificate_expiry_scan")
    assert (entry.cron, entry.job_kind) == ("0 6 * * *", "enterprises.certificate_expiry_scan")


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [(-1, None), (0, 0), (1, 7), (5, 7), (7, 7), (8, 30), (30, 30), (31, None), (400, None)],
)
def test_reminder_threshold(days_left, threshold):
    assert rules.reminder_threshold(days_left) == threshold


def _scan(world, day: dt.date) -> dict:
    job = jobs.enqueue(
        "enterprises.certificate_expiry_scan",
        title="证照到期检查",
        actor=world.user("county_admin"),
        args={"today": day.isoformat()},
    )
    assert runner.execute(str(job.uuid)) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    return job.result


def test_reminders_go_to_the_managers_once_per_certificate_and_threshold(world):
    today = dt.date(2025, 6, 1)
    admin = make_user("ent_a_admin", {"role": Role.ENT_ADMIN, "enterprise": world.ent_a})
    cert_a = Certificate.objects.get(number="T-A-0001")
    cert_b = Certificate.objects.get(number="T-B-0001")
    Certificate.objects.filter(pk=cert_a.pk).update(expires_on=today + dt.timedelta(days=30))
    Certificate.objects.filter(pk=cert_b.pk).update(expires_on=today + dt.timedelta(days=5))

    assert _scan(world, today)["reminders_sent"] == {"30": 1, "7": 1, "0": 0}
    notes = Notification.objects.filter(recipient__in=[world.user("ent_a"), admin])
    assert {(n.recipient.username, n.kind) for n in notes} == {
        ("ent_a", "enterprises.certificate_expiring_30"),
        ("ent_a_admin", "enterprises.certificate_expiring_30"),
    }
    assert "T-A-0001" in notes[0].text and "王操作" in notes[0].text
    assert notes[0].url == f"/enterprises/people/{cert_a.person_id}/"
    assert (
        Notification.objects.get(recipient=world.user("ent_b")).kind == "enterprises.certificate_expiring_7"
    )
    assert not Notification.objects.filter(recipient=world.user("post_a")).exists()  # not a manager

    # A rerun the same day, the next day, and a second worker at the same moment send nothing new.
    assert _scan(world, today)["reminders_sent"] == {"30": 0, "7": 0, "0": 0}
    assert sum(reminders.certificate_reminders_send(day=today + dt.timedelta(days=1)).values()) == 0
    assert Notification.objects.count() == 3

    # Each further threshold once: 7 days before, then on the day.
    assert _scan(world, today + dt.timedelta(days=23))["reminders_sent"]["7"] == 1
    assert _scan(world, today + dt.timedelta(days=5))["reminders_sent"]["0"] == 1  # cert_b expires
    assert _scan(world, today + dt.timedelta(days=30))["reminders_sent"]["0"] == 1  # cert_a expires
    assert CertificateReminder.objects.filter(certificate=cert_a).count() == 3
    kinds = list(Notification.objects.filter(recipient=admin).values_list("kind", flat=True))
    assert sorted(kinds) == sorted(
        [
            "enterprises.certificate_expiring_30",
            "enterprises.certificate_expiring_7",
            "enterprises.certificate_expires_today",
        ]
    )

    # A renewed certificate (new expiry date) is reminded again.
    Certificate.objects.filter(pk=cert_a.pk).update(expires_on=today + dt.timedelta(days=60))
    assert _scan(world, today + dt.timedelta(days=30))["reminders_sent"]["30"] == 1
