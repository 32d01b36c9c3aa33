import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import request_id_var


class RequestIdMiddleware:
    """Give every request an id (or take the proxy's X-Request-ID) for logs and the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` on every answer to a signed-in request (session or API token).

    Pages and JSON for a signed-in user hold scoped data: no browser cache, proxy or shared computer may
    keep them (the back button after sign-out must not show them either). A view that chose its own
    caching for a signed-in answer (a QR picture, the site plan: `private, max-age=…`) keeps it. Static
    files never get here (WhiteNoise answers them first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = (user is not None and user.is_authenticated) or "Authorization" in request.headers
        if signed_in and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
