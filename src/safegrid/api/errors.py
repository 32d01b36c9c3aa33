"""One error shape for every API error.

    {"error": {"code": "validation_error", "message": "提交的数据有误", "fields": {"lat": ["…"]}}}

`code` is one of the ERROR_CODES; `message` is Chinese; `fields` maps a field name to its messages
(empty when the error concerns no field). Every exception a route or the auth layer can raise is
mapped here, so clients parse one structure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)

VALIDATION_ERROR = "validation_error"
NOT_FOUND = "not_found"
FORBIDDEN = "forbidden"
UNAUTHORIZED = "unauthorized"
CONFLICT = "conflict"
THROTTLED = "throttled"
TOO_LARGE = "too_large"
METHOD_NOT_ALLOWED = "method_not_allowed"
SERVER_ERROR = "server_error"
ERROR_CODES = (
    VALIDATION_ERROR,
    NOT_FOUND,
    FORBIDDEN,
    UNAUTHORIZED,
    CONFLICT,
    THROTTLED,
    TOO_LARGE,
    METHOD_NOT_ALLOWED,
    SERVER_ERROR,
)

MESSAGES = {
    VALIDATION_ERROR: "提交的数据有误，请检查标出的字段",
    NOT_FOUND: "不存在或无权查看",
    FORBIDDEN: "无权执行此操作",
    UNAUTHORIZED: "未登录或令牌无效、已过期、已吊销",
    CONFLICT: "与已有数据冲突（重复的记录）",
    THROTTLED: "请求过于频繁，请稍后再试",
    TOO_LARGE: "请求内容过大",
    METHOD_NOT_ALLOWED: "不支持该请求方法",
    SERVER_ERROR: "服务器内部错误，请稍后再试或联系管理员",
}

STATUS_CODES = {400: VALIDATION_ERROR, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}
STATUS_CODES.update({405: METHOD_NOT_ALLOWED, 413: TOO_LARGE, 422: VALIDATION_ERROR, 429: THROTTLED})
BLANK = "此字段不能为空"

# pydantic v2 error types -> Chinese; `{name}` placeholders come from the error's ctx.
PYDANTIC_MESSAGES = {
    "missing": "此字段为必填项",
    "less_than_equal": "不能大于 {le}",
    "less_than": "须小于 {lt}",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "须大于 {gt}",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "finite_number": "须为有限数字",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "string_type": "须为字符串",
    "list_type": "须为列表",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601",
    "datetime_from_date_parsing": "时间格式应为 ISO 8601",
    "enum": "不是有效的选项（可选：{expected}）",
    "literal_error": "不是有效的选项（可选：{expected}）",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "请求体不是有效的 JSON",
    "string_pattern_mismatch": "格式不正确",
}


def error_body(
    code: str, message: str | None = None, fields: Mapping[str, Iterable[str]] | None = None
) -> dict:
    return {
        "error": {
            "code": code,
            "message": str(message or MESSAGES[code]),
            "fields": {str(k): [str(m) for m in v] for k, v in (fields or {}).items()},
        }
    }


LOCATIONS = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


def _field_name(loc: Iterable[Any]) -> str:
    """The field an error is about: the last named element of its location.

    ninja locations start with where the value came from ("body", "query", "path"…) and, for a
    body, the view's parameter name ("payload"); neither is a field. ("body", "payload", "lat")
    names `lat`; ("body", "payload", "sectors", 0) names `sectors`; ("body", "payload") alone
    (the body is missing) names no field.
    """
    names = [str(part) for part in loc if not isinstance(part, int)]
    if names and names[0] in LOCATIONS:
        kind = names.pop(0)
        if kind in {"body", "form"} and names:
            names.pop(0)
    return names[-1] if names else NON_FIELD_ERRORS


def _pydantic_message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        # Our own validators raise ValueError with a Chinese message; pydantic prefixes it.
        cause = ctx.get("error")
        return str(cause) if cause is not None else str(error.get("msg", "")).removeprefix("Value error, ")
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return BLANK  # "   " is blank after the input rule strips it
    if error.get("input", "") is None and kind.endswith("_type"):
        return BLANK  # an explicit null where the field needs a value
    template = PYDANTIC_MESSAGES.get(kind)
    if template is None:
        return str(error.get("msg", MESSAGES[VALIDATION_ERROR]))
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split("（")[0]


def ninja_validation_fields(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_pydantic_message(error))
    return fields


def django_validation_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def _first_message(fields: Mapping[str, list[str]]) -> str:
    """A single-problem error reads best with the problem itself as the message."""
    every = [(name, m) for name, messages in fields.items() for m in messages]
    if len(every) == 1:
        name, message = every[0]
        return message
    return MESSAGES[VALIDATION_ERROR]


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api` (replacing ninja's defaults)."""

    def respond(
        request: HttpRequest,
        status: int,
        code: str,
        message: str | None = None,
        fields: Mapping[str, Iterable[str]] | None = None,
    ) -> HttpResponse:
        return api.create_response(request, error_body(code, message, fields), status=status)

    def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = ninja_validation_fields(exc.errors)
        return respond(request, 422, VALIDATION_ERROR, _first_message(fields), fields)

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        fields = django_validation_fields(exc)
        return respond(request, 422, VALIDATION_ERROR, _first_message(fields), fields)

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, NOT_FOUND)

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) if exc.args and str(exc) else None
        return respond(request, 403, FORBIDDEN, message)

    def on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        logger.info("API write refused by a database constraint: %s", exc)
        return respond(request, 409, CONFLICT)

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, UNAUTHORIZED)
        response["WWW-Authenticate"] = 'Bearer realm="safegrid"'
        return response

    def on_authorization(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return respond(request, 403, FORBIDDEN)

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return respond(request, 429, THROTTLED)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = STATUS_CODES.get(exc.status_code, VALIDATION_ERROR if exc.status_code < 500 else SERVER_ERROR)
        message = None
        if exc.status_code == 403 and "CSRF" in exc.message:
            message = "CSRF 校验失败：浏览器会话的写操作须带 X-CSRFToken 请求头，或改用 Bearer 令牌"
        elif exc.status_code == 400:
            message = "请求格式有误（请求体须为有效的 JSON）"
        return respond(request, exc.status_code, code, message)

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error on %s %s", request.method, request.path)
        return respond(request, 500, SERVER_ERROR)

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (NinjaValidationError, on_ninja_validation),
        (DjangoValidationError, on_django_validation),
        (Http404, on_404),
        (PermissionDenied, on_permission_denied),
        (IntegrityError, on_integrity),
        (AuthenticationError, on_authentication),
        (AuthorizationError, on_authorization),
        (Throttled, on_throttled),
        (HttpError, on_http_error),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


# The error answers an operation can give besides its own, for the OpenAPI document: what the request
# boundary (`core.middleware.RequestLimitsMiddleware`), authentication and Idempotency-Key add.
DOCUMENTED: dict[str, str] = {
    "400": "请求格式有误：请求体不是有效的 JSON、multipart 无分隔符，或地址中含有控制字符",
    "401": "未登录或令牌无效、已过期、已吊销",
    "409": "与已有数据冲突，或使用同一幂等键的请求仍在处理中",
    "413": "请求内容过大",
    "422": "提交的数据有误（fields 中按字段名列出）",
}
UNSAFE = frozenset({"post", "put", "patch", "delete"})


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers every operation can give (in the one error shape) to `schema`."""
    reference = {"$ref": "#/components/schemas/ErrorOut"}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            statuses = ["400", "422"]
            if operation.get("security"):
                statuses.append("401")
                if method in UNSAFE:
                    statuses.append("409")
            if "requestBody" in operation or method in UNSAFE:
                statuses.append("413")
            # ninja keys its own answers by int: one key per status, or the JSON has it twice (and
            # Swagger UI's parser refuses a document with a duplicated key).
            responses = {str(code): answer for code, answer in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for status in statuses:
                responses.setdefault(
                    status,
                    {
                        "description": DOCUMENTED[status],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return schema
