import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .context import request_id_var
from .excel.cells import MAX_FILE_BYTES


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


# Control characters have no place in a URL; PostgreSQL refuses NUL in any text it is asked about.
_URL_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
# A multipart request carries an upload (an Excel file, a site plan) beside its form fields.
MAX_MULTIPART_BYTES = 2 * MAX_FILE_BYTES


class RequestLimitsMiddleware:
    """The request boundary, before anything reads the request: what no view should ever see is
    answered here, for pages and the API alike (JSON in the API's error shape under /api/).

    - 400: a control character in the path or the query string; a form body that cannot be parsed
      (multipart without a boundary, too many fields or files);
    - 413: a body over `DATA_UPLOAD_MAX_MEMORY_SIZE` (JSON, forms), or over that plus
      `MAX_MULTIPART_BYTES` for a multipart upload; a multipart text field over the limit.

    Form bodies are parsed here (CSRF would parse them a moment later), so a parsing error is one
    answer here instead of a 500 in whichever code reads `request.POST` first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.refusal(request)
        if refusal is not None:
            return self.refuse(request, *refusal)
        return self.get_response(request)

    def refusal(self, request: HttpRequest) -> tuple[int, str | Promise, dict[str, object]] | None:
        """(status, message, its parameters) when the request is refused."""
        if _URL_CONTROL.search(request.path) or any(
            _URL_CONTROL.search(key) or any(_URL_CONTROL.search(v) for v in values)
            for key, values in request.GET.lists()
        ):
            return 400, _("请求地址中含有控制字符，已拒绝"), {}
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 400, _("请求头 Content-Length 无效"), {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        if request.content_type == "multipart/form-data":
            limit += MAX_MULTIPART_BYTES
        size: dict[str, object] = {"mb": round(limit / 2**20, 1)}
        if limit and length > limit:
            return 413, _("请求内容过大（上限 %(mb)s MB）"), size
        if request.method == "POST" and request.content_type in _FORM_TYPES:
            try:
                request.POST  # noqa: B018  # parsed once, here; cached on the request
                request.FILES  # noqa: B018
            except RequestDataTooBig:
                return 413, _("表单内容过大（上限 %(mb)s MB）"), size
            except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent):
                return 400, _("表单数据格式有误，无法解析"), {}
        return None

    def refuse(
        self, request: HttpRequest, status: int, message: str | Promise, params: dict[str, object]
    ) -> HttpResponse:
        if request.path.startswith("/api/"):  # the API speaks Chinese (its error shape)
            code = "too_large" if status == 413 else "validation_error"
            with translation.override(settings.LANGUAGE_CODE):
                body = {"error": {"code": code, "message": str(message) % params, "fields": {}}}
            return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
        with translation.override(translation.get_language_from_request(request)):
            title = gettext("请求内容过大") if status == 413 else gettext("请求无效")
            context = {"title": title, "message": str(message) % params}
            html = render_to_string("core/request_refused.html", context)
        return HttpResponse(html, status=status)


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
