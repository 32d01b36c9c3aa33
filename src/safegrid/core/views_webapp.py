"""The installable web app's URLs: /manifest.webmanifest, /sw.js (root scope) and /offline/ (the page the
service worker shows when a page is neither reachable nor kept). None needs a sign-in: they hold no data."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from . import webapp


@require_GET
def manifest_view(request: HttpRequest) -> HttpResponse:
    body = webapp.manifest(
        name=gettext("安全生产双重预防"),
        short_name=gettext("双重预防"),
        description=gettext("风险分级管控和隐患排查治理：今日检查、隐患登记，无信号时也能记录"),
    )
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1),
        content_type="application/manifest+json; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(webapp.worker_script(), content_type="text/javascript; charset=utf-8")
    # Served from the root so it may control every page; the browser checks it for updates on each
    # navigation (no-cache: revalidate), and the header states the scope it is allowed.
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline_view(request: HttpRequest) -> HttpResponse:
    """The same for everyone (the worker precaches it once): no user, no data; the outbox banner is
    drawn by offline.js from the phone's own storage."""
    response = render(
        request,
        "core/webapp/offline.html",
        {"title": gettext("当前没有网络"), "start_pages": webapp.start_pages()},
    )
    response["Cache-Control"] = "no-cache"
    return response
