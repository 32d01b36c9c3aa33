"""The audit chain against its anchors outside the database: a wiped, shortened or replaced chain fails."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from safegrid.core import audit, audit_anchor
from safegrid.core.models import AuditEntry, AuditHead
from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def anchored(world) -> audit_anchor.Anchor:
    """The test world's chain, linked and anchored."""
    anchor = audit_anchor.write()
    assert anchor.count == AuditEntry.objects.count() > 10
    return anchor


def edit(world, employees: int) -> None:
    services.enterprise_update(
        actor=world.user("town_a"), enterprise=world.ent_a, data={"employees": employees}
    )


def test_an_anchored_chain_that_grew_verifies_and_says_against_which_anchor(world, settings):
    anchor = anchored(world)
    edit(world, 42)
    out = verify()
    assert "audit chain intact" in out and f"matches the anchor of {anchor.at} ({anchor.count} rows)" in out
    line = json.loads(settings.SAFEGRID_AUDIT_ANCHOR_FILE.read_text().splitlines()[0])
    head = AuditHead.objects.get()
    assert (line["count"], line["last_id"], line["hash"]) == (anchor.count, anchor.last_id, anchor.hash)
    assert head.count == anchor.count + 1


def test_deleting_every_row_and_the_head_fails(world):
    anchor = anchored(world)
    AuditEntry.objects.all().delete()
    AuditHead.objects.all().delete()
    assert audit.verify().ok  # the chain alone cannot tell: nothing left to contradict
    with pytest.raises(
        CommandError, match=f"chain shorter than the anchor of .*: 0 rows, anchored {anchor.count}"
    ):
        verify()


def test_cutting_the_tail_and_rewriting_the_head_fails(world):
    anchor = anchored(world)
    edit(world, 7)
    audit.link_pending()
    kept = list(AuditEntry.objects.order_by("seq")[: anchor.count - 3])
    AuditEntry.objects.filter(seq__gt=kept[-1].seq).delete()
    AuditHead.objects.update(count=kept[-1].seq, last_id=kept[-1].pk, last_hash=kept[-1].hash)
    assert audit.verify().ok
    with pytest.raises(CommandError, match=f"{anchor.count - 3} rows, anchored {anchor.count}"):
        verify()


def test_a_rebuilt_chain_of_the_same_or_greater_length_fails(world):
    anchor = anchored(world)
    AuditEntry.objects.all().delete()
    AuditHead.objects.all().delete()
    for n in range(anchor.count + 2):  # a forged history, longer than the anchored one, correctly chained
        audit.record(actor=SYSTEM, action="update", obj=world.ent_a, comment=f"forged {n}")
    assert audit.verify().ok
    with pytest.raises(
        CommandError, match=f"row {anchor.count} is not the one anchored .*: the chain was replaced"
    ):
        verify()


def test_an_edited_or_removed_anchor_line_fails(world, settings):
    anchored(world)
    edit(world, 8)
    audit_anchor.write()
    edit(world, 9)
    audit_anchor.write()
    path = settings.SAFEGRID_AUDIT_ANCHOR_FILE
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")  # the middle anchor removed
    with pytest.raises(CommandError, match="altered before line 2"):
        verify()
    first = json.loads(lines[0])
    first["count"] -= 1
    path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")  # the first anchor edited
    with pytest.raises(CommandError, match="altered before line 2"):
        verify()


def test_no_anchor_is_a_warning_or_with_require_anchor_a_failure(world, settings):
    assert "no anchor yet" in verify()
    with pytest.raises(CommandError, match="no anchor yet"):
        verify("--require-anchor")
    assert not settings.SAFEGRID_AUDIT_ANCHOR_FILE.exists()


def test_verify_with_anchor_appends_one_after_a_clean_check(world, settings):
    out = verify("--anchor")
    assert "anchor written" in out
    assert len(audit_anchor.read()) == 1
    AuditEntry.objects.all().delete()
    AuditHead.objects.all().delete()
    with pytest.raises(CommandError, match="shorter"):
        verify("--anchor")
    assert len(audit_anchor.read()) == 1  # a failed check writes no anchor


def test_a_new_anchor_is_refused_unless_the_chain_extends_the_last_and_reset_says_why(world):
    anchor = anchored(world)
    AuditEntry.objects.filter(seq=anchor.count).delete()
    AuditHead.objects.update(count=anchor.count - 1)
    with pytest.raises(CommandError, match="no anchor written: .*shorter"):
        call_command("audit", "anchor", stdout=StringIO())
    assert len(audit_anchor.read()) == 1
    last = AuditEntry.objects.get(seq=anchor.count - 1)
    AuditHead.objects.update(last_id=last.pk, last_hash=last.hash)
    call_command("audit", "anchor", "--reset", "restored from the backup of 1 May", stdout=StringIO())
    latest = audit_anchor.read()[-1]
    assert (latest.count, latest.reset) == (anchor.count - 1, "restored from the backup of 1 May")
    assert "matches the anchor" in verify()


def test_an_edited_row_since_the_last_anchor_is_not_anchored(world):
    anchored(world)
    edit(world, 11)
    audit.link_pending()
    AuditEntry.objects.filter(seq=AuditHead.objects.get().count).update(comment="tampered")
    with pytest.raises(audit_anchor.AnchorError, match="row content altered"):
        audit_anchor.write()


def test_the_scheduled_job_writes_an_anchor_or_fails_with_the_reason(world, settings):
    from safegrid import jobs
    from safegrid.jobs.models import Job
    from safegrid.jobs.registry import schedules
    from safegrid.jobs.testing import run_queued

    entry = next(s for s in schedules() if s.name == "core.audit_anchor")
    assert entry.cron == settings.SAFEGRID_AUDIT_ANCHOR_CRON == "7 * * * *"
    jobs.enqueue("core.audit_anchor", title=entry.title, actor=SYSTEM, max_attempts=1)
    assert run_queued("core.audit_anchor") == ["succeeded"]
    assert len(audit_anchor.read()) == 1
    AuditEntry.objects.all().delete()
    AuditHead.objects.all().delete()
    job = jobs.enqueue("core.audit_anchor", title=entry.title, actor=SYSTEM, max_attempts=1)
    assert run_queued("core.audit_anchor") == ["failed"]
    job = Job.objects.get(pk=job.pk)
    assert "审计链锚点未写入" in job.error and "shorter" in job.error
    assert len(audit_anchor.read()) == 1


def test_each_anchor_is_mailed_when_configured(world, settings):
    settings.SAFEGRID_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SAFEGRID_AUDIT_ANCHOR_EMAILS = ["auditor@example.org"]
    anchor = anchored(world)
    assert [m.to for m in mail.outbox] == [["auditor@example.org"]]
    assert anchor.line() in mail.outbox[0].body
