"""URLs under /api/v1/: the ninja API, its docs assets, and JSON answers for what ninja leaves plain."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path

from safegrid.api import errors
from safegrid.api.docs import docs_asset

from .api import api


def _json_not_allowed(view: Callable[..., Any]) -> Callable[..., Any]:
    """ninja answers a wrong method with a plain-text 405; give it the API's error shape."""
    if iscoroutinefunction(view):
        return view

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            body = errors.error_body(errors.METHOD_NOT_ALLOWED, f"不支持 {request.method} 方法")
            replacement = JsonResponse(body, status=405, json_dumps_params={"ensure_ascii": False})
            replacement["Allow"] = response["Allow"]
            return replacement
        return response

    return wrapped


def _wrap(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    return [
        URLPattern(p.pattern, _json_not_allowed(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any path under /api/v1/ that names no route."""
    return JsonResponse(errors.error_body(errors.NOT_FOUND, "没有这个接口"), status=404)


_patterns, _app_name, _namespace = api.urls

urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="api_docs_asset"),
    path("", (_wrap(_patterns), _app_name, _namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
