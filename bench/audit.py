"""Audit benchmark: audited API writes per second and another user's edit latency during a long import.

Run with `uv run python -m bench audit` (or `uv run python -m bench.audit`). See bench/README.md.
It uses its own small PostgreSQL database (the two-town test world), not the scale-30 county.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.__main__ import _ensure_database, _setup_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/safegrid_bench_audit"
RESULTS = Path(__file__).resolve().parent / "results" / "audit.json"
MODES = {
    "audited": "审计（提交后短锁链接）/ audited, linked after commit",
    "no_audit": "不审计（基线）/ no audit (baseline)",
    "lock_to_commit": "旧设计：链头锁到提交 / old design, head locked until commit",
}
TARGET_EDIT_MS = 1000.0


def _apply_mode(mode: str) -> None:
    """Switch the audit log in this process: the real one, none, or the old lock-until-commit."""
    from safegrid.core import audit

    if mode == "no_audit":
        audit.record = lambda **kwargs: None  # type: ignore[assignment,return-value]
    elif mode == "lock_to_commit":
        real = audit.record

        def record_and_lock(**kwargs: Any) -> Any:
            entry = real(**kwargs)
            audit.link_pending()  # inside the caller's transaction: the head stays locked until it commits
            return entry

        audit.record = record_and_lock  # type: ignore[assignment]


# ---- world -----------------------------------------------------------------------------------


def _ensure_world(writers: int) -> dict[str, Any]:
    from django.core.management import call_command

    from safegrid.core.audit import SystemActor
    from safegrid.core.models import User
    from safegrid.core.tokens import token_issue
    from safegrid.enterprises.models import Enterprise
    from safegrid.testworld import build_world

    call_command("migrate", "--noinput", verbosity=0)
    if not User.objects.filter(username="ent_a").exists():
        print("创建测试世界 / building the two-town test world", flush=True)
        build_world()
    user = User.objects.get(username="ent_a")
    enterprise = Enterprise.objects.get(roleassignment__user=user)
    # One API client (token) per writer, as separate enterprise systems would have.
    tokens = [
        token_issue(actor=SystemActor("bench"), user=user, name=f"bench-audit-{i}")[0] for i in range(writers)
    ]
    raw = tokens[0]
    other = Enterprise.objects.exclude(pk=enterprise.pk).order_by("pk").first()
    assert other is not None
    # Load the URLconf, the API and its schemas once here; the forked writers inherit them warm.
    from django.test import Client

    warm = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/people", {"enterprise": enterprise.pk})
    assert warm.status_code == 200, warm.status_code
    return {"tokens": tokens, "enterprise": enterprise.pk, "other_enterprise": other.pk}


# ---- throughput: N concurrent API writers ------------------------------------------------------


def _writer(mode: str, token: str, enterprise: int, writes: int, tag: str, start: Any, out: Any) -> None:
    """One writer process: POST `writes` people through the HTTP API; report ids and elapsed time."""
    import django
    from django.db import connection

    django.setup()
    connection.close()  # never share the parent's socket
    _apply_mode(mode)
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    ids: list[int] = []
    failures: list[str] = []
    start.wait()
    started = time.perf_counter()
    for n in range(writes):
        response = client.post(
            "/api/v1/people",
            data={"enterprise": enterprise, "name": f"{tag}{n}", "job_title": "操作工"},
            content_type="application/json",
        )
        if response.status_code == 201:
            ids.append(response.json()["id"])
        else:
            failures.append(f"{response.status_code} {response.content[:200]!r}")
    out.put(
        {
            "ids": ids,
            "failures": failures[:3],
            "failed": len(failures),
            "seconds": time.perf_counter() - started,
        }
    )
    connection.close()


@dataclass
class Throughput:
    mode: str
    label: str
    writers: int
    writes: int
    seconds: float
    writes_per_s: float
    failed: int
    entries_ok: bool
    ratio_to_baseline: float | None = None
    notes: list[str] = field(default_factory=list)


def _throughput(mode: str, world: dict[str, Any], writers: int, per_writer: int) -> Throughput:
    from django.db import connection

    from safegrid.core.models import AuditEntry

    connection.close()
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(writers + 1)
    out = ctx.Queue()
    tag = f"{mode[:2]}{time.time_ns() % 10**6}-"
    procs = [
        ctx.Process(
            target=_writer,
            args=(mode, world["tokens"][i], world["enterprise"], per_writer, f"{tag}{i}-", start, out),
        )
        for i in range(writers)
    ]
    for proc in procs:
        proc.start()
    start.wait()
    began = time.perf_counter()
    reports = [out.get() for _ in procs]
    elapsed = time.perf_counter() - began
    for proc in procs:
        proc.join()
    ids = [pk for r in reports for pk in r["ids"]]
    failed = sum(r["failed"] for r in reports)
    notes = [f for r in reports for f in r["failures"]][:3]
    expected = 0 if mode == "no_audit" else 1
    counts = dict.fromkeys((str(pk) for pk in ids), 0)
    for object_id in AuditEntry.objects.filter(
        object_type="enterprises.person", object_id__in=list(counts)
    ).values_list("object_id", flat=True):
        counts[object_id] += 1
    entries_ok = all(n == expected for n in counts.values())
    if not entries_ok:
        wrong = sum(1 for n in counts.values() if n != expected)
        notes.append(f"{wrong} writes without exactly {expected} audit entry")
    return Throughput(
        mode=mode,
        label=MODES[mode],
        writers=writers,
        writes=len(ids),
        seconds=round(elapsed, 2),
        writes_per_s=round(len(ids) / elapsed, 1) if elapsed else 0.0,
        failed=failed,
        entries_ok=entries_ok,
        notes=notes,
    )


# ---- latency: a short edit while a long transaction holds audited writes ----------------------


@dataclass
class EditLatency:
    mode: str
    label: str
    long_rows: int
    long_seconds: float
    edits_during: int
    edit_p50_ms: float
    edit_max_ms: float
    link_after_commit_s: float
    entries_ok: bool
    ok: bool
    notes: list[str] = field(default_factory=list)


def _long_import(enterprise: int, rows: int, mode: str, wrote_some: Any, done: Any, out: Any) -> None:
    """One process, one transaction: bulk-insert `rows` people with one audit entry each (as an import does)."""
    import django
    from django.db import connection, transaction

    django.setup()
    connection.close()
    from safegrid.core import audit
    from safegrid.core.audit import SystemActor
    from safegrid.core.choices import AuditAction
    from safegrid.enterprises.models import Person

    actor = SystemActor("bench-import")
    batch = 500
    ids: list[int] = []
    started = time.perf_counter()
    with transaction.atomic():
        for offset in range(0, rows, batch):
            people = Person.objects.bulk_create(
                [
                    Person(enterprise_id=enterprise, name=f"导入{offset + n}")
                    for n in range(min(batch, rows - offset))
                ]
            )
            ids.extend(p.pk for p in people)
            audit.record_many(
                [
                    audit.entry(actor=actor, action=AuditAction.CREATE, obj=p, after=audit.snapshot(p))
                    for p in people
                ]
            )
            if mode == "lock_to_commit":
                audit.link_pending()  # the old design: the head stays locked until this transaction commits
            wrote_some.set()
        committing = time.perf_counter()
    committed = time.perf_counter()  # the commit hook (linking) has run by now
    done.set()
    out.put({"ids": ids, "seconds": committing - started, "link_seconds": committed - committing})
    connection.close()


def _edit_latency(mode: str, world: dict[str, Any], rows: int) -> EditLatency:
    """A long import in one process; in this one, another user edits an enterprise until it has committed."""
    from django.db import connection

    from safegrid.core import audit
    from safegrid.core.models import AuditEntry, User
    from safegrid.enterprises import services
    from safegrid.enterprises.models import Enterprise

    connection.close()
    ctx = multiprocessing.get_context("fork")
    wrote_some, done, out = ctx.Event(), ctx.Event(), ctx.Queue()
    importer = ctx.Process(target=_long_import, args=(world["enterprise"], rows, mode, wrote_some, done, out))
    importer.start()
    real_record = audit.record
    _apply_mode(mode)
    editor = User.objects.get(username="ent_b")
    enterprise = Enterprise.objects.get(pk=world["other_enterprise"])
    wrote_some.wait()
    latencies: list[float] = []
    edited: list[str] = []
    # A field the enterprise's own safety manager may change (its contacts; the rest is the regulators').
    number = 0
    while not done.is_set() or not latencies:
        number += 1
        value = f"0533-{7000000 + number}"
        began = time.perf_counter()
        services.enterprise_update(actor=editor, enterprise=enterprise, data={"principal_phone": value})
        latencies.append(time.perf_counter() - began)
        edited.append(value)
    report = out.get()
    importer.join()
    audit.record = real_record  # type: ignore[assignment]
    expected = 0 if mode == "no_audit" else 1
    ids = [str(pk) for pk in report["ids"]]
    entries = AuditEntry.objects.filter(object_type="enterprises.person", object_id__in=ids).count()
    edits = AuditEntry.objects.filter(
        object_type="enterprises.enterprise", object_id=str(enterprise.pk), after__principal_phone__in=edited
    ).count()
    entries_ok = entries == len(ids) and edits == expected * len(edited)
    worst = max(latencies) * 1000
    return EditLatency(
        mode=mode,
        label=MODES[mode],
        long_rows=rows,
        long_seconds=round(report["seconds"], 2),
        edits_during=len(latencies),
        edit_p50_ms=round(statistics.median(latencies) * 1000, 1),
        edit_max_ms=round(worst, 1),
        link_after_commit_s=round(report["link_seconds"], 2),
        entries_ok=entries_ok,
        ok=entries_ok and worst <= TARGET_EDIT_MS,
        notes=[] if entries_ok else [f"entries {entries}/{len(ids)}, edits {edits}/{len(edited)}"],
    )


# ---- main --------------------------------------------------------------------------------------


def _verify() -> tuple[bool, str]:
    from safegrid.core import audit

    result = audit.verify()
    text = f"checked {result.checked}, linked first {result.linked}"
    return result.ok, text if result.ok else f"{text}: #{result.first_bad_id} {result.problem}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench audit", description=__doc__)
    parser.add_argument("--writers", type=int, default=8, help="concurrent API writer processes")
    parser.add_argument("--writes", type=int, default=150, help="POSTs per writer")
    parser.add_argument("--long-rows", type=int, default=18_000, help="audited rows in the long transaction")
    parser.add_argument(
        "--skip-old", action="store_true", help="do not measure the old lock-until-commit design"
    )
    args = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_AUDIT_DATABASE_URL", "").strip() or DEFAULT_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("bench audit needs PostgreSQL: set BENCH_AUDIT_DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    _setup_environment(database_url)
    os.environ["DATABASE_URL"] = database_url
    _ensure_database(database_url)

    import django

    django.setup()
    world = _ensure_world(args.writers)
    load_before = os.getloadavg()

    modes = ["no_audit", "audited"] + ([] if args.skip_old else ["lock_to_commit"])
    throughput: list[Throughput] = []
    for mode in modes:
        print(f"测量 / measuring {args.writers} API writers × {args.writes}: {MODES[mode]}", flush=True)
        throughput.append(_throughput(mode, world, args.writers, args.writes))
    baseline = next(t for t in throughput if t.mode == "no_audit").writes_per_s
    for t in throughput:
        t.ratio_to_baseline = round(t.writes_per_s / baseline, 2) if baseline else None
    chain_ok, chain_text = _verify()

    latency: list[EditLatency] = []
    for mode in ["audited"] + ([] if args.skip_old else ["lock_to_commit"]):
        print(
            f"测量 / measuring edit latency beside a {args.long_rows}-row transaction: {MODES[mode]}",
            flush=True,
        )
        latency.append(_edit_latency(mode, world, args.long_rows))
    chain_ok_after, chain_text_after = _verify()

    print()
    header = f"{'mode':<16} {'writers':>7} {'writes':>7} {'s':>7} {'writes/s':>9} {'× baseline':>10}  entries"
    print(header)
    print("-" * len(header))
    for t in throughput:
        ratio = f"{t.ratio_to_baseline:.2f}" if t.ratio_to_baseline is not None else "-"
        verdict = (
            "1 per write" if t.entries_ok and t.mode != "no_audit" else ("none" if t.entries_ok else "WRONG")
        )
        print(
            f"{t.mode:<16} {t.writers:>7} {t.writes:>7} {t.seconds:>7.2f} {t.writes_per_s:>9.1f} {ratio:>10}  {verdict}"
        )
        for note in t.notes:
            print(f"{'':<16} note: {note}")
    print()
    header = (
        f"{'mode':<16} {'long rows':>9} {'long s':>7} {'edits':>6} {'edit p50 ms':>11} {'edit max ms':>11} "
        f"{'link after commit s':>19}  result"
    )
    print(header)
    print("-" * len(header))
    for e in latency:
        print(
            f"{e.mode:<16} {e.long_rows:>9} {e.long_seconds:>7.2f} {e.edits_during:>6} {e.edit_p50_ms:>11.1f} "
            f"{e.edit_max_ms:>11.1f} {e.link_after_commit_s:>19.2f}  {'OK' if e.ok else 'FAIL'}"
        )
        for note in e.notes:
            print(f"{'':<16} note: {note}")
    print()
    print(f"audit verify after the writers: {'clean' if chain_ok else 'BROKEN'} ({chain_text})")
    print(f"audit verify at the end:        {'clean' if chain_ok_after else 'BROKEN'} ({chain_text_after})")
    print(
        f"目标 / target: another user's edit ≤ {TARGET_EDIT_MS:.0f} ms while the long transaction runs (audited)"
    )

    audited_ok = all(t.entries_ok and not t.failed for t in throughput)
    edit_ok = next(e for e in latency if e.mode == "audited").ok
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": "postgresql",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "throughput": [asdict(t) for t in throughput],
        "edit_latency": [asdict(e) for e in latency],
        "verify": {"after_writers": chain_text, "at_end": chain_text_after},
        "all_ok": chain_ok and chain_ok_after and audited_ok and edit_ok,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"结果已写入 / results written to {RESULTS}")
    return 0 if payload["all_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
