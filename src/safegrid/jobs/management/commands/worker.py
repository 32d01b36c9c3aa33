"""`safegrid worker`: runs queued jobs (django-tasks-db's worker loop) and ticks the schedules.

Start as many as you like, on as many machines as share the database: each job is claimed by one
worker and each schedule slot fires once. SIGTERM/SIGINT finish the current job, then exit.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from argparse import ArgumentParser
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from safegrid.jobs.scheduler import tick

logger = logging.getLogger("safegrid.jobs.worker")


class Ticker(threading.Thread):
    """Runs the schedule/lease tick every `every` seconds beside the task loop."""

    def __init__(self, every: float) -> None:
        super().__init__(name="schedule-ticker", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while True:
                close_old_connections()
                try:
                    tick()
                except DatabaseError:
                    # e.g. SQLite busy while a long import holds the write lock: try again next tick.
                    logger.warning("schedule tick failed; retrying next tick", exc_info=True)
                else:
                    logger.debug("schedule tick done")
                if self.stopped.wait(self.every):
                    return
        finally:
            connection.close()


class Command(BaseCommand):
    help = "Run background jobs and the schedules (several may run at once, on several machines)"
    requires_system_checks: list[str] = []  # a worker serves no URLs; start quickly

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue-name",
            default=DEFAULT_TASK_QUEUE_NAME,
            help="Queues to run, comma-separated; '*' for all",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls when the queue is empty"
        )
        parser.add_argument(
            "--tick",
            type=float,
            default=None,
            help="Seconds between schedule/lease checks (default: SAFEGRID_SCHEDULE_TICK_SECONDS)",
        )
        parser.add_argument(
            "--worker-id", default="", help="Unique name of this worker (default: host name and process id)"
        )
        parser.add_argument(
            "--burst",
            action="store_true",
            help="RQ broker only: run what is queued, then exit (the database loop always keeps polling)",
        )
        parser.add_argument(
            "--load",
            action="append",
            default=[],
            metavar="MODULE",
            help="Import this module too, for the jobs/schedules it declares (tests, one-off operations)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for module in options["load"]:
            import_module(module)
        logging.getLogger("django_tasks").setLevel(logging.INFO)
        ticker = Ticker(options["tick"] or settings.SAFEGRID_SCHEDULE_TICK_SECONDS)
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if type(backend).__module__.startswith("django_tasks_rq"):
            self._run_rq(options, ticker)
            return
        if not isinstance(backend, DatabaseBackend):
            # Another broker (e.g. Celery) runs the tasks with its own workers; this process ticks.
            self.stdout.write("Task backend is not the database: running the schedules only.")
            stop = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            ticker.start()
            stop.wait()
            ticker.stopped.set()
            ticker.join()
            return
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=True,
            max_tasks=None,
            worker_id=(options["worker_id"] or f"{socket.gethostname()}-{os.getpid()}")[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()  # SIGTERM: finish the current job, then exit
        ticker.start()
        try:
            worker.run()
        finally:
            ticker.stopped.set()

    def _run_rq(self, options: dict[str, Any], ticker: Ticker) -> None:
        """The queues live in Redis (django-tasks-rq): run them with RQ's worker, in this process.

        SimpleWorker runs each job in this process instead of a forked child, so the job's database
        connection is its own (a fork would share the parent's socket); the lease/heartbeat still
        covers a worker that dies. RQ's signal handling gives the same warm shutdown on SIGTERM.
        """
        from django_rq import get_worker
        from django_tasks_rq.backend import Job as TaskJob

        queues = [q for q in options["queue_name"].split(",") if q and q != "*"] or list(settings.RQ_QUEUES)
        worker = get_worker(
            *queues,
            job_class=TaskJob,
            worker_class="rq.SimpleWorker",
            name=(options["worker_id"] or f"{socket.gethostname()}-{os.getpid()}")[:64],
        )
        self.stdout.write(
            f"RQ worker on {', '.join(queues)} ({settings.SAFEGRID_TASKS_REDIS_URL.split('@')[-1]})"
        )
        ticker.start()
        try:
            # with_scheduler: RQ's scheduler moves retries that are due later back into the queue.
            worker.work(burst=options["burst"], with_scheduler=True)
        finally:
            ticker.stopped.set()
            ticker.join()
