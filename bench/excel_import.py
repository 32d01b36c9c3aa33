"""Excel import benchmark: 18,000 enterprises, then one person with a certificate for each.

`uv run python -m bench excel` runs it on SQLite (a fresh file under var/) and on PostgreSQL
(`DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/safegrid_bench_excel, dropped and
recreated), each in its own process. For each database it prints the seconds and rows/s of the
two imports (check + write, one transaction each, one audit entry per created object) and, as
the baseline measured in the same run, a bare `bulk_create` of the same rows (no checks, no audit,
rolled back): the ratio says what the checks and the audit chain cost on top of the inserts.
Targets: ≤ 60 s on PostgreSQL and ≤ 120 s on SQLite for both imports together.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/safegrid_bench_excel"
TARGETS = {"sqlite": 120.0, "postgresql": 60.0}


def _uscc(n: int) -> str:
    from safegrid.enterprises.rules import make_uscc

    return make_uscc(f"91370321MB{n:07d}")


def _workbook(headers: list[str], rows: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _files(world: Any, n: int) -> tuple[bytes, bytes]:
    from safegrid.enterprises import importing

    division = f"{world.village_a.code} {world.village_a.name}"
    enterprises = [
        [f"基准企业{i:05d}", _uscc(i), "危险化学品、工贸", division, world.grid_a.code, "正常生产经营", "小型",
         20 + i % 50, "化学原料和化学制品制造业", f"工业路 {i} 号", 36.9 + (i % 100) / 1000,
         118.0 + (i % 100) / 1000, None, f"法人{i}", "13800000000"]
        for i in range(1, n + 1)
    ]  # fmt: skip
    people = [
        [
            _uscc(i),
            f"员工{i}",
            "操作工",
            "13900000000",
            None,
            "特种作业：危险化学品",
            f"B{i:07d}",
            "2028-06-30",
        ]
        for i in range(1, n + 1)
    ]
    ent_headers = [c.header for c in importing.ENTERPRISES.columns][: len(enterprises[0])]
    people_headers = [c.header for c in importing.PEOPLE.columns]
    return (
        _workbook(ent_headers, enterprises, importing.ENTERPRISES.name),
        _workbook(people_headers, people, importing.PEOPLE.name),
    )


def _baseline(world: Any, n: int) -> float:
    """Bare bulk_create of the same objects, rolled back: the floor an import cannot beat."""
    import datetime as dt

    from django.db import transaction

    from safegrid.enterprises.models import Certificate, Enterprise, EnterpriseSector, OrgUnit, Person
    from safegrid.regions.models import Sector

    sectors = list(Sector.objects.filter(name__in=["危险化学品", "工贸"]))
    started = time.perf_counter()
    with transaction.atomic():
        made = Enterprise.objects.bulk_create(
            [
                Enterprise(name=f"基线企业{i}", uscc=_uscc(i), division=world.village_a, grid=world.grid_a,
                           legal_rep=f"法人{i}", employees=20, lat=36.9, lon=118.0)
                for i in range(1, n + 1)
            ],
            batch_size=1000,
        )  # fmt: skip
        EnterpriseSector.objects.bulk_create(
            [EnterpriseSector(enterprise=e, sector=s) for e in made for s in sectors], batch_size=1000
        )
        units = OrgUnit.objects.bulk_create(
            [OrgUnit(enterprise=e, kind="company", name=e.name, path="~") for e in made], batch_size=1000
        )
        for unit in units:
            unit.path = f"{unit.pk:08d}/"
        OrgUnit.objects.bulk_update(units, ["path"], batch_size=1000)
        people = Person.objects.bulk_create(
            [Person(enterprise=e, name=f"员工{i}", job_title="操作工") for i, e in enumerate(made)],
            batch_size=1000,
        )
        Certificate.objects.bulk_create(
            [
                Certificate(enterprise=p.enterprise, person=p, kind="hazchem", number=f"B{i:07d}",
                            expires_on=dt.date(2028, 6, 30))
                for i, p in enumerate(people)
            ],
            batch_size=1000,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


class _Quiet:
    def progress(self, done: int, total: int, message: str = "") -> None:
        return None


def _time_linking(audit: Any) -> list[float]:
    """Accumulate the time spent linking audit entries after each commit (part of the import's time)."""
    spent = [0.0]
    real = audit.link_recorded

    def timed(*args: Any, **kwargs: Any) -> int:
        started = time.perf_counter()
        try:
            return int(real(*args, **kwargs))
        finally:
            spent[0] += time.perf_counter() - started

    audit.link_recorded = timed
    return spent


def _run_one(n: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from safegrid.core import audit
    from safegrid.core.models import AuditEntry
    from safegrid.enterprises import import_jobs
    from safegrid.enterprises.models import Certificate, Enterprise, Person
    from safegrid.jobs import JobFailed
    from safegrid.testworld import build_world

    call_command("migrate", verbosity=0)
    world = build_world()
    user = world.user("county_admin")
    enterprise_file, people_file = _files(world, n)
    baseline = _baseline(world, n)
    timings: dict[str, float] = {}
    linking = _time_linking(audit)
    for kind, content in (("enterprises", enterprise_file), ("people", people_file)):
        job = import_jobs.job_create(user=user, kind=kind, file_name=f"{kind}.xlsx", content=content)
        started = time.perf_counter()
        with contextlib.suppress(JobFailed):  # a refused file: reported just below
            import_jobs.process_upload(_Quiet(), job.pk)  # the job's body, without the worker around it
        timings[kind] = time.perf_counter() - started
        job.refresh_from_db()
        if job.status != "done":
            raise SystemExit(f"{kind} import failed: {job.message} {job.errors[:3]}")
    counts = {
        "enterprises": Enterprise.objects.filter(name__startswith="基准企业").count(),
        "people": Person.objects.filter(name__startswith="员工").count(),
        "certificates": Certificate.objects.filter(number__startswith="B").count(),
        "audit_entries": AuditEntry.objects.count(),
    }
    verified = audit.verify()
    return {
        "vendor": connection.vendor,
        "rows": n,
        "enterprises_s": round(timings["enterprises"], 2),
        "people_s": round(timings["people"], 2),
        "total_s": round(sum(timings.values()), 2),
        "linking_s": round(linking[0], 2),  # post-commit audit linking, included in the totals
        "rows_per_s": round(2 * n / sum(timings.values())),
        "baseline_bulk_insert_s": round(baseline, 2),
        "ratio": round(sum(timings.values()) / baseline, 1),
        "counts": counts,
        "audit_chain_ok": verified.ok,
        "load": [round(x, 1) for x in os.getloadavg()],
    }


def _recreate_pg(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    cfg = dj_database_url.parse(url)
    params: dict[str, Any] = {"host": cfg.get("HOST") or "127.0.0.1", "port": cfg.get("PORT") or 5432,
              "user": cfg.get("USER") or "postgres", "dbname": "postgres"}  # fmt: skip
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(cfg["NAME"])))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))


def _child(database_url: str, n: int) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "SAFEGRID_PROFILE": "dev", "SAFEGRID_DEBUG": "false",
           "SAFEGRID_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "safegrid.settings"}  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-m", "bench.excel_import", "--child", "--rows", str(n)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench excel", description=__doc__)
    parser.add_argument("--rows", type=int, default=18_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_run_one(args.rows)))
        return 0
    results = []
    if args.only in (None, "sqlite"):
        path = ROOT / "var" / "bench_excel.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        results.append(_child(f"sqlite:///{path}", args.rows))
    if args.only in (None, "postgresql"):
        url = os.environ.get("DATABASE_URL", "").strip()
        url = url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_PG
        _recreate_pg(url)
        results.append(_child(url, args.rows))
    ok = True
    print(f"{'db':<11}{'rows':>7}{'enterprises s':>15}{'people s':>10}{'total s':>9}{'rows/s':>8}"
          f"{'bulk s':>8}{'ratio':>7}{'target':>8}  audit  verdict")  # fmt: skip
    for r in results:
        passed = r["total_s"] <= TARGETS[r["vendor"]] and r["audit_chain_ok"]
        ok = ok and passed
        print(
            f"{r['vendor']:<11}{r['rows']:>7}{r['enterprises_s']:>15}{r['people_s']:>10}{r['total_s']:>9}"
            f"{r['rows_per_s']:>8}{r['baseline_bulk_insert_s']:>8}{r['ratio']:>7}{TARGETS[r['vendor']]:>8}"
            f"  {'ok' if r['audit_chain_ok'] else 'BROKEN'}  {'pass' if passed else 'FAIL'}"
        )
        print(f"           linking after commit {r['linking_s']} s; load {r['load']}; {r['counts']}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "excel_import.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
