"""Interactive API docs (Swagger UI) served from ninja's bundled assets, never a CDN.

Our CSP allows scripts only from 'self', and ninja falls back to a CDN template when "ninja" is not
an installed app; this page uses our own template and serves the three bundled files itself.
The page asks for a signed-in session (the OpenAPI document itself stays public for clients).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSET_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = frozenset(
    {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.svg", "favicon.png"}
)


class SwaggerDocs(DocsBase):
    template = "api/swagger.html"
    settings: dict[str, Any] = {"layout": "BaseLayout", "deepLinking": True, "persistAuthorization": False}

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": swagger_settings, "api": api}
        return render(request, self.template, context)


@require_GET
@cache_control(public=True, max_age=86400)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    """One of ninja's bundled Swagger UI files (version-locked with the installed ninja)."""
    if name not in ASSETS:
        raise Http404(name)
    content_type, _ = mimetypes.guess_type(name)
    return FileResponse(
        (ASSET_DIR / name).open("rb"), content_type=content_type or "application/octet-stream"
    )


def asset_url(name: str) -> str:
    return reverse("api_docs_asset", kwargs={"name": name})
