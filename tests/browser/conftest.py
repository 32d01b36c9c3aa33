"""Playwright (Python) driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls in these tests are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("SAFEGRID_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (apt-get install -y chromium fonts-noto-cjk)")
        pytest.skip(f"{CHROMIUM} not installed: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_world(transactional_db):
    from safegrid.testworld import build_world

    return build_world()


@pytest.fixture
def shots():
    """Where screenshots go when SAFEGRID_SCREENSHOTS is set (a folder outside the repo); else nowhere."""
    folder = os.environ.get("SAFEGRID_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def phone_and_desktop():
    return [("desktop", {"width": 1440, "height": 900}), ("phone", {"width": 390, "height": 844})]


__all__ = ["phone_and_desktop", "shutil"]
