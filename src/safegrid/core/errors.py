"""The 500 page: rendered from a self-contained template with nothing but the request id.

The 400/403/404 pages are Django's own views with the templates `400.html`, `403.html`, `403_csrf.html` and
`404.html` (the product's layout); only the 500 view is ours, to show the request id a user can quote
to the administrator (the same id is in the log line of the failure).
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponseServerError
from django.template import loader

from .context import request_id_var

logger = logging.getLogger(__name__)

# Used only if even the self-contained template cannot be rendered (e.g. a broken template directory).
FALLBACK = (
    '<!doctype html><html lang="zh-hans"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>500</title><h1>系统出错了 / Server error</h1>"
    '<p>请稍后重试。/ Please try again later.</p><p><a href="/">首页 / Home</a></p></html>'
)


def server_error(request: HttpRequest) -> HttpResponseServerError:
    html: str
    try:
        html = loader.render_to_string("500.html", {"request_id": request_id_var.get()})
    except Exception:  # noqa: BLE001 - the error page must answer whatever else is broken
        logger.exception("the 500 page could not be rendered")
        html = FALLBACK
    return HttpResponseServerError(html)
