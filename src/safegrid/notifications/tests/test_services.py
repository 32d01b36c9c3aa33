"""notify(): kinds, de-duplication, inactive users, and e-mail only when configured and only after commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from safegrid.core.testing import make_user
from safegrid.notifications import kinds
from safegrid.notifications.models import Notification
from safegrid.notifications.services import notification_mark_all_read, notify

pytestmark = pytest.mark.django_db

KIND = "risks.filing_returned"


@pytest.fixture
def people(db):
    alice = make_user("alice")
    alice.email = "alice@example.cn"
    alice.save()
    bob = make_user("bob")  # no e-mail address
    gone = make_user("gone")
    gone.email = "gone@example.cn"
    gone.is_active = False
    gone.save()
    return alice, bob, gone


@pytest.fixture
def mail_on(settings):
    settings.SAFEGRID_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SAFEGRID_PUBLIC_URL = "https://aq.example.cn"


def test_notify_dedups_and_skips_inactive_users(people):
    alice, bob, gone = people
    rows = notify(
        [alice, bob, alice, gone, bob], KIND, alice, "  第 2 版一企一册被退回：\n 请补充 ", url="/x/"
    )
    assert sorted(r.recipient_id for r in rows) == sorted([alice.pk, bob.pk])
    stored = Notification.objects.get(recipient=alice)
    assert (stored.kind, stored.text, stored.url) == (KIND, "第 2 版一企一册被退回： 请补充", "/x/")
    assert (stored.object_type, stored.object_id) == ("core.user", str(alice.pk))
    assert stored.read_at is None and stored.kind_label == "一企一册被退回"


def test_unknown_kind_and_empty_text_are_refused(people):
    alice, _, _ = people
    with pytest.raises(kinds.UnknownKind):
        notify([alice], "risks.filing_lost", None, "文本")
    with pytest.raises(ValueError):
        notify([alice], KIND, None, "   ")
    with pytest.raises(ValueError):
        kinds.register_kind("NoDot", "错误")
    assert not Notification.objects.exists()


def test_no_mail_when_email_is_not_configured(people, settings, django_capture_on_commit_callbacks):
    settings.SAFEGRID_EMAIL_ENABLED = False
    alice, _, _ = people
    with django_capture_on_commit_callbacks(execute=True):
        notify([alice], KIND, None, "被退回")
    assert mail.outbox == []


def test_mail_goes_after_commit_to_users_with_an_address(people, mail_on, django_capture_on_commit_callbacks):
    alice, bob, gone = people
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([alice, bob, gone], KIND, None, "第 2 版被退回", url="/risks/filings/2/")
        assert mail.outbox == []  # nothing leaves before the caller's transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    [message] = mail.outbox
    assert message.to == ["alice@example.cn"]
    assert message.subject == "【双重预防平台】一企一册被退回"
    assert "https://aq.example.cn/risks/filings/2/" in message.body
    assert Notification.objects.get(recipient=alice).emailed_at is not None
    assert Notification.objects.get(recipient=bob).emailed_at is None


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_step_notifies_and_mails_nobody(people, mail_on):
    alice, _, _ = people
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([alice], KIND, None, "被退回")
        raise RuntimeError("the step failed")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_mark_all_read_touches_only_the_actors_unread(people):
    alice, bob, _ = people
    notify([alice, bob], KIND, None, "一")
    notify([alice], KIND, None, "二")
    assert notification_mark_all_read(actor=alice) == 2
    assert notification_mark_all_read(actor=alice) == 0
    assert Notification.objects.get(recipient=bob).read_at is None


def test_the_issue_kinds_are_registered():
    keys = {k.key for k in kinds.all_kinds()}
    assert {
        "risks.filing_returned",
        "risks.filing_accepted",
        "enterprises.certificate_expiring_30",
        "enterprises.certificate_expiring_7",
        "enterprises.certificate_expires_today",
        "imports.finished",
        "imports.failed",
        "jobs.failed",
    } <= keys
