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
    done = _settings_in_subprocess({"SAFEGRID_PROFILE": "production", "SAFEGRID_SECRET_KEY": "x" * 50})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "True"]


def test_production_without_secret_key_refuses_to_start():
    done = _settings_in_subprocess({"SAFEGRID_PROFILE": "production"})
    assert done.returncode != 0 and "SAFEGRID_SECRET_KEY" in done.stderr


def test_bad_database_url_refuses_to_start():
    done = _settings_in_subprocess({"DATABASE_URL": "nonsense://"})
    assert done.returncode != 0 and "DATABASE_URL" in done.stderr
