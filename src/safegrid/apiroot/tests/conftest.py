from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from safegrid.core import tokens


@pytest.fixture
def bearer(world) -> Callable[[str], dict[str, str]]:
    """bearer("town_a") -> client kwargs carrying a fresh token of that world user."""

    def _bearer(username: str) -> dict[str, str]:
        user = world.user(username)
        raw, _ = tokens.token_issue(actor=user, user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is an error of the one shape, with this status and code; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), "the message is Chinese"
    assert isinstance(error["fields"], dict)
    assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in error["fields"].values())
    return error
