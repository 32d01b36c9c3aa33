import os
import uuid

os.environ.setdefault("SAFEGRID_PROFILE", "test")

import pytest  # noqa: E402

FIRST_MODULES = ("tests/test_scope_walk.py",)


def pytest_collection_modifyitems(session, config, items):
    """The scope walk (tens of thousands of requests) runs first. After the ~3,000 tests before it in path
    order, PostgreSQL served each walked request about 7× slower than on a fresh test database (366 s
    against 46 s for town_a), which made the walk 43 of CI's 62 minutes; on SQLite it made no difference."""
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST_MODULES))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """pytest-django loads settings before this file runs, so the test profile cannot pick the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(settings, tmp_path_factory):
    """Each test its own audit anchor file (not created until written): a test database's chain must not
    be compared with anchors another test, or a worker subprocess's schedule, wrote."""
    settings.SAFEGRID_AUDIT_ANCHOR_FILE = (
        tmp_path_factory.getbasetemp() / "anchors" / f"{uuid.uuid4().hex}.jsonl"
    )


@pytest.fixture(autouse=True)
def _default_language():
    """A request served in English leaves English active in the thread; every test starts in Chinese."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the per-process cache outlives a test's rolled-back rows)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    from safegrid.testworld import build_world

    return build_world()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a whole module, rolled back at its end: rows built once (a demo county) are
    shared by the module's tests, and each test's own `db` transaction nests inside it as a savepoint, so a
    test's writes still vanish after it. Every test of such a module must tolerate the shared rows (a test
    that needs an empty database lives in another module). Not for transactional (live-server) tests."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        atomic._from_testcase = True  # like TestCase's own blocks: a durable atomic inside is still allowed
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def login(client):
    """login(user) -> the Django test client signed in as that user."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture(autouse=True, scope="session")
def _serialized_rollback_replaces_recreated_content_types():
    """A transactional test without serialized_rollback flushes the database and lets post_migrate create
    the content types and permissions again, on PostgreSQL under new ids (the sequences run on). A later
    serialized_rollback test then restores the originals under their old ids and collides with those
    (UNIQUE app_label, model). They are the serialized copy's to restore, so they go first."""
    from django.db.backends.base.creation import BaseDatabaseCreation

    original = BaseDatabaseCreation.deserialize_db_from_string

    def deserialize(self, data):
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        Permission.objects.using(self.connection.alias).all().delete()
        ContentType.objects.using(self.connection.alias).all().delete()
        ContentType.objects.clear_cache()
        return original(self, data)

    BaseDatabaseCreation.deserialize_db_from_string = deserialize
    yield
    BaseDatabaseCreation.deserialize_db_from_string = original


@pytest.fixture(autouse=True, scope="session")
def _postgresql_flush_deletes_rows():
    """Between transactional (live-server, worker) tests Django empties every table with one TRUNCATE, which
    on PostgreSQL replaces the files of each table and index: ≈ 5 s a test here, against ≈ 0.1 s for a
    DELETE of the few rows a test leaves. Foreign keys are DEFERRABLE, so one transaction deletes the tables
    in any order. Only the test run's flushes change; a flush that resets sequences keeps TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        # Table names come from the introspection of the test database, quoted.
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [f"DELETE FROM {self.quote_name(t)};" for t in tables]  # noqa: S608

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original
