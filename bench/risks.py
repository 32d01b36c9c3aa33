"""Risk benchmark: the county risk map's JSON layers and the regulator's 一企一册 filing list.

Run with `uv run python -m bench risks` (or `uv run python -m bench.risks`). It uses the same
PostgreSQL `--scale 30` demo county as the web benchmark and the same method (see bench/README.md):
p50/p95 of ≥ 200 requests after warm-up, beside the bare SQL time of the same queries.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from bench.__main__ import (
    DEFAULT_URL,
    SCALE,
    Case,
    Result,
    _ensure_database,
    _ensure_demo,
    _measure,
    _raw_connection,
    _setup_environment,
)

RESULTS = Path(__file__).resolve().parent / "results" / "risks.json"
TARGET_P95_MS = 200.0
# The lists (filing status, risk points) read counters kept beside the register: stricter targets.
LIST_TARGET_P95_MS = 100.0
LIST_TARGET_SQL_P95_MS = 50.0
COUNTY = "370321"
TOWN_A = "370321001"


def _ensure_risk_demo(scale: int) -> None:
    """The web bench's county, rebuilt when it predates the demo risk registers."""
    from django.core.management import call_command

    from safegrid.demo import builders
    from safegrid.enterprises.models import Enterprise
    from safegrid.risks.models import RegionalRisk, RiskPoint

    call_command("migrate", "--noinput", verbosity=0)
    county_built = Enterprise.objects.count() == builders.ENTERPRISES_PER_SCALE * scale
    year = dt.date.today().year
    if county_built and not (RiskPoint.objects.exists() and RegionalRisk.objects.filter(year=year).exists()):
        print(f"演示县缺少风险清单，重建 / risk registers missing, rebuilding at --scale {scale}", flush=True)
        started = time.monotonic()
        call_command("demo", "--reset", "--scale", str(scale))
        print(f"演示数据生成耗时 / demo build took {time.monotonic() - started:.1f} s", flush=True)
    _ensure_demo(scale)  # builds when the county is missing or of another size; then ANALYZE


def _cases() -> list[Case]:
    from django.urls import reverse

    divisions = reverse("risks:map_divisions")
    enterprises = reverse("risks:map_enterprises")
    filings = reverse("risks:filing_status")
    points = reverse("risks:point_list")
    return [
        Case("county_admin", "map div county", divisions, {"division": COUNTY}),
        Case("county_admin", "map div town", divisions, {"division": TOWN_A}),
        Case("county_admin", "map ent county", enterprises, {"division": COUNTY}),
        Case(
            "county_admin", "map ent chem", enterprises, {"division": COUNTY, "sector": "hazardous_chemicals"}
        ),
        Case("county_admin", "map ent town", enterprises, {"division": TOWN_A}),
        Case("county_admin", "filings p1", filings, {}),
        Case("county_admin", "filings p50", filings, {"page": "50"}),
        Case("county_admin", "points p1", points, {}),
        Case("county_admin", "points p50", points, {"page": "50"}),
        Case("dept_chem", "map div county", divisions, {"division": COUNTY}),
        Case("dept_chem", "map ent county", enterprises, {"division": COUNTY}),
        Case("dept_chem", "filings p1", filings, {}),
        Case("dept_chem", "points p1", points, {}),
        Case("dept_chem", "points p50", points, {"page": "50"}),
        Case("town_a", "map div town", divisions, {"division": TOWN_A}),
        Case("town_a", "map ent town", enterprises, {"division": TOWN_A}),
        Case("town_a", "filings p1", filings, {}),
        Case("town_a", "points p1", points, {}),
        Case("town_a", "points p50", points, {"page": "50"}),
    ]


def _is_list(label: str) -> bool:
    return label.startswith(("filings", "points"))


def _targets(label: str) -> tuple[float, float | None]:
    """(page p95 target, bare-SQL p95 target or None) for a case."""
    if _is_list(label):
        return LIST_TARGET_P95_MS, LIST_TARGET_SQL_P95_MS
    return TARGET_P95_MS, None


class _SqliteRaw:
    """The raw sqlite3 connection with the `with raw.cursor()` shape `_measure` uses for psycopg."""

    def __init__(self, path: str) -> None:
        import sqlite3

        self.connection = sqlite3.connect(path)

    def cursor(self) -> Any:
        return contextlib.closing(self.connection.cursor())

    def close(self) -> None:
        self.connection.close()


def _baseline(path: str) -> dict[tuple[str, str], dict[str, Any]]:
    if not path:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {(r["user"], r["label"]): r for r in data.get("results", [])}


def _rows(case: Case, client: Any) -> str:
    """What the case returns, for the table: JSON rows or the list's page count."""
    response = client.get(case.url)
    if response.get("Content-Type", "").startswith("application/json"):
        payload = json.loads(response.content)
        if "rows" in payload:
            return f"{len(payload['rows'])} ent"
        if "regions" in payload:
            return f"{len(payload['regions'])} reg"
    return f"{len(response.content) // 1024} KB"


def _print_table(results: list[tuple[Result, str]], before: dict[tuple[str, str], dict[str, Any]]) -> None:
    header = (
        f"{'user':<13} {'case':<15} {'p50 ms':>8} {'p95 ms':>8} {'SQL p50':>8} {'SQL p95':>8} "
        f"{'ratio':>6} {'target':>9} {'q':>3} {'size':>9} {'CPU p50':>8}  result  url"
    )
    print()
    print(header)
    print("-" * len(header))
    for r, size in results:
        ratio = f"{r.ratio_p95:.1f}x" if r.ratio_p95 is not None else "-"
        verdict = "OK" if r.ok else "FAIL"
        page_target, sql_target = _targets(r.label)
        target = f"{page_target:.0f}/{sql_target:.0f}" if sql_target else f"{page_target:.0f}"
        print(
            f"{r.user:<13} {r.label:<15} {r.page_p50_ms:>8.1f} {r.page_p95_ms:>8.1f} {r.sql_p50_ms:>8.1f} "
            f"{r.sql_p95_ms:>8.1f} {ratio:>6} {target:>9} {r.queries:>3} {size:>9} {r.cpu_p50_ms or 0:>8.1f}  "
            f"{verdict:<6}  {r.url}"
        )
        old = before.get((r.user, r.label))
        if old:
            print(
                f"{'':<13} before: p50 {old['page_p50_ms']:.1f} p95 {old['page_p95_ms']:.1f} ms, "
                f"SQL p95 {old['sql_p95_ms']:.1f} ms, {old['queries']} queries "
                f"→ p95 ×{r.page_p95_ms / old['page_p95_ms']:.2f}, SQL p95 ×"
                f"{(r.sql_p95_ms / old['sql_p95_ms']) if old['sql_p95_ms'] else 0:.2f}"
            )
        for note in r.notes:
            print(f"{'':<13} note: {note}")
        if r.slowest_sql:
            worst = r.slowest_sql[0]
            print(f"{'':<13} slowest SQL {worst['mean_ms']:.1f} ms: {worst['sql'][:110]}…")
    print()
    print(
        f"目标 / target: map layers p95 ≤ {TARGET_P95_MS:.0f} ms; lists p95 ≤ {LIST_TARGET_P95_MS:.0f} ms with "
        f"bare SQL p95 ≤ {LIST_TARGET_SQL_P95_MS:.0f} ms (target column page/SQL); every answer 200"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench risks", description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case (≥ 200)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--scale", type=int, default=SCALE)
    parser.add_argument("--only", default="", help="run only cases whose user or label contains this text")
    parser.add_argument("--sqlite", default="", help="measure this SQLite file instead of PostgreSQL")
    parser.add_argument("--baseline", default="", help="a previous results JSON to print beside (before)")
    parser.add_argument("--output", default=str(RESULTS), help="where to write the results JSON")
    args = parser.parse_args(argv)
    before = _baseline(args.baseline)
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SAFEGRID_DB_PATH"] = str(Path(args.sqlite).resolve())
        database_url = ""
        os.environ.setdefault("SAFEGRID_PROFILE", "dev")
        os.environ.setdefault("SAFEGRID_DEBUG", "false")
        os.environ.setdefault("SAFEGRID_LOG_LEVEL", "WARNING")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safegrid.settings")
        src = Path(__file__).resolve().parent.parent / "src"
        if str(src) not in sys.path:
            sys.path.insert(0, str(src))
    else:
        database_url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_URL
        if not database_url.startswith(("postgres://", "postgresql://")):
            print("bench needs PostgreSQL (DATABASE_URL=postgres://…) or --sqlite FILE", file=sys.stderr)
            return 2
        _setup_environment(database_url)
        _ensure_database(database_url)

    import django

    django.setup()
    from django.test import Client

    from safegrid.core.models import User
    from safegrid.risks.models import RiskPoint

    _ensure_risk_demo(args.scale)
    load_before = os.getloadavg()
    raw: Any = _SqliteRaw(os.environ["SAFEGRID_DB_PATH"]) if args.sqlite else _raw_connection(database_url)
    results: list[tuple[Result, str]] = []
    clients: dict[str, Any] = {}
    for case in _cases():
        if args.only and args.only not in f"{case.user} {case.label}":
            continue
        if case.user not in clients:
            client = Client()
            client.force_login(
                User.objects.get(username=case.user), backend="django.contrib.auth.backends.ModelBackend"
            )
            clients[case.user] = client
        client = clients[case.user]
        print(f"测量 / measuring {case.user:<13} {case.url}", flush=True)
        result = _measure(case, client, raw, args.warmup, args.requests)
        page_target, sql_target = _targets(case.label)
        ok = (
            result.statuses == {"200": args.requests}
            and result.page_p95_ms <= page_target
            and (sql_target is None or result.sql_p95_ms <= sql_target)
        )
        results.append((dataclasses.replace(result, budget_ms=page_target, ok=ok), _rows(case, client)))
    raw.close()
    _print_table(results, before)

    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": "sqlite" if args.sqlite else "postgresql",
        "scale": args.scale,
        "risk_points": RiskPoint.objects.count(),
        "requests_per_case": args.requests,
        "warmup": args.warmup,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "target": {
            "p95_ms": TARGET_P95_MS,
            "list_p95_ms": LIST_TARGET_P95_MS,
            "list_sql_p95_ms": LIST_TARGET_SQL_P95_MS,
        },
        "results": [{**dataclasses.asdict(r), "size": size} for r, size in results],
        "all_ok": all(r.ok for r, _size in results),
    }
    output.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"结果已写入 / results written to {output}")
    return 0 if payload["all_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
