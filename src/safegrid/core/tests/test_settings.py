import secrets
import string
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from safegrid import settings as s


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_BOOL", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        s.env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        s.env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        s.env_int("X_INT", 5, minimum=1)
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert s.env_list("X_LIST", []) == ["a", "b", "c"]


def _settings_in_subprocess(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "import safegrid.settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    base = {"PATH": "/usr/bin:/bin", "SAFEGRID_VAR_DIR": "/tmp/safegrid-settings-test"}
    return subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True)


def test_production_profile_is_locked_down():
    done = _settings_in_subprocess(
        {
            "SAFEGRID_PROFILE": "production",
            "SAFEGRID_SECRET_KEY": secrets.token_urlsafe(50),
            "SAFEGRID_ALLOWED_HOSTS": "safegrid.example.org",
        }
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "True"]


def test_production_without_secret_key_refuses_to_start():
    done = _settings_in_subprocess({"SAFEGRID_PROFILE": "production"})
    assert done.returncode != 0 and "SAFEGRID_SECRET_KEY" in done.stderr


def test_bad_database_url_refuses_to_start():
    done = _settings_in_subprocess({"DATABASE_URL": "nonsense://"})
    assert done.returncode != 0 and "DATABASE_URL" in done.stderr


RANDOM_49 = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(49))


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "is 0 characters long; use at least 50"),
        (RANDOM_49, "is 49 characters long; use at least 50"),
        (RANDOM_49 + "x", None),  # 50 random characters: ~290 bits
        ("x" * 200, "is too repetitive (about 0 bits of entropy; at least 128 needed)"),
        ("ab" * 63, "is too repetitive (about 126 bits of entropy; at least 128 needed)"),
        ("ab" * 64, None),  # exactly 128 bits by the estimate: the boundary is accepted
        ("django-insecure-" + RANDOM_49, "is a development key"),
        (s._DEV_SECRET_KEY + RANDOM_49, None),  # only the exact development key is refused
        (secrets.token_urlsafe(50), None),
    ],
)
def test_secret_key_strength(key, problem):
    assert s.secret_key_problem(key) == problem
