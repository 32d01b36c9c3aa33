"""Gunicorn settings: `make run`, and production with
`gunicorn -c python:safegrid.gunicorn_conf --bind 0.0.0.0:8000 safegrid.wsgi`.

Several processes, each with a few threads: a slow request (an Excel export, a PDF) holds one thread, not
the site, and a burst of connections waits in the listen backlog instead of being reset. Static files are
served by WhiteNoise inside the application, so no other web server is needed.
"""

from __future__ import annotations

import os
import signal
from typing import Any


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name}={raw!r} must be a whole number of at least 1")
    return int(raw)


workers = _count("SAFEGRID_WEB_WORKERS", min(max(2, os.cpu_count() or 1), 8))
threads = _count("SAFEGRID_WEB_THREADS", 4)
worker_class = "gthread"
bind = os.environ.get("SAFEGRID_BIND", "127.0.0.1:8000")
backlog = 2048
timeout = _count("SAFEGRID_WEB_TIMEOUT", 120)  # a worker silent this long is restarted
graceful_timeout = 20
keepalive = 5
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
# Restart each process after this many requests (with jitter), so slow memory growth never accumulates.
max_requests = _count("SAFEGRID_WEB_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
# No control socket (gunicorn ≥ 24 opens one in ~/.gunicorn by default): several servers may run side by side.
control_socket_disable = True


def post_worker_init(worker: Any) -> None:
    """Ctrl+C in a terminal signals every process of the group, and the master then tells each worker to
    quit as well: a worker handling both signals can hang in gunicorn's quick-exit handler (it was killed
    after graceful_timeout). Workers leave SIGINT to the master, which stops them once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
