"""Hazards benchmark: the county statistics page and the filtered hazard list at ≥ 200,000 hazards and
≥ 20 million check records, and one day's task generation for the whole county.

Run with `make bench BENCH_ARGS=hazards` (= `uv run python -m bench hazards`). It uses its own copy of the
scale-30 demo county (`DATABASE_URL`, default `safegrid_bench_hz`, created from `safegrid_bench` as a
template when missing) so its 20 million rows stay out of the other benchmarks; the volume is written once
(`bench/hazards_volume.py`) and reused. Same method as the web benchmark (see bench/README.md): p50/p95 of
≥ 200 requests after warm-up beside the bare SQL time of the same queries, and the CPU time per request.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from bench.__main__ import SCALE, Case, Result, _measure, _raw_connection, _setup_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/safegrid_bench_hz"
TEMPLATE = "safegrid_bench"
RESULTS = Path(__file__).resolve().parent / "results" / "hazards.json"
TARGET_P95_MS = 200.0
TARGET_GENERATE_S = 60.0
HAZARDS = 200_000
RECORDS = 20_000_000
TOWN_A = "370321001"
USERS = ("county_admin", "dept_chem", "town_a")


def _ensure_database(database_url: str) -> None:
    """Create the database when missing: a copy of the scale-30 bench county when it exists, else empty
    (the demo is then built by `_ensure_demo`)."""
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
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        if (
            name != TEMPLATE
            and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [TEMPLATE]).fetchone()
        ):
            print(f"复制数据库 / creating {name} from the template {TEMPLATE}", flush=True)
            try:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(name), sql.Identifier(TEMPLATE)
                    )
                )
                return
            except psycopg.errors.ObjectInUse:
                print(f"  {TEMPLATE} is in use; creating an empty database instead", flush=True)
        print(f"创建数据库 / creating database {name}", flush=True)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _ensure_demo(scale: int) -> None:
    """The scale-30 county (migrated); built only when missing, without re-ANALYZEing a reused one."""
    from django.core.management import call_command

    from bench.__main__ import _ensure_demo as build_demo
    from safegrid.demo import builders
    from safegrid.enterprises.models import Enterprise

    call_command("migrate", "--noinput", verbosity=0)
    if Enterprise.objects.count() != builders.ENTERPRISES_PER_SCALE * scale:
        build_demo(scale)


def _cases(deep_overdue: dict[str, int]) -> list[Case]:
    from django.urls import reverse

    stats = reverse("hazards:stats")
    hazards = reverse("hazards:list")
    out = []
    for user in USERS:
        out += [
            Case(user, "stats", stats, {}),
            Case(user, "major town p1", hazards, {"level": "major", "town": TOWN_A}),
            Case(user, "overdue p1", hazards, {"overdue": "yes"}),
            Case(user, "overdue deep", hazards, {"overdue": "yes", "page": str(deep_overdue.get(user, 2))}),
            Case(user, "search p1", hazards, {"q": "消防"}),
            Case(user, "closed p200", hazards, {"status": "closed", "page": "200"}),
        ]
    return out


def _count_pages(case: Case, user: Any) -> None:
    """Rows the list filter matches in the user's scope (to show the deep page exists)."""
    from django.conf import settings

    from safegrid.hazards import selectors

    if case.label == "stats":
        return
    qs = selectors.hazard_list(user)
    p = case.params
    if "level" in p:
        qs = qs.filter(level=p["level"])
    if "status" in p:
        qs = qs.filter(status=p["status"])
    if "town" in p:
        qs = qs.filter(enterprise__division__code__startswith=p["town"])
    if p.get("overdue") == "yes":
        qs = qs.filter(selectors.overdue_q())
    if "q" in p:
        from django.db.models import Q

        qs = qs.filter(
            Q(title__icontains=p["q"]) | Q(location__icontains=p["q"]) | Q(enterprise__name__icontains=p["q"])
        )
    case.matching = qs.count()
    case.pages = -(-case.matching // settings.SAFEGRID_PAGE_SIZE)


def _explain(case: Case, client: Any, raw: Any, slower_than_ms: float) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the case's read statements slower than `slower_than_ms`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.__main__ import _is_read

    with CaptureQueriesContext(connection) as ctx:
        client.get(case.url)
    with raw.cursor() as cursor:
        for query in ctx.captured_queries:
            statement = query["sql"]
            if not _is_read(statement):
                continue
            started = time.perf_counter()
            cursor.execute(statement)
            cursor.fetchall()
            ms = (time.perf_counter() - started) * 1000
            if ms < slower_than_ms:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            print(
                f"--- {case.user} {case.label}: {ms:.1f} ms\n{' '.join(statement.split())[:1500]}\n{plan}\n"
            )


def _generate(day: dt.date) -> dict[str, Any]:
    """Run the real `hazards.inspection_generate` job for `day` through the worker's runner; time it."""
    from django.db import transaction

    from safegrid import jobs
    from safegrid.hazards.inspections import GENERATE_ACTOR
    from safegrid.hazards.models import TaskOccurrence
    from safegrid.jobs.models import Job
    from safegrid.jobs.runner import execute

    with transaction.atomic():
        job = jobs.enqueue(
            "hazards.inspection_generate",
            title="生成当日排查任务（基准测试）",
            actor=GENERATE_ACTOR,
            args={"day": day.isoformat()},
            max_attempts=1,
        )
    before = TaskOccurrence.objects.count()
    started, started_cpu = time.perf_counter(), time.process_time()
    status = execute(str(job.uuid))
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    job = Job.objects.get(pk=job.pk)
    result = job.result or {}
    after = TaskOccurrence.objects.count()
    return {
        "day": day.isoformat(),
        "status": status,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "created": result.get("created"),
        "tasks": result.get("tasks"),
        "suspended": result.get("suspended"),
        "skipped": result.get("skipped"),
        "rows_counted": after - before,
        "job_seconds": result.get("seconds"),
        "error": job.error if status != "succeeded" else "",
        "ok": status == "succeeded" and seconds <= TARGET_GENERATE_S and (result.get("created") or 0) > 0,
    }


def _next_day() -> dt.date:
    """The first day after today whose occurrences are not generated yet."""
    from django.db.models import Max
    from django.utils import timezone

    from safegrid.hazards.models import TaskOccurrence

    latest = TaskOccurrence.objects.aggregate(m=Max("window_start"))["m"]
    today = timezone.localdate()
    day = today + dt.timedelta(days=1)
    if latest is not None:
        day = max(day, timezone.localdate(latest) + dt.timedelta(days=1))
    return day


def _print_table(results: list[Result]) -> None:
    header = (
        f"{'user':<13} {'case':<14} {'p50 ms':>8} {'p95 ms':>8} {'SQL p50':>8} {'SQL p95':>8} "
        f"{'q':>3} {'rows':>7} {'pages':>6} {'CPU p50':>8}  result  url"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.user:<13} {r.label:<14} {r.page_p50_ms:>8.1f} {r.page_p95_ms:>8.1f} {r.sql_p50_ms:>8.1f} "
            f"{r.sql_p95_ms:>8.1f} {r.queries:>3} {r.matching if r.matching is not None else '-':>7} "
            f"{r.pages if r.pages is not None else '-':>6} {r.cpu_p50_ms or 0:>8.1f}  "
            f"{'OK' if r.ok else 'FAIL':<6}  {r.url}"
        )
        for note in r.notes:
            print(f"{'':<13} note: {note}")
        if r.slowest_sql:
            worst = r.slowest_sql[0]
            print(f"{'':<13} slowest SQL {worst['mean_ms']:.1f} ms: {worst['sql'][:110]}…")
    print()
    print(f"目标 / target: every answer 200 and page p95 ≤ {TARGET_P95_MS:.0f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench hazards", description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case (≥ 200)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--scale", type=int, default=SCALE)
    parser.add_argument("--hazards", type=int, default=HAZARDS, help="hidden hazards to hold at least")
    parser.add_argument("--records", type=int, default=RECORDS, help="check records to hold at least")
    parser.add_argument("--only", default="", help="run only cases whose user or label contains this text")
    parser.add_argument("--skip-generate", action="store_true", help="leave out the day's task generation")
    parser.add_argument("--skip-pages", action="store_true", help="leave out the page measurements")
    parser.add_argument("--rebuild-rollups", action="store_true", help="rebuild the rollups even when reused")
    parser.add_argument(
        "--explain",
        type=float,
        default=0,
        metavar="MS",
        help="print EXPLAIN ANALYZE of statements slower than MS",
    )
    parser.add_argument("--output", default=str(RESULTS), help="where to write the results JSON")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("bench hazards needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    _setup_environment(database_url)
    _ensure_database(database_url)

    import django

    django.setup()
    from django.test import Client

    from bench import hazards_volume
    from safegrid.core.models import User
    from safegrid.hazards import selectors

    _ensure_demo(args.scale)
    built = hazards_volume.ensure_volume(
        hazards=args.hazards, records=args.records, rebuild=args.rebuild_rollups
    )
    print(
        f"数据量 / volume: {built.hazards:,} hazards, {built.occurrences:,} task occurrences, "
        f"{built.records:,} check records, {built.tasks:,} active periodic tasks",
        flush=True,
    )
    generation: dict[str, Any] = {}
    if not (args.skip_generate or args.explain):
        day = _next_day()
        print(f"生成排查任务 / generating the occurrences of {day} for the whole county…", flush=True)
        generation = _generate(day)
        print(
            f"  {generation['created']:,} occurrences created for {generation['tasks']:,} tasks in "
            f"{generation['seconds']:.1f} s (CPU {generation['cpu_seconds']:.1f} s; target ≤ "
            f"{TARGET_GENERATE_S:.0f} s): {'OK' if generation['ok'] else 'FAIL'} {generation['error']}",
            flush=True,
        )
    load_before = os.getloadavg()
    results: list[Result] = []
    if not args.skip_pages:
        users = {u: User.objects.get(username=u) for u in USERS}
        deep = {}
        for name, user in users.items():
            overdue = selectors.hazard_list(user).filter(selectors.overdue_q()).count()
            deep[name] = max(2, min(50, -(-overdue // 25) // 2))
        raw = _raw_connection(database_url)
        clients: dict[str, Any] = {}
        for case in _cases(deep):
            if args.only and args.only not in f"{case.user} {case.label}":
                continue
            if case.user not in clients:
                client = Client()
                client.force_login(users[case.user], backend="django.contrib.auth.backends.ModelBackend")
                clients[case.user] = client
            _count_pages(case, users[case.user])
            if args.explain:
                _explain(case, clients[case.user], raw, args.explain)
                continue
            print(f"测量 / measuring {case.user:<13} {case.url}", flush=True)
            result = _measure(case, clients[case.user], raw, args.warmup, args.requests)
            ok = result.statuses == {"200": args.requests} and result.page_p95_ms <= TARGET_P95_MS
            results.append(dataclasses.replace(result, budget_ms=TARGET_P95_MS, ok=ok))
            print(
                f"  p50 {result.page_p50_ms:.1f} ms, p95 {result.page_p95_ms:.1f} ms, SQL p50 {result.sql_p50_ms:.1f} "
                f"p95 {result.sql_p95_ms:.1f} ms, {result.queries} queries, CPU p50 {result.cpu_p50_ms} ms, "
                f"{case.matching if case.matching is not None else '-'} rows: {'OK' if ok else 'FAIL'}; "
                f"load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
        raw.close()
        if args.explain:
            return 0
        _print_table(results)
    load_pages = os.getloadavg()
    load_after = load_pages
    volume_ok = built.hazards >= args.hazards and built.records >= args.records
    print(
        f"cpus {os.cpu_count()}, load average before {load_before[0]:.2f}, after the pages "
        f"{load_pages[0]:.2f}, at the end {load_after[0]:.2f}"
    )
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": "postgresql",
        "scale": args.scale,
        "volume": {
            "hazards": built.hazards,
            "occurrences": built.occurrences,
            "check_records": built.records,
            "active_tasks": built.tasks,
            "tasks_added": built.tasks_added,
            "enterprises_with_history": built.enterprises_with_history,
            "phases": built.phases,
            "rollups": built.rebuilt,
            "ok": volume_ok,
        },
        "requests_per_case": args.requests,
        "warmup": args.warmup,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": {"before": load_before, "after_pages": load_pages, "after": load_after},
        "target": {"p95_ms": TARGET_P95_MS, "generate_s": TARGET_GENERATE_S},
        "results": [dataclasses.asdict(r) for r in results],
        "generation": generation,
        "all_ok": volume_ok and all(r.ok for r in results) and (not generation or generation["ok"]),
    }
    output.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"结果已写入 / results written to {output}")
    return 0 if payload["all_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
