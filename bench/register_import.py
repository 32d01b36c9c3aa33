"""Risk register re-import benchmark: preview and apply of a 1,000-point register, on SQLite and PostgreSQL.

`uv run python -m bench register` builds the test world, writes a register workbook of `--points` risk
points (3 hazard factors with an LEC assessment, 4 control measures and 3 responsibility tiers each) and
times, in one process per database (SQLite: a fresh file under var/; PostgreSQL: `DATABASE_URL`,
default postgres://postgres@127.0.0.1:5432/safegrid_bench_register, dropped and recreated):

  1. first import: preview (check + compare, nothing written), then apply (every object created);
  2. the export of that register;
  3. re-import of the unchanged export: preview, then apply (nothing changes: ids kept, no writes);
  4. re-import of an edited export (5 % of measures with a new cycle, 2 % of factors removed): preview,
     then apply (in-place updates and deactivations, one audit entry each).

Each step is the job's body without the worker around it (`documents.points_excel.importer`).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import excel_import

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/safegrid_bench_register"


def _workbook(world: Any, points: int) -> bytes:
    from openpyxl import Workbook

    from safegrid.core.excel import HELP_SHEET
    from safegrid.risks.documents.points_excel import columns as rx

    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in rx.SHEETS}
    post = "合成车间/甲班/反应釜操作岗"
    for n in range(1, points + 1):
        code = f"RP-{n:04d}"
        rows[rx.POINTS_SHEET].append(
            {"code": code, "name": f"基准风险点{n}", "type": "设施/部位/场所/区域", "org_unit": "合成车间"}
        )
        for f in range(1, 4):
            rows[rx.FACTORS_SHEET].append(
                {"point": code, "method": "SCL", "step_name": f"检查项目{f}", "description": f"危险源{n}-{f}",
                 "category": "物的因素", "accident_types": "火灾", "initial_method": "LEC",
                 "initial_L": 3, "initial_E": 6, "initial_C": (7, 15, 40)[f - 1]}
            )  # fmt: skip
        for m in range(1, 5):
            rows[rx.MEASURES_SHEET].append(
                {"point": code, "factor": f"检查项目{(m - 1) % 3 + 1}", "kind": "制度管理",
                 "classify1": "维护保养", "classify2": "2-3", "description": f"措施{n}-{m}",
                 "check_content": f"检查内容{n}-{m}", "check_cycle": 1, "check_cycle_unit": "天",
                 "responsible_post": post}
            )  # fmt: skip
        for tier, unit in (("车间级", "合成车间"), ("班组级", "合成车间/甲班"), ("岗位级", post)):
            rows[rx.TIERS_SHEET].append({"point": code, "tier": tier, "person": "王操作", "org_unit": unit})
    book = Workbook(write_only=True)
    help_sheet = book.create_sheet(HELP_SHEET)
    help_sheet.append([rx.USCC_LABEL, world.ent_a.uscc])
    for name, columns in rx.SHEETS.items():
        sheet = book.create_sheet(name)
        sheet.append([c.header for c in columns])
        for row in rows[name]:
            sheet.append([row.get(c.key) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _edited(content: bytes) -> bytes:
    """The export with every 20th measure on a new cycle and every 50th factor row removed."""
    from openpyxl import load_workbook

    from safegrid.risks.documents.points_excel import columns as rx

    book = load_workbook(io.BytesIO(content))
    measures = book[rx.MEASURES_SHEET]
    headers = [str(c.value or "").rstrip("*") for c in measures[1]]
    cycle = headers.index("排查周期") + 1
    for row in range(2, measures.max_row + 1, 20):
        measures.cell(row, cycle).value = 7
    factors = book[rx.FACTORS_SHEET]
    factor_headers = [str(c.value or "").rstrip("*") for c in factors[1]]
    code = factor_headers.index("危险源编号") + 1
    refs = headers.index("对应危险源") + 1
    point_col = headers.index("风险点编号") + 1
    gone = set()
    for row in range(factors.max_row - (factors.max_row - 1) % 50, 1, -50):
        gone.add((factors.cell(row, 1).value, factors.cell(row, code).value))
        factors.delete_rows(row)
    for row in range(2, measures.max_row + 1):  # measures aimed at a removed factor: aimed at none
        if (measures.cell(row, point_col).value, measures.cell(row, refs).value) in gone:
            measures.cell(row, refs).value = None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _timed(step: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = step()
    return result, round(time.perf_counter() - started, 2)


def _run_one(points: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from safegrid.core import audit
    from safegrid.core.models import AuditEntry
    from safegrid.risks.documents.points_excel.export import build_export
    from safegrid.risks.documents.points_excel.importer import import_register, preview_register
    from safegrid.risks.models import ControlMeasure, HazardFactor, ResponsibilityAssignment, RiskPoint
    from safegrid.testworld import build_world

    call_command("migrate", verbosity=0)
    world = build_world()
    user, enterprise = world.user("ent_a"), world.ent_a
    steps: dict[str, Any] = {}

    def run(label: str, content: bytes) -> None:
        found, preview_s = _timed(
            lambda: preview_register(user=user, enterprise=enterprise, file_name="b.xlsx", content=content)
        )
        if not found.ok:
            raise SystemExit(f"{label}: preview refused: {found.message} {found.errors[:3]}")
        entries = AuditEntry.objects.count()
        outcome, apply_s = _timed(
            lambda: import_register(
                user=user, enterprise=enterprise, file_name="b.xlsx", content=content, expected=found.preview
            )
        )
        if not outcome.ok:
            raise SystemExit(f"{label}: apply refused: {outcome.message} {outcome.errors[:3]}")
        steps[label] = {
            "rows": found.total,
            "preview_s": preview_s,
            "apply_s": apply_s,
            "totals": found.preview["totals"],
            "audit_entries": AuditEntry.objects.count() - entries,
        }

    run("first import", _workbook(world, points))
    ids = sorted(HazardFactor.objects.values_list("pk", flat=True))
    exported, export_s = _timed(lambda: build_export(user, enterprise))
    steps["export"] = {"export_s": export_s, "bytes": len(exported)}
    run("unchanged re-import", exported)
    kept = sorted(HazardFactor.objects.values_list("pk", flat=True)) == ids
    run("edited re-import", _edited(exported))
    return {
        "vendor": connection.vendor,
        "points": points,
        "steps": steps,
        "ids_kept_on_unchanged_reimport": kept,
        "counts": {
            "points": RiskPoint.objects.count(),
            "factors_active": HazardFactor.objects.filter(active=True).count(),
            "factors_retired": HazardFactor.objects.filter(active=False).count(),
            "measures": ControlMeasure.objects.count(),
            "tiers": ResponsibilityAssignment.objects.count(),
        },
        "audit_chain_ok": audit.verify().ok,
        "load": [round(x, 1) for x in os.getloadavg()],
    }


_recreate_pg = excel_import._recreate_pg  # one way to give a benchmark a fresh PostgreSQL database


def _child(database_url: str, points: int) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "SAFEGRID_PROFILE": "dev", "SAFEGRID_DEBUG": "false",
           "SAFEGRID_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "safegrid.settings"}  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-m", "bench.register_import", "--child", "--points", str(points)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench register", description=__doc__)
    parser.add_argument("--points", type=int, default=1_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_run_one(args.points)))
        return 0
    results = []
    if args.only in (None, "sqlite"):
        path = ROOT / "var" / "bench_register.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        results.append(_child(f"sqlite:///{path}", args.points))
    if args.only in (None, "postgresql"):
        url = os.environ.get("DATABASE_URL", "").strip()
        url = url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_PG
        _recreate_pg(url)
        results.append(_child(url, args.points))
    ok = True
    print(f"{'db':<11}{'step':<22}{'rows':>7}{'preview s':>11}{'apply s':>9}{'audit':>7}  changes")
    for r in results:
        ok = ok and r["audit_chain_ok"] and r["ids_kept_on_unchanged_reimport"]
        for label, step in r["steps"].items():
            if label == "export":
                print(f"{r['vendor']:<11}{label:<22}{'':>7}{step['export_s']:>11}")
                continue
            print(
                f"{r['vendor']:<11}{label:<22}{step['rows']:>7}{step['preview_s']:>11}{step['apply_s']:>9}"
                f"{step['audit_entries']:>7}  {step['totals']}"
            )
        print(
            f"           ids kept on unchanged re-import: {r['ids_kept_on_unchanged_reimport']}; audit chain "
            f"{'ok' if r['audit_chain_ok'] else 'BROKEN'}; load {r['load']}; {r['counts']}"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "register_import.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
