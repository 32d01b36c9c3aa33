"""The small demo county, built once per module (see the root conftest's `module_db`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from safegrid.demo import builders


def build_once(
    django_db_blocker: Any, tmp_path_factory: Any, **options: Any
) -> Iterator[builders.DemoSummary]:
    """Build the county inside the module's transaction, its files under a directory of its own."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")), django_db_blocker.unblock():
        yield builders.build(**options)


@pytest.fixture(scope="module")
def small(module_db: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[builders.DemoSummary]:
    """60 enterprises, seed 11, every stage: what most demo tests read."""
    yield from build_once(django_db_blocker, tmp_path_factory, enterprises=60, seed=11)


def small_until(until: str) -> Any:
    """The `small` county built only up to the stage `until`, for a module that reads no later stage:
    `small = small_until("filings")` in the module overrides the fixture above (the later stages write a
    year of history, most of a build's time)."""

    @pytest.fixture(scope="module", name="small")
    def fixture(
        module_db: None, django_db_blocker: Any, tmp_path_factory: Any
    ) -> Iterator[builders.DemoSummary]:
        yield from build_once(django_db_blocker, tmp_path_factory, enterprises=60, seed=11, until=until)

    return fixture
