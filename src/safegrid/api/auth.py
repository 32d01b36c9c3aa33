"""How an API request says who it is: a bearer token, or the browser's session.

`Authorization: Bearer <token>` is checked first. A request that carries an Authorization header is
judged by it alone (a bad token is 401, never a fallback to the session). Otherwise the Django
session is accepted; for unsafe methods ninja's cookie auth enforces CSRF, as for any form.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from safegrid.core import tokens
from safegrid.core.models import ApiToken, User


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = tokens.token_verify(token.strip())
        if api_token is None:
            return None
        user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        request.user = user  # so code that reads request.user (audit, templates) sees the token's owner
        return user


class SessionUserAuth(SessionAuth):
    """Django session auth (with CSRF on unsafe methods), unless an Authorization header is present.

    Without a signed-in session there is nothing for CSRF to protect: the request is simply not
    authenticated (401), not refused as a forgery (403)."""

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization") or self.authenticate(request, None) is None:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
            return None
        return user if user.is_active else None


api_auth = [BearerTokenAuth(), SessionUserAuth()]


def current_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (routes run only after auth succeeded)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise TypeError("current_user() called on a route without authentication")
    return user


def current_token(request: HttpRequest) -> ApiToken | None:
    """The bearer token the request came with (None for session requests)."""
    return getattr(request, "api_token", None)
