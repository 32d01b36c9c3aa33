"""Jobs started together in threads, each on its own database connection (two ingest processes at once)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection

WAIT = 60  # seconds a thread waits for its partners, and the test for the threads, before it fails


def race(*jobs: Callable[[], None]) -> None:
    """Run the jobs in threads released at one moment; fail with what any of them raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait(WAIT)
            job()
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert not errors, errors
