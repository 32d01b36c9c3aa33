"""The installable web app: the manifest, the service worker at the root, the offline page, and what the
service worker is told to keep."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from PIL import Image

from safegrid.core import webapp

pytestmark = pytest.mark.django_db


def test_manifest(client: Any) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json; charset=utf-8"
    manifest = json.loads(response.content)
    assert manifest["name"] == "安全生产双重预防"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/" and manifest["scope"] == "/"
    purposes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert isinstance(path, str), icon["src"]
        with Image.open(path) as image:
            assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]
        purposes.add(icon.get("purpose", "any"))
    assert {"any", "maskable"} <= purposes
    assert {"192x192", "512x512"} <= {i["sizes"] for i in manifest["icons"]}


def _worker(client: Any) -> tuple[Any, dict[str, Any]]:
    response = client.get("/sw.js")
    found = re.search(r"self\.SAFEGRID_SW = (\{.*\});\n", response.content.decode())
    assert found, response.content
    return response, json.loads(found.group(1))


def test_service_worker_is_served_from_the_root_with_its_headers(client: Any) -> None:
    response, config = _worker(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert "importScripts(" in response.content.decode()
    assert config["imports"] == [
        static("vendor/idb-keyval/umd.js"),
        static("core/outbox.js"),
        static("core/sw.js"),
    ]


def test_service_worker_precaches_the_shell_and_knows_the_offline_pages(client: Any) -> None:
    _response, config = _worker(client)
    for name in ("vendor/tabler/css/tabler.min.css", "core/app.css", "core/offline.js", "hazards/check.js"):
        assert static(name) in config["precache"]
    assert reverse("webapp_offline") in config["precache"]
    for url in config["precache"]:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), f"{url} is precached but not published"
    pages = [re.compile(p) for p in config["pages"]]
    for path in ("/hazards/checks/", "/hazards/checks/12/", "/hazards/report/", "/"):
        assert any(p.search(path) for p in pages), path
    for path in ("/hazards/", "/hazards/checks/records/", "/audit/", "/hazards/checks/12/edit/"):
        assert not any(p.search(path) for p in pages), path
    assert config["start"] == [reverse("hazards:my_checks"), reverse("hazards:report")]


def test_the_version_follows_the_files(client: Any, monkeypatch: Any) -> None:
    _response, before = _worker(client)
    monkeypatch.setattr(webapp, "SHELL_STATIC", (*webapp.SHELL_STATIC, "core/icons/icon-512.png"))
    _response, after = _worker(client)
    assert before["version"] != after["version"]


def test_offline_page_needs_no_sign_in_and_holds_no_user(client: Any, world: Any) -> None:
    anonymous = client.get("/offline/")
    assert anonymous.status_code == 200
    page = anonymous.content.decode()
    assert 'id="sg-outbox"' in page and reverse("hazards:my_checks") in page
    client.force_login(world.user("post_a"), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/offline/").content.decode() == page  # the same for everyone: it is cached once


def test_pages_link_the_manifest_and_name_the_user(client: Any, world: Any) -> None:
    user = world.user("post_a")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert f'data-sg-user="{user.pk}"' in page and 'data-sg-sw="/sw.js"' in page
    assert 'data-t-pending="待发送 {n} 条"' in page


def test_register_refuses_a_broken_pattern() -> None:
    with pytest.raises(re.error):
        webapp.register(pages=["^/unclosed(/$"])
