"""The installable web app (PWA): its manifest, and what the service worker keeps for use without signal.

Core owns the shell (manifest, `/sw.js`, the offline fallback page, `static/core/offline.js` and the
outbox); apps say which of their pages work offline with `register()` in their `AppConfig.ready`:

    webapp.register(pages=[r"^/hazards/checks/(\\d+/)?$"],
                    start=[("hazards:my_checks", _("我的检查任务"))], static=["hazards/check.js"])

- `pages`: regular expressions (JavaScript-compatible) over a URL's path. The service worker answers a
  GET of such a page network-first and keeps the last good answer, so it opens with no signal; any
  other page needs the network (without it: the offline page).
- `start`: (URL name, label) of pages fetched into that cache whenever a signed-in page loads online (the worker's due
  list), so it is there even if the worker never opened it before going out.
- `static`: static files those pages load, precached with the shell.

A signed-in page is otherwise `no-store` (core.middleware): the offline pages are the one deliberate
exception, kept in the phone's Cache Storage under the version of the shell and deleted on sign-out.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

# What every page loads (core/base.html), in the order of the page.
SHELL_STATIC = (
    "vendor/tabler/css/tabler.min.css",
    "core/app.css",
    "core/favicon.svg",
    "core/icons/icon-192.png",
    "vendor/tabler/js/tabler.min.js",
    "vendor/htmx/htmx.min.js",
    "core/app.js",
    "vendor/idb-keyval/umd.js",
    "core/outbox.js",
    "core/offline.js",
)
# The service worker's own code (imported by /sw.js), part of the version.
WORKER_STATIC = ("vendor/idb-keyval/umd.js", "core/outbox.js", "core/sw.js")


@dataclass
class _Registry:
    pages: list[str] = field(default_factory=list)
    start: list[tuple[str, Any]] = field(default_factory=list)
    static: list[str] = field(default_factory=list)


_registry = _Registry(pages=[r"^/$"], start=[], static=[])


def register(
    *, pages: Iterable[str] = (), start: Iterable[tuple[str, Any]] = (), static: Iterable[str] = ()
) -> None:
    for pattern in pages:
        re.compile(pattern)  # a typo fails at start-up, not in the phone
        if pattern not in _registry.pages:
            _registry.pages.append(pattern)
    _registry.start.extend(s for s in start if s not in _registry.start)
    _registry.static.extend(s for s in static if s not in _registry.static)


def start_pages() -> list[tuple[str, str]]:
    """(URL, label) of the pages kept for offline use from the start (the offline page links them)."""
    return [(reverse(name), str(label)) for name, label in _registry.start]


def _static_files() -> list[str]:
    return list(dict.fromkeys([*SHELL_STATIC, *_registry.static]))


def _version(urls: list[str], files: Iterable[str]) -> str:
    """Changes when a precached URL changes (hashed names in production) or a source file does
    (development serves unhashed names), so the browser installs the new worker and drops old caches."""
    digest = hashlib.sha256("\n".join(urls).encode())
    for name in files:
        path = finders.find(name)
        if isinstance(path, str):
            with open(path, "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()[:16]


def worker_config() -> dict[str, Any]:
    """The service worker's settings, written into /sw.js."""
    static_files = _static_files()
    offline_url = reverse("webapp_offline")
    precache = [static(name) for name in static_files] + [offline_url]
    return {
        "version": _version(precache, [*static_files, *WORKER_STATIC]),
        "precache": precache,
        "pages": list(_registry.pages),
        "start": [url for url, _label in start_pages()],
        "offline": offline_url,
        "login": reverse("login"),
        "imports": [static(name) for name in WORKER_STATIC],
    }


def worker_script() -> str:
    settings = worker_config()
    config = json.dumps(settings, ensure_ascii=False, sort_keys=True)
    imports = ", ".join(json.dumps(url) for url in settings["imports"])
    return (
        "// SafeGrid service worker: settings from the server, code from the static files it imports.\n"
        f"self.SAFEGRID_SW = {config};\n"
        f"importScripts({imports});\n"
    )


def manifest(name: str, short_name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "short_name": short_name,
        "description": description,
        "lang": "zh-CN",
        "start_url": reverse("home"),
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f8fb",
        "theme_color": "#d63939",
        "icons": [
            {"src": static("core/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("core/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("core/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
