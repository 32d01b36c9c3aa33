"""What `make run` serves: gunicorn with safegrid.gunicorn_conf, DEBUG off, static files by WhiteNoise, and the
product's own 404 and 403 pages (never Django's debug pages), on a fresh database in a temporary folder."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, data: bytes | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, data=data)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own local server
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var_dir = tmp_path_factory.mktemp("make-run")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGRID_", "DATABASE_URL", "DJANGO_"))}
    # As `make run` sets it: the dev profile, DEBUG off.
    env.update(
        SAFEGRID_PROFILE="dev", SAFEGRID_DEBUG="0", SAFEGRID_VAR_DIR=str(var_dir), SAFEGRID_WEB_WORKERS="2"
    )
    migrate = subprocess.run(
        [sys.executable, "-m", "safegrid", "migrate", "--noinput"], env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [
            str(gunicorn),
            "-c",
            "python:safegrid.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "safegrid.wsgi",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, process.stderr.read() if process.stderr else "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_login_page_and_its_static_files_are_served(server: str) -> None:
    status, headers, page = get(f"{server}/login/")
    assert status == 200 and headers["Server"] == "gunicorn"
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page)
    assert "/static/vendor/tabler/css/tabler.min.css" in stylesheets
    for path in [*stylesheets, "/static/vendor/htmx/htmx.min.js", "/static/core/app.js"]:
        assert get(f"{server}{path}")[0] == 200, path


def test_an_unknown_address_gets_the_products_404_not_the_debug_page(server: str) -> None:
    status, _, page = get(f"{server}/no/such/page/")
    assert status == 404
    assert "页面不存在" in page and "返回首页" in page
    assert "URLconf" not in page and "DEBUG = True" not in page


def test_a_form_posted_without_its_token_gets_the_products_403(server: str) -> None:
    status, _, page = get(f"{server}/login/", data=b"username=x&password=y")
    assert status == 403
    assert "页面已过期" in page and "CSRF verification failed" not in page
