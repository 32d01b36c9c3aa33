"""The production profile: it builds its static files and serves pages with them (manifest storage, DEBUG
off), refuses to start with a weak key or no host names, and lets plain-HTTP probes through.

Settings are read once per process, so each step runs as its own `safegrid` process with the production
environment, against a temporary SAFEGRID_VAR_DIR (static root and SQLite file).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "safegrid"
STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""")

# Loads the login page through the whole middleware stack, as a browser behind TLS would.
LOAD_LOGIN = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/login/", secure=True)
print(json.dumps({"status": response.status_code, "body": response.content.decode()}))
"""


PROBE = """
import django, json
django.setup()
from django.test import Client
client = Client()
answers = {}
for path, secure in (("/healthz", False), ("/readyz", False), ("/login/", False), ("/healthz", True)):
    response = client.get(path, secure=secure)
    answers[f"{'https' if secure else 'http'} {path}"] = [
        response.status_code, response.headers.get("Location", ""), response.headers.get("Strict-Transport-Security", "")
    ]
print(json.dumps(answers))
"""


def production_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGRID_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        SAFEGRID_PROFILE="production",
        SAFEGRID_SECRET_KEY=secrets.token_urlsafe(50),
        SAFEGRID_ALLOWED_HOSTS="testserver",
        SAFEGRID_VAR_DIR=str(var_dir),
        SAFEGRID_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="safegrid.settings",
    )
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    var_dir = tmp_path_factory.mktemp("production")
    env = production_env(var_dir)
    result = run(env, "-m", "safegrid", "collectstatic", "--noinput")
    assert result.returncode == 0, result.stderr[-3000:]
    return env, var_dir


def test_collectstatic_writes_the_manifest(built: tuple[dict[str, str], Path]) -> None:
    _, var_dir = built
    manifest = json.loads((var_dir / "static" / "staticfiles.json").read_text())["paths"]
    assert "vendor/tabler/css/tabler.min.css" in manifest
    assert (var_dir / "static" / manifest["vendor/htmx/htmx.min.js"]).is_file()


def test_every_static_file_a_template_names_is_in_the_manifest(built: tuple[dict[str, str], Path]) -> None:
    _, var_dir = built
    manifest = json.loads((var_dir / "static" / "staticfiles.json").read_text())["paths"]
    named = {
        (template.relative_to(SRC).as_posix(), name)
        for template in SRC.rglob("templates/**/*.html")
        for name in STATIC_TAG.findall(template.read_text())
    }
    assert named, "no {% static %} tag found: the pattern no longer matches the templates"
    missing = sorted(f"{template}: {name}" for template, name in named if name not in manifest)
    assert not missing, f"named by a template but not collected (a 500 in production): {missing}"


def test_login_page_answers_200_with_hashed_static_urls(built: tuple[dict[str, str], Path]) -> None:
    env, _ = built
    result = run(env, "-c", LOAD_LOGIN)
    assert result.returncode == 0, result.stderr[-3000:]
    page = json.loads(result.stdout.strip().splitlines()[-1])
    assert page["status"] == 200, page["body"][:2000]
    assert re.search(r"/static/vendor/tabler/css/tabler\.min\.[0-9a-f]{12}\.css", page["body"])


def test_plain_http_probes_are_not_redirected_and_https_answers_carry_hsts(tmp_path: Path) -> None:
    result = run(production_env(tmp_path), "-c", PROBE)
    assert result.returncode == 0, result.stderr[-3000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers["http /healthz"][0] == 200
    assert answers["http /readyz"][0] == 200
    assert answers["http /login/"][:2] == [301, "https://testserver/login/"]
    assert answers["https /healthz"] == [200, "", "max-age=31536000"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SAFEGRID_SECRET_KEY": "x"}, "SAFEGRID_SECRET_KEY is 1 characters long"),
        ({"SAFEGRID_SECRET_KEY": "ab" * 40}, "SAFEGRID_SECRET_KEY is too repetitive"),
        ({"SAFEGRID_ALLOWED_HOSTS": ""}, "SAFEGRID_ALLOWED_HOSTS must name the host names"),
        ({"SAFEGRID_ALLOWED_HOSTS": " , "}, "SAFEGRID_ALLOWED_HOSTS must name the host names"),
    ],
)
def test_production_refuses_to_start_with_a_weak_key_or_no_hosts(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    result = run({**production_env(tmp_path), **change}, "-m", "safegrid", "check")
    assert result.returncode != 0
    assert message in result.stderr
