"""Load test of the real server: what `make run` starts, driven by many signed-in users at once.

`python -m bench load` (`make bench BENCH_ARGS=load`) builds (once) a demo county database, starts gunicorn with
safegrid.gunicorn_conf on 127.0.0.1 and a free port (DEBUG off, static files by WhiteNoise, as `make run`),
signs in `--users` virtual users spread over the county's government roles, measures each page alone (the
single-request time), then lets every user loop over the most-used pages — home, enterprise list, risk map
JSON (the user's division and its enterprises), filing list — for `--duration` seconds, each user on its own
keep-alive connection with its own session, as browsers do. Prints per page p50/p95/max under load beside the
single-request p50, requests/s, errors and reset connections, and the load average; writes
bench/results/load.json. Exit code 0 only with no error and no reset connection.

The client is the standard library (http.client in one thread per user: a blocking socket releases the GIL,
so the client costs little CPU next to the server it measures).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "load.json"
ROLES = ("county_admin", "dept_chem", "town_a", "town_b", "grid_a")
MAX_USERS = 500
MAX_DURATION = 600
RESETS = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, http.client.RemoteDisconnected)


@dataclass
class Sample:
    page: str
    ms: float


@dataclass
class Tally:
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    resets: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)

    def reset(self) -> None:
        with self.lock:
            self.resets += 1


class Session:
    """One browser: a keep-alive connection and a session cookie."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = self._connect()

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Accept-Language": "zh-CN", "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers), content

    def sign_in(self, username: str, password: str) -> None:
        status, _, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page answered {status}")
        form = urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": password}
        )
        status, headers, _ = self.request("POST", "/login/", form)
        if status != 302 or "/login/" in headers.get("Location", ""):
            raise RuntimeError(f"sign-in as {username} failed ({status})")


def pages_for(session: Session) -> list[tuple[str, str]]:
    """(label, path) of the pages a government user opens most, their own division filled in."""
    status, _, body = session.request("GET", "/risks/map/divisions.json")
    if status != 200:
        raise RuntimeError(f"/risks/map/divisions.json answered {status}")
    division = json.loads(body)["node"]["code"]
    return [
        ("home /", "/"),
        ("enterprise list", "/enterprises/"),
        ("map divisions.json", f"/risks/map/divisions.json?division={division}"),
        ("map enterprises.json", f"/risks/map/enterprises.json?division={division}"),
        ("filing list", "/risks/filings/"),
    ]


def timed(session: Session, tally: Tally, label: str, path: str) -> None:
    started = time.perf_counter()
    try:
        status, _, _ = session.request("GET", path)
    except RESETS as exc:
        tally.reset()
        tally.error(f"{label}: connection reset ({type(exc).__name__})")
        session.reconnect()
        return
    except OSError as exc:  # refused, timed out
        tally.error(f"{label}: {type(exc).__name__}: {exc}")
        session.reconnect()
        return
    ms = (time.perf_counter() - started) * 1000
    if status != 200:
        tally.error(f"{label}: HTTP {status}")
    tally.add(Sample(label, ms))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEGRID_DB_PATH", "DATABASE_URL"))}
    env.update(
        SAFEGRID_PROFILE="dev",
        SAFEGRID_DEBUG="0",  # as `make run`
        SAFEGRID_LOG_LEVEL="WARNING",
        SAFEGRID_WEB_WORKERS=str(args.workers),
        SAFEGRID_WEB_THREADS=str(args.threads),
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env["SAFEGRID_DB_PATH"] = str(args.sqlite)
    return env


def ensure_demo(env: dict[str, str]) -> None:
    safegrid = [sys.executable, "-m", "safegrid"]
    subprocess.run([*safegrid, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run([*safegrid, "demo", "--if-empty"], env=env, check=True)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "-c", "python:safegrid.gunicorn_conf", "--bind", f"127.0.0.1:{port}"]
    command += ["--access-logfile", "/dev/null", "safegrid.wsgi"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited before answering")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def single_requests(port: int, password: str, repeat: int) -> dict[str, float]:
    """p50 of each page alone (one user, nothing else running), after a warm-up round."""
    session = Session(port)
    session.sign_in("county_admin", password)
    pages = pages_for(session)
    tally = Tally()
    for _ in range(2):
        for label, path in pages:
            timed(session, tally, label, path)
    tally = Tally()
    for _ in range(repeat):
        for label, path in pages:
            timed(session, tally, label, path)
    if tally.errors:
        raise RuntimeError(f"single requests failed: {tally.errors[:5]}")
    by_page: dict[str, list[float]] = defaultdict(list)
    for sample in tally.samples:
        by_page[sample.page].append(sample.ms)
    return {page: statistics.median(values) for page, values in by_page.items()}


def run_users(port: int, users: int, duration: float, password: str) -> tuple[Tally, float, list[str]]:
    tally = Tally()
    sessions: list[tuple[Session, list[tuple[str, str]]]] = []
    for n in range(users):  # sign in before the clock starts (Argon2 is slow on purpose)
        session = Session(port)
        session.sign_in(ROLES[n % len(ROLES)], password)
        sessions.append((session, pages_for(session)))
    start = threading.Barrier(users + 1)
    stop_at = [0.0]

    def user(session: Session, pages: list[tuple[str, str]], offset: int) -> None:
        session.reconnect()  # the sign-in connection may have idled past the server's keep-alive
        start.wait()
        i = offset
        while time.monotonic() < stop_at[0]:
            label, path = pages[i % len(pages)]
            timed(session, tally, label, path)
            i += 1
        session.connection.close()

    threads = [
        threading.Thread(target=user, args=(s, p, n), daemon=True) for n, (s, p) in enumerate(sessions)
    ]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    stop_at[0] = began + duration
    start.wait()
    for thread in threads:
        thread.join(timeout=duration + 120)
    elapsed = time.monotonic() - began
    return tally, elapsed, [f"{n}: still running" for n, t in enumerate(threads) if t.is_alive()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--users", type=int, default=50, help=f"concurrent users (default 50, at most {MAX_USERS})"
    )
    parser.add_argument(
        "--duration", type=float, default=60, help=f"seconds of load (default 60, at most {MAX_DURATION})"
    )
    parser.add_argument(
        "--workers", type=int, default=max(2, min(os.cpu_count() or 1, 8)), help="gunicorn processes"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process (default 4)")
    parser.add_argument("--repeat", type=int, default=20, help="single-request samples per page (default 20)")
    var_dir = Path(os.environ.get("SAFEGRID_VAR_DIR", ROOT / "var"))
    parser.add_argument(
        "--sqlite", type=Path, default=var_dir / "bench_load.sqlite3", help="demo SQLite file (built once)"
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL instead of SQLite (DATABASE_URL form)")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= MAX_USERS or not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--users must be 1–{MAX_USERS} and --duration 1–{MAX_DURATION} s")
    password = os.environ.get("SAFEGRID_DEMO_PASSWORD", "safegrid-demo")

    env = server_env(args)
    print(f"演示库 / demo database: {args.database_url or args.sqlite}", flush=True)
    ensure_demo(env)
    port = free_port()
    load_before = os.getloadavg()
    server = start_server(env, port)
    try:
        print(
            f"gunicorn: 127.0.0.1:{port}, {args.workers} × {args.threads} threads; measuring single requests"
        )
        single = single_requests(port, password, args.repeat)
        print(f"{args.users} users × {args.duration:.0f} s …", flush=True)
        tally, elapsed, stuck = run_users(port, args.users, args.duration, password)
    finally:
        stop_server(server)
    load_after = os.getloadavg()

    by_page: dict[str, list[float]] = defaultdict(list)
    for sample in tally.samples:
        by_page[sample.page].append(sample.ms)
    rows = []
    print(f"\n{'page':<22}{'requests':>9}{'single p50':>12}{'p50':>9}{'p95':>9}{'max':>9}   (ms)")
    for page, values in by_page.items():
        row = {
            "page": page,
            "requests": len(values),
            "single_p50_ms": round(single.get(page, float("nan")), 1),
            "p50_ms": round(percentile(values, 50), 1),
            "p95_ms": round(percentile(values, 95), 1),
            "max_ms": round(max(values), 1),
        }
        rows.append(row)
        print(
            f"{page:<22}{row['requests']:>9}{row['single_p50_ms']:>12}{row['p50_ms']:>9}"
            f"{row['p95_ms']:>9}{row['max_ms']:>9}"
        )
    everything = [s.ms for s in tally.samples]
    total = len(everything)
    rate = total / elapsed if elapsed else 0.0
    errors = len(tally.errors) + len(stuck)
    print(
        f"{'all':<22}{total:>9}{'':>12}{percentile(everything, 50):>9.1f}{percentile(everything, 95):>9.1f}"
        f"{max(everything, default=float('nan')):>9.1f}"
    )
    print(f"\n{rate:.1f} requests/s over {elapsed:.1f} s; errors {errors}; reset connections {tally.resets}")
    print(f"load average before {load_before[0]:.2f} / after {load_after[0]:.2f} ({os.cpu_count()} CPUs)")
    for text in (tally.errors + stuck)[:10]:
        print("  ", text)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": "postgresql" if args.database_url else "sqlite",
        "users": args.users,
        "duration_s": args.duration,
        "elapsed_s": round(elapsed, 1),
        "server": {"workers": args.workers, "threads": args.threads},
        "requests": total,
        "requests_per_s": round(rate, 1),
        "p95_ms": round(percentile(everything, 95), 1),
        "errors": errors,
        "resets": tally.resets,
        "error_samples": (tally.errors + stuck)[:20],
        "pages": rows,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    RESULTS.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"结果已写入 / results written to {RESULTS}")
    return 0 if errors == 0 and tally.resets == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
