"""Web benchmark: enterprise list and county home on PostgreSQL with the --scale 30 demo county.

Run with `make bench` (or `uv run python -m bench`). See bench/README.md for what is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/safegrid_bench"
RESULTS = Path(__file__).resolve().parent / "results" / "web.json"
SCALE = 30
TARGET_P95_MS = 150.0
TARGET_RATIO = 3.0
TARGET_SLACK_MS = 20.0


@dataclass
class Case:
    user: str
    label: str
    path: str
    params: dict[str, str]
    matching: int | None = None  # enterprises matching the filter in the user's scope
    pages: int | None = None

    @property
    def url(self) -> str:
        return f"{self.path}?{urlencode(self.params)}" if self.params else self.path


@dataclass
class Result:
    user: str
    label: str
    url: str
    requests: int
    statuses: dict[str, int]
    page_p50_ms: float
    page_p95_ms: float
    queries: int
    sql_statements_timed: int
    sql_p50_ms: float
    sql_p95_ms: float
    ratio_p95: float | None
    budget_ms: float
    ok: bool
    matching: int | None = None
    pages: int | None = None
    # The application's own CPU time per request (this process: ORM, scoping, templates, middleware),
    # which a loaded machine stretches far less than the wall-clock times above.
    cpu_p50_ms: float | None = None
    notes: list[str] = field(default_factory=list)
    slowest_sql: list[dict[str, Any]] = field(default_factory=list)  # top three statements by mean time


def _setup_environment(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SAFEGRID_PROFILE", "dev")
    # Measure the application, not the debug machinery: no DEBUG query log, quiet logging.
    os.environ.setdefault("SAFEGRID_DEBUG", "false")
    os.environ.setdefault("SAFEGRID_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safegrid.settings")
    src = Path(__file__).resolve().parent.parent / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))


def _ensure_database(database_url: str) -> None:
    """Create the benchmark database when it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    cfg = dj_database_url.parse(database_url)
    name = cfg["NAME"]
    params = {
        "host": cfg.get("HOST") or "127.0.0.1",
        "port": cfg.get("PORT") or 5432,
        "user": cfg.get("USER") or "postgres",
        "dbname": "postgres",
    }
    if cfg.get("PASSWORD"):
        params["password"] = cfg["PASSWORD"]
    with psycopg.connect(**params, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"创建数据库 / creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _ensure_demo(scale: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from safegrid.demo import builders, filings
    from safegrid.enterprises.models import Enterprise

    call_command("migrate", "--noinput", verbosity=0)
    wanted = builders.ENTERPRISES_PER_SCALE * scale
    have = Enterprise.objects.count()
    # The fixed logins must all be there; the filing stories' own accounts (sm_/lr_/pw_NNNN) come with the
    # build and do not make it another county.
    fixed = {name for name in builders.conflicting_usernames() if not filings.is_story_username(name)}
    if have == wanted and fixed == set(builders.demo_usernames()):
        print(f"演示数据已存在，跳过生成 / demo county already built ({have} enterprises)")
    else:
        started = time.monotonic()
        if have or builders.county_occupied() or builders.conflicting_usernames():
            print(f"数据库中有 {have} 家企业，重建为 --scale {scale} / rebuilding at --scale {scale}")
            call_command("demo", "--reset", "--scale", str(scale))
        else:
            call_command("demo", "--scale", str(scale))
        print(f"演示数据生成耗时 / demo build took {time.monotonic() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as after autovacuum in production


def _cases() -> list[Case]:
    town = "370321001"
    return [
        Case("town_a", "list p1", "/enterprises/", {"division": town, "sector": "hazardous_chemicals"}),
        Case("town_a", "list p50", "/enterprises/", {"division": town, "page": "50"}),
        Case("town_a", "home", "/", {}),
        Case("dept_chem", "list p1", "/enterprises/", {"division": town, "sector": "hazardous_chemicals"}),
        Case("dept_chem", "list p50", "/enterprises/", {"sector": "hazardous_chemicals", "page": "50"}),
        Case("dept_chem", "home", "/", {}),
        Case("county_admin", "list p1", "/enterprises/", {"division": town, "sector": "hazardous_chemicals"}),
        Case("county_admin", "list p50", "/enterprises/", {"sector": "industry_trade", "page": "50"}),
        Case("county_admin", "home", "/", {}),
    ]


def _count_matching(case: Case, user: Any) -> None:
    """How many enterprises the filter matches in the user's scope (to show page 50 exists)."""
    from django.conf import settings

    from safegrid.enterprises.selectors import enterprise_list

    if case.path != "/enterprises/":
        return
    qs = enterprise_list(user)
    if "division" in case.params:
        qs = qs.filter(division__code__startswith=case.params["division"])
    if "sector" in case.params:
        qs = qs.filter(sectors__code=case.params["sector"])
    case.matching = qs.distinct().count()
    case.pages = -(-case.matching // settings.SAFEGRID_PAGE_SIZE)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50 * 1000, p95 * 1000


def _raw_connection(database_url: str) -> Any:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(database_url)
    params = {
        "host": cfg.get("HOST") or "127.0.0.1",
        "port": cfg.get("PORT") or 5432,
        "user": cfg.get("USER") or "postgres",
        "dbname": cfg["NAME"],
    }
    if cfg.get("PASSWORD"):
        params["password"] = cfg["PASSWORD"]
    return psycopg.connect(**params, autocommit=True)


def _is_read(statement: str) -> bool:
    head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    return head in {"SELECT", "WITH"}


def _measure(case: Case, client: Any, raw: Any, warmup: int, requests: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notes: list[str] = []
    statuses: dict[str, int] = {}
    for _ in range(warmup):
        client.get(case.url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(case.url)
    if response.status_code != 200:
        notes.append(f"HTTP {response.status_code}")
    captured = [q["sql"] for q in ctx.captured_queries]
    reads = [q for q in captured if _is_read(q)]
    skipped = Counter(q.lstrip().split(None, 1)[0].upper() for q in captured if not _is_read(q) and q.strip())
    if skipped:
        kinds = ", ".join(f"{kind}×{n}" for kind, n in sorted(skipped.items()))
        notes.append(f"not re-executed (not reads): {kinds}")
    if case.params.get("page") and case.pages is not None and case.pages < int(case.params["page"]):
        notes.append(f"only {case.pages} pages match: the page number is past the end")

    samples: list[float] = []
    cpu_samples: list[float] = []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(case.url)
        if response.streaming:
            b"".join(response.streaming_content)
        else:
            _ = response.content
        samples.append(time.perf_counter() - started)
        cpu_samples.append(time.process_time() - started_cpu)
        key = str(response.status_code)
        statuses[key] = statuses.get(key, 0) + 1
    page_p50, page_p95 = _percentiles(samples)

    sql_samples: list[float] = []
    per_statement = [0.0] * len(reads)
    with raw.cursor() as cursor:
        for _ in range(warmup):
            for statement in reads:
                cursor.execute(statement)
                cursor.fetchall()
        for _ in range(requests):
            started = last = time.perf_counter()
            for index, statement in enumerate(reads):
                cursor.execute(statement)
                cursor.fetchall()
                now = time.perf_counter()
                per_statement[index] += now - last
                last = now
            sql_samples.append(time.perf_counter() - started)
    sql_p50, sql_p95 = _percentiles(sql_samples)
    slowest = sorted(range(len(reads)), key=lambda i: per_statement[i], reverse=True)[:3]
    top = [
        {"mean_ms": round(per_statement[i] / requests * 1000, 2), "sql": " ".join(reads[i].split())[:400]}
        for i in slowest
    ]

    budget = min(TARGET_P95_MS, TARGET_RATIO * sql_p95 + TARGET_SLACK_MS)
    ok = statuses == {"200": requests} and page_p95 <= budget
    return Result(
        user=case.user,
        label=case.label,
        url=case.url,
        requests=requests,
        statuses=statuses,
        page_p50_ms=round(page_p50, 2),
        page_p95_ms=round(page_p95, 2),
        queries=len(captured),
        sql_statements_timed=len(reads),
        sql_p50_ms=round(sql_p50, 2),
        sql_p95_ms=round(sql_p95, 2),
        ratio_p95=round(page_p95 / sql_p95, 2) if sql_p95 > 0 else None,
        budget_ms=round(budget, 1),
        ok=ok,
        matching=case.matching,
        pages=case.pages,
        cpu_p50_ms=round(statistics.median(cpu_samples) * 1000, 2),
        notes=notes,
        slowest_sql=top,
    )


def _print_table(results: list[Result]) -> None:
    header = (
        f"{'user':<13} {'page':<9} {'p50 ms':>8} {'p95 ms':>8} {'SQL p50':>8} {'SQL p95':>8} "
        f"{'ratio':>6} {'budget':>7} {'q':>3} {'pages':>6} {'CPU p50':>8}  result  url"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        ratio = f"{r.ratio_p95:.1f}x" if r.ratio_p95 is not None else "-"
        pages = str(r.pages) if r.pages is not None else "-"
        verdict = "OK" if r.ok else "FAIL"
        print(
            f"{r.user:<13} {r.label:<9} {r.page_p50_ms:>8.1f} {r.page_p95_ms:>8.1f} {r.sql_p50_ms:>8.1f} "
            f"{r.sql_p95_ms:>8.1f} {ratio:>6} {r.budget_ms:>7.1f} {r.queries:>3} {pages:>6} "
            f"{r.cpu_p50_ms or 0:>8.1f}  {verdict:<6}  {r.url}"
        )
        for note in r.notes:
            print(f"{'':<13} note: {note}")
        if r.slowest_sql:
            worst = r.slowest_sql[0]
            print(f"{'':<13} slowest SQL {worst['mean_ms']:.1f} ms: {worst['sql'][:110]}…")
    print()
    print(
        f"目标 / target: page p95 ≤ {TARGET_P95_MS:.0f} ms and ≤ {TARGET_RATIO:.0f}× bare-SQL p95 + "
        f"{TARGET_SLACK_MS:.0f} ms (budget column = the smaller of the two)"
    )


def _platform() -> int:
    """The Excel import (SQLite and PostgreSQL), audited writes/s with the chain verified, and the risk
    pages and map layers, one after another, each in its own process (each sets up Django for its own
    database)."""
    import subprocess

    failed = 0
    for name in ("excel", "audit", "risks"):
        print(f"\n===== python -m bench {name} =====", flush=True)
        failed += subprocess.call([sys.executable, "-m", "bench", name]) != 0  # noqa: S603
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["risks"]:  # `python -m bench risks`: the risk map and filing benchmark
        from bench import risks

        return risks.main(argv[1:])
    if argv[:1] == ["hazards"]:  # `python -m bench hazards`: hazard statistics, list and task generation
        from bench import hazards

        return hazards.main(argv[1:])
    if argv[:1] == [
        "ingest"
    ]:  # `python -m bench ingest`: MQTT → safegrid ingest → PostgreSQL, with baselines
        from bench import ingest

        return ingest.main(argv[1:])
    if argv[:1] == ["audit"]:  # `python -m bench audit`: audited writes/s and edit latency beside an import
        from bench import audit

        return audit.main(argv[1:])
    if argv[:1] == ["load"]:  # `python -m bench load`: the real server under 50 concurrent users
        from bench import load

        return load.main(argv[1:])
    if argv[:1] == ["excel"]:  # `python -m bench excel`: the Excel import benchmark
        from bench import excel_import

        return excel_import.main(argv[1:])
    if argv[:1] == ["register"]:  # `python -m bench register`: preview and apply of a register re-import
        from bench import register_import

        return register_import.main(argv[1:])
    if argv[:1] == [
        "platform"
    ]:  # `python -m bench platform`: the platform issue's three benchmarks in one run
        return _platform()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (≥ 200)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--scale", type=int, default=SCALE)
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("bench needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    _setup_environment(database_url)
    _ensure_database(database_url)

    import django

    django.setup()
    from django.test import Client

    from safegrid.core.models import User

    _ensure_demo(args.scale)
    raw = _raw_connection(database_url)
    results: list[Result] = []
    clients: dict[str, Any] = {}
    for case in _cases():
        if case.user not in clients:
            user = User.objects.get(username=case.user)
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            clients[case.user] = (client, user)
        client, user = clients[case.user]
        _count_matching(case, user)
        print(f"测量 / measuring {case.user:<13} {case.url}", flush=True)
        results.append(_measure(case, client, raw, args.warmup, args.requests))
    raw.close()
    _print_table(results)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": "postgresql",
        "scale": args.scale,
        "requests_per_page": args.requests,
        "warmup": args.warmup,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "target": {"p95_ms": TARGET_P95_MS, "ratio": TARGET_RATIO, "slack_ms": TARGET_SLACK_MS},
        "results": [asdict(r) for r in results],
        "all_ok": all(r.ok for r in results),
    }
    RESULTS.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"结果已写入 / results written to {RESULTS}")
    return 0 if payload["all_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
