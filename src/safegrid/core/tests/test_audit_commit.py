"""Linking at commit, with real commits (SQLite and PostgreSQL) and concurrent writers (PostgreSQL)."""

import threading
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from safegrid.core import audit
from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services
from safegrid.enterprises.models import Enterprise, Person

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
WAIT = 120  # seconds a thread waits for its partner before the test fails instead of hanging


def _pending() -> int:
    return AuditEntry.objects.filter(seq__isnull=True).count()


def _entries(object_type: str, object_id: object) -> int:
    return AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).count()


@committed
def test_a_committed_write_is_linked_at_commit(world):
    audit.link_pending()
    with transaction.atomic():
        people = [
            services.person_create(actor=SYSTEM, enterprise=world.ent_a, data={"name": f"人{n}"})
            for n in range(3)
        ]
    assert _pending() == 0
    rows = list(AuditEntry.objects.filter(object_type="enterprises.person").order_by("seq"))
    assert [r.object_id for r in rows[-3:]] == [str(p.pk) for p in people]
    assert audit.verify().ok


@committed
def test_linking_deferred_links_the_commits_inside_it_once_at_its_end(world):
    audit.link_pending()
    with audit.linking_deferred():
        people = []
        for n in range(3):  # three transactions, as the alarm engine's three changes of one batch
            with transaction.atomic():
                people.append(
                    services.person_create(actor=SYSTEM, enterprise=world.ent_a, data={"name": f"延{n}"})
                )
        with audit.linking_deferred():  # nested: the outer block links
            services.person_create(actor=SYSTEM, enterprise=world.ent_a, data={"name": "延3"})
        assert _pending() == 4  # committed, not linked yet
    assert _pending() == 0
    rows = list(AuditEntry.objects.filter(object_type="enterprises.person").order_by("seq"))
    assert [r.object_id for r in rows[-4:-1]] == [str(p.pk) for p in people]
    assert audit.verify().ok


@committed
def test_a_rolled_back_transaction_leaves_nothing_to_link(world):
    audit.link_pending()
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.person_create(actor=SYSTEM, enterprise=world.ent_a, data={"name": "回滚"})
        raise RuntimeError("refused")
    assert AuditEntry.objects.count() == before and _pending() == 0
    assert audit.verify().ok


@committed
def test_entries_orphaned_by_a_crash_are_linked_by_the_next_verify(world, monkeypatch, capsys):
    audit.link_pending()
    monkeypatch.setattr(audit._Pending, "link", lambda self: None)  # the process dies after commit
    services.enterprise_update(actor=SYSTEM, enterprise=world.ent_a, data={"employees": 8})
    services.enterprise_update(actor=SYSTEM, enterprise=world.ent_b, data={"employees": 9})
    assert _pending() == 2
    counted = audit.verify(link=False)
    assert counted.ok and counted.pending == 2
    call_command("audit", "verify", "--no-link")
    assert "2 条待链接" in capsys.readouterr().out
    result = audit.verify()
    assert result.ok and result.linked == 2 and result.checked == AuditEntry.objects.count()


@committed
def test_the_worker_tick_links_orphans_once_they_are_past_the_grace_period(world, monkeypatch):
    from safegrid.jobs.scheduler import tick

    audit.link_pending()
    with monkeypatch.context() as m:
        m.setattr(audit._Pending, "link", lambda self: None)  # the process dies after commit
        services.enterprise_update(actor=SYSTEM, enterprise=world.ent_a, data={"employees": 8})
    assert _pending() == 1
    tick()  # still within the grace period: the writer may yet link it
    assert _pending() == 1
    AuditEntry.objects.filter(seq__isnull=True).update(at=audit.timezone.now() - 2 * audit.ORPHAN_GRACE)
    tick()
    assert _pending() == 0
    assert audit.verify(link=False).ok


@committed
def test_a_pending_row_edited_between_commit_and_link_fails_verify(world, monkeypatch):
    """The linker hashes what the service recorded, not what the row says by the time it links."""
    audit.link_pending()
    held: list[Callable[[], None]] = []
    real_link = audit._Pending.link
    monkeypatch.setattr(audit._Pending, "link", lambda self: held.append(lambda: real_link(self)))
    services.enterprise_update(actor=SYSTEM, enterprise=world.ent_a, data={"employees": 7})
    row = AuditEntry.objects.get(seq__isnull=True)
    AuditEntry.objects.filter(pk=row.pk).update(after={"employees": 700})
    held[0]()
    result = audit.verify()
    assert not result.ok and result.first_bad_id == row.pk and "篡改" in result.problem


def _in_thread(target: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.postgres_only
@committed
def test_another_users_edit_commits_while_a_long_transaction_holds_audited_writes(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has one writer: a second write waits for the long transaction by design")
    audit.link_pending()
    long_wrote, short_done, checked = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []
    long_people: list[Person] = []

    def long_import() -> None:
        with transaction.atomic():
            for n in range(50):
                long_people.append(
                    services.person_create(actor=SYSTEM, enterprise=world.ent_a, data={"name": f"导入{n}"})
                )
            long_wrote.set()
            assert short_done.wait(WAIT), "the short edit never finished"

    def short_edit() -> None:
        services.enterprise_update(actor=world.user("town_b"), enterprise=world.ent_b, data={"employees": 77})
        short_done.set()

    importer = _in_thread(long_import, errors)
    assert long_wrote.wait(WAIT)
    editor = _in_thread(short_edit, errors)
    try:
        editor.join(WAIT)
        assert short_done.is_set() and not errors, errors
        # The edit is committed and linked while the import is still open; the import's entries are linked
        # after it (checked by `seq` below, which does not depend on when this thread looks).
        assert Enterprise.objects.get(pk=world.ent_b.pk).employees == 77
        edit = AuditEntry.objects.get(
            object_type="enterprises.enterprise", object_id=str(world.ent_b.pk), action="update"
        )
        assert edit.seq is not None
    finally:
        checked.set()
    importer.join(WAIT)
    assert not importer.is_alive() and not errors, errors
    result = audit.verify()
    assert result.ok and result.linked == 0, result
    assert all(_entries("enterprises.person", p.pk) == 1 for p in long_people)
    seqs = AuditEntry.objects.filter(
        object_type="enterprises.person", object_id__in=[str(p.pk) for p in long_people]
    ).values_list("seq", flat=True)
    assert min(seqs) > edit.seq  # linked in commit order: the edit first


@pytest.mark.postgres_only
@committed
def test_concurrent_writers_do_not_fork_the_chain(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the fork this guards against needs concurrent commits")
    audit.link_pending()
    writers, writes = 8, 15
    start = threading.Barrier(writers)
    errors: list[BaseException] = []
    made: list[int] = []

    def writer(index: int) -> Callable[[], None]:
        def run() -> None:
            start.wait(WAIT)
            for n in range(writes):
                person = services.person_create(
                    actor=SYSTEM, enterprise=world.ent_a, data={"name": f"写{index}-{n}"}
                )
                services.person_update(actor=SYSTEM, person=person, data={"job_title": "班长"})
                made.append(person.pk)

        return run

    threads = [_in_thread(writer(i), errors) for i in range(writers)]
    for thread in threads:
        thread.join(WAIT)
    assert not errors, errors
    assert len(made) == writers * writes
    result = audit.verify()
    assert result.ok and result.linked == 0, result
    for pk in made:
        assert _entries("enterprises.person", pk) == 2  # one create, one update
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
