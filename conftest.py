import os
import uuid

os.environ.setdefault("SAFEGRID_PROFILE", "test")

import pytest  # noqa: E402


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


@pytest.fixture
def login(client):
    """login(user) -> the Django test client signed in as that user."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login
