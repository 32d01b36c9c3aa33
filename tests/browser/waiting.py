"""Waiting for a condition in a page whose CSP forbids eval.

Playwright's `wait_for_function` evaluates its predicate once through the DevTools protocol (allowed) and
then polls it with `eval` inside the page, which `script-src 'self'` refuses; it passes only when the first
check is already true. `page.evaluate` is always a protocol call, so polling it from here works under the
product's own CSP."""

from __future__ import annotations

import time
from typing import Any


def wait_until(page: Any, expression: str, arg: Any = None, timeout_s: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        result = page.evaluate(expression, arg)
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout_s:g} s: {expression}")
        page.wait_for_timeout(100)
