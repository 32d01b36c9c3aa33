"""Publish only the front-end files the pages load from node_modules (settings.SAFEGRID_VENDOR_STATIC).

A whole npm `dist/` directory as a STATICFILES_DIRS entry would publish everything in it, including
bundled third-party CSS whose source-map comments and url()s name files the package does not ship;
the production manifest storage rightly refuses those. This finder lists the files one by one, so
`collectstatic` copies, hashes and compresses exactly what the templates reference, under the same
`vendor/...` URLs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage


def vendor_files() -> dict[str, Path]:
    """The published path ("vendor/htmx/htmx.min.js") → the file under node_modules."""
    files: dict[str, Path] = {}
    for prefix, (directory, names) in settings.SAFEGRID_VENDOR_STATIC.items():
        for name in names:
            files[f"{prefix}/{name}"] = Path(directory) / name
    return files


class VendorFinder(BaseFinder):
    def check(self, **kwargs: Any) -> list[CheckMessage]:
        return [
            Error(
                f"Front-end file {source} is missing",
                hint="Run `make install` (npm ci) to install the front-end libraries.",
                id="safegrid.E001",
            )
            for source in vendor_files().values()
            if not source.is_file()
        ]

    # django-stubs type a miss as None; Django's own finders answer [] and `finders.find` relies on it
    # (a None would be collected as a match).
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:  # type: ignore[override]
        source = vendor_files().get(path)
        found = str(source) if source is not None and source.is_file() else None
        if find_all:
            return [found] if found else []
        return found or []

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        for published, source in vendor_files().items():
            storage = FileSystemStorage(location=source.parent)
            # collectstatic joins the storage's prefix and the listed name into the published path.
            storage.prefix = published.rsplit("/", 1)[0]  # type: ignore[attr-defined]
            yield source.name, storage
