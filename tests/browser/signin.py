"""Signing in through the real login page, as every browser test starts."""

from __future__ import annotations

from typing import Any

from safegrid.core.testing import PASSWORD


def sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> Any:
    """Sign `page` in as `username`; fails the test when the login page refuses. Returns the page."""
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login/" not in page.url, f"login as {username} failed"
    return page


def signed_in_page(context: Any, base: str, username: str) -> Any:
    """A new page of `context` (a browser context: its own cookies), signed in as `username`."""
    return sign_in(context.new_page(), base, username)
