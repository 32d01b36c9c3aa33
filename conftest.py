import os

os.environ.setdefault("SAFEGRID_PROFILE", "test")

import pytest  # noqa: E402


@pytest.fixture
def world(db):
    from safegrid.core.testing import build_world

    return build_world()


@pytest.fixture
def login(client):
    """login(user) -> the Django test client signed in as that user."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login
