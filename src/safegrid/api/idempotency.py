"""`Idempotency-Key` on every unsafe API request, implemented once for all routers.

Follows the IETF draft "The Idempotency-Key HTTP Header Field" (draft-ietf-httpapi-idempotency-key-header):

- A POST, PUT, PATCH or DELETE sent with `Idempotency-Key: <key>` runs in one transaction. When it
  succeeds (2xx) its answer (status, content type, body) is stored under (user, key) in that same
  transaction, so the key, the objects the request wrote and their audit entries commit together or not
  at all.
- The same user sending the same key with the same request again (method, path with query string and
  body; a JSON body compares by content, not by spacing or key order) gets the stored answer, with
  `Idempotent-Replayed: true`, and nothing runs: no second object, no second audit entry.
- The same key with a different request: 422 `validation_error` naming the field `Idempotency-Key` (the
  draft's answer for a reused key).
- The same key while its first request is still running: 409 `conflict` naming `Idempotency-Key` (the
  draft's answer). PostgreSQL detects this with a transaction-scoped advisory lock; SQLite runs one
  writer at a time (BEGIN IMMEDIATE), so there the duplicate waits for the first and is then replayed.
- Error answers (4xx and 5xx) are not stored: the request's transaction is rolled back as a whole, and the
  same key can be sent again (after fixing the cause) and will run.
- Keys belong to a user (all of a user's tokens and the session share them; another user's equal key is
  a different key) and are kept for `SAFEGRID_IDEMPOTENCY_KEY_HOURS` (default 24); `purge_expired()`
  deletes older ones and is meant for a schedule. After it expires a key is new again.
- A key is 8–255 characters from `A–Z a–z 0–9 - _ . : ~ + / =` (a UUID is a good key); the draft's
  quoted form `"…"` is accepted. A malformed key is 422 naming `Idempotency-Key`.
- Safe methods and routes without authentication (`POST /auth/token`) ignore the header.
- HTML form views take the same header through `form_view` (the offline outbox of the phone pages posts
  a stored form with it): same keys, same table, same answers; a redirect (the form's success) is stored
  with its Location and replayed as that redirect; a form is "the same request" by its fields (without
  the CSRF token, which changes between page loads) and the SHA-256 of each uploaded file, as a multipart
  body's boundary differs on every send; a request without a signed-in session is 401 JSON rather than
  the sign-in redirect, so the outbox can tell "sign in again" from "sent".

`install(api)` wires it into a NinjaAPI (`SafeGridAPI` does so): a "view" decorator opens the transaction
around the whole operation and stores the answer; an "operation" decorator, which runs after
authentication and body validation, checks the key before the route's code.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.http.request import RawPostDataException
from django.utils import timezone

from safegrid.core.models import User

from . import errors
from .models import IdempotencyKey

if TYPE_CHECKING:
    from ninja import NinjaAPI

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:~+/=-]{8,255}")

MALFORMED = "幂等键须为 8–255 个字符，只含字母、数字和 - _ . : ~ + / =（建议使用 UUID）"
REUSED = "该幂等键已用于另一个请求（方法、路径或请求体不同）；新的请求请使用新的幂等键"
IN_FLIGHT = "使用该幂等键的请求正在处理中，请稍后重试"
SIGNED_OUT = "登录已过期，请重新登录后再发送"
CSRF_FIELD = "csrfmiddlewaretoken"

_ATTRIBUTE = "_safegrid_idempotency"


class IdempotencyInFlight(Exception):
    """A request with the same key has not finished yet (answered 409)."""


class IdempotentReplay(Exception):
    """The key was used before for the same request: answer with what was stored."""

    def __init__(self, record: IdempotencyKey) -> None:
        super().__init__(record.key)
        self.record = record


def parse_key(raw: str) -> str:
    """The key of a header value, or ValidationError naming the header."""
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError({HEADER: MALFORMED})
    return key


def _canonical_body(body: bytes) -> bytes:
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of what makes two requests "the same": method, full path, body (JSON by content)."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), _canonical_body(body)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def form_body(request: HttpRequest) -> bytes:
    """What a parsed form held: its fields (without the CSRF token) and each file's name, size and SHA-256."""
    fields = sorted((name, values) for name, values in request.POST.lists() if name != CSRF_FIELD)
    files = []
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            files.append((name, upload.name or "", upload.size or 0, digest.hexdigest()))
    return repr((fields, files)).encode()


def _request_body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RawPostDataException:  # a multipart body already read as a stream: compare what it held
        return form_body(request)


def _lock_id(user_pk: int, key: str) -> int:
    digest = hashlib.sha256(f"safegrid-idempotency:{user_pk}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(hours=settings.SAFEGRID_IDEMPOTENCY_KEY_HOURS)


@dataclass
class _Pending:
    """The key of the current request, between the check before the route and the store after it."""

    raw: str
    key: str = ""
    user: User | None = None
    fingerprint: str = ""

    def check(self, request: HttpRequest, user: User, body: bytes | None = None) -> None:
        """Before the route runs (inside the request's transaction): replay, refuse, or let it run."""
        self.key = parse_key(self.raw)
        if body is None:
            body = _request_body(request)
        self.fingerprint = fingerprint(request.method or "", request.get_full_path(), body)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_id(user.pk, self.key)])
                if not cursor.fetchone()[0]:
                    raise IdempotencyInFlight(self.key)
        existing = IdempotencyKey.objects.filter(user=user, key=self.key).first()
        if existing is not None:
            if existing.expires_at > timezone.now():
                if existing.fingerprint != self.fingerprint:
                    raise ValidationError({HEADER: REUSED})
                raise IdempotentReplay(existing)
            existing.delete()
        self.user = user

    def store(self, request: HttpRequest, response: HttpResponse) -> None:
        """After the route succeeded, in the same transaction as its writes."""
        assert self.user is not None
        now = timezone.now()
        with transaction.atomic():  # a savepoint: a racing insert must not break the outer transaction
            IdempotencyKey.objects.create(
                user=self.user,
                key=self.key,
                fingerprint=self.fingerprint,
                method=request.method or "",
                path=request.get_full_path()[:1000],
                status_code=response.status_code,
                content_type=response.get("Content-Type", ""),
                location=response.get("Location", "")[:1000] if 300 <= response.status_code < 400 else "",
                response_body=response.content,
                created_at=now,
                expires_at=expiry(now),
            )


def replay_response(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body), status=record.status_code, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    response[REPLAYED_HEADER] = "true"
    return response


def _conflict_response() -> JsonResponse:
    body = errors.error_body(errors.CONFLICT, IN_FLIGHT, {HEADER: [IN_FLIGHT]})
    return JsonResponse(body, status=409, json_dumps_params={"ensure_ascii": False})


def _json_error(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> JsonResponse:
    body = errors.error_body(code, message, fields)
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def form_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Give an HTML form view the Idempotency-Key behaviour of the API (put it above `login_required`).

    Without the header (an ordinary form post) the view runs as before. With it: the view runs in one
    transaction with the key's check and store; a success (2xx, or the redirect after a saved form) is
    stored and replayed; a re-rendered form with errors (4xx) or a failure is rolled back and not stored.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        raw = request.headers.get(HEADER)
        if raw is None or request.method not in UNSAFE_METHODS:
            return view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
            return _json_error(401, errors.UNAUTHORIZED, SIGNED_OUT)
        pending = _Pending(raw)
        try:
            with transaction.atomic():
                pending.check(request, user, form_body(request))
                response = view(request, *args, **kwargs)
                if not 200 <= response.status_code < 400 or not isinstance(response, HttpResponse):
                    transaction.set_rollback(True)
                    return response
                try:
                    pending.store(request, response)
                except IntegrityError:
                    transaction.set_rollback(True)
                    return _conflict_response()
                return response
        except IdempotentReplay as exc:
            return replay_response(exc.record)
        except IdempotencyInFlight:
            return _conflict_response()
        except ValidationError as exc:
            if HEADER not in exc.message_dict:
                raise
            return _json_error(422, errors.VALIDATION_ERROR, exc.message_dict[HEADER][0], exc.message_dict)

    return wrapped


def _around_operation(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Mode "view" (outside authentication): the transaction, and storing a successful answer."""

    @functools.wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        raw = request.headers.get(HEADER)
        if raw is None or request.method not in UNSAFE_METHODS:
            return run(request, *args, **kwargs)
        pending = _Pending(raw)
        setattr(request, _ATTRIBUTE, pending)
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            if pending.user is None:  # the route did not run (refused earlier, or replayed)
                return response
            if not 200 <= response.status_code < 300 or not isinstance(response, HttpResponse):
                transaction.set_rollback(True)
                return response
            try:
                pending.store(request, response)
            except IntegrityError:  # the same key committed meanwhile (a backend without the lock)
                transaction.set_rollback(True)
                return _conflict_response()
        return response

    return wrapped


def _before_route(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Mode "operation" (after authentication and body validation): replay or refuse before the route."""

    @functools.wraps(view_func)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        pending = getattr(request, _ATTRIBUTE, None)
        user = getattr(request, "auth", None)
        if isinstance(pending, _Pending) and isinstance(user, User):
            pending.check(request, user)
        return view_func(request, *args, **kwargs)

    return wrapped


def install(api: NinjaAPI) -> None:
    """Give every operation of `api` (all its routers, present and future) the Idempotency-Key behaviour."""
    api.add_decorator(_around_operation, mode="view")
    api.add_decorator(_before_route, mode="operation")
    api.add_exception_handler(IdempotentReplay, lambda request, exc: replay_response(exc.record))
    api.add_exception_handler(IdempotencyInFlight, lambda request, exc: _conflict_response())


def purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete expired keys (for a schedule); returns how many were deleted."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


OPENAPI_PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "可选。同一用户以同一幂等键重发同一请求时，返回首次的结果（应答头 Idempotent-Replayed: true），"
        "不会重复创建；同一键用于不同请求返回 422，首个请求仍在处理时返回 409。8–255 个字符，建议用 UUID。"
    ),
    "schema": {"type": "string", "minLength": 8, "maxLength": 255, "pattern": KEY_PATTERN.pattern},
}


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the optional header to every authenticated unsafe operation of an OpenAPI document."""
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method.upper() in UNSAFE_METHODS and operation.get("security"):
                operation.setdefault("parameters", []).append(dict(OPENAPI_PARAMETER))
    return schema
