"""Open-alarm counts: the county's and a town's totals from the per-enterprise AlarmCount rows.

Run with `uv run python -m bench.alarm_counts [--enterprises N] [--url DATABASE_URL]`. It uses its own
small PostgreSQL database: the two-town test world plus N enterprises spread over 20 towns × 10 villages,
each with an AlarmCount row, then times `selectors.alarms.alarm_counts` (the list page's count cards) for
the county admin, for a town officer, and for the county admin with a town prefix, and prints the plan
of the prefix query.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from bench.__main__ import _ensure_database, _setup_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/safegrid_bench_alarms"


def _build(enterprises: int) -> dict[str, Any]:
    from django.core.management import call_command

    from safegrid.core.choices import Role
    from safegrid.core.testing import make_user
    from safegrid.enterprises.models import Enterprise
    from safegrid.monitoring.models import AlarmCount
    from safegrid.regions.models import Division

    call_command("migrate", verbosity=0)
    if AlarmCount.objects.count() >= enterprises:
        return {"town": "370321101", "towns": 20}
    county = Division.objects.get_or_create(code="370321", defaults={"name": "县", "level": "county"})[0]
    villages: list[Division] = []
    for t in range(20):
        town = Division.objects.get_or_create(
            code=f"370321{101 + t:03d}", defaults={"name": f"镇{t}", "level": "town", "parent": county}
        )[0]
        for v in range(10):
            villages.append(
                Division.objects.get_or_create(
                    code=f"{town.code}{v + 1:03d}",
                    defaults={"name": f"村{t}-{v}", "level": "village", "parent": town},
                )[0]
            )
    rows = [
        Enterprise(name=f"企业{n}", uscc=f"9137{n:014d}", division=villages[n % len(villages)])
        for n in range(enterprises)
    ]
    Enterprise.objects.bulk_create(rows, batch_size=1000)
    AlarmCount.objects.bulk_create(
        [
            AlarmCount(
                enterprise=e,
                division_code=e.division_id,
                open=e.pk % 4,
                unacknowledged=e.pk % 3,
                active=e.pk % 2,
                severe=int(e.pk % 7 == 0),
            )
            for e in Enterprise.objects.all()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    town = Division.objects.get(code="370321101")
    make_user("bench_county", {"role": Role.COUNTY_ADMIN})
    make_user("bench_town", {"role": Role.TOWN_OFFICER, "division": town})
    return {"town": town.code, "towns": 20}


def _time(fn: Any, runs: int) -> tuple[float, float]:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def _engine_latency(runs: int) -> None:
    """Reading handed to the engine → alarm committed (raise), and back (clear): each its own transaction,
    audited, logged, counted, notified."""
    import datetime as dt

    from django.utils import timezone

    from safegrid.enterprises.models import Enterprise
    from safegrid.monitoring.alarm_engine import AlarmEngine
    from safegrid.monitoring.ingest.sinks import AcceptedReading
    from safegrid.monitoring.models import MonitoringPoint

    enterprise = Enterprise.objects.order_by("pk").first()
    point, _ = MonitoringPoint.objects.get_or_create(
        enterprise=enterprise,
        code="BENCH-LT-1",
        defaults={"name": "bench", "kind": "level", "h": 8.0, "hh": 9.0, "deadband": 0.5},
    )
    engine = AlarmEngine()
    start_ts = timezone.now()
    raise_ms: list[float] = []
    clear_ms: list[float] = []
    extend_ms: list[float] = []
    for n in range(runs):
        ts = start_ts + dt.timedelta(seconds=3 * n)
        for value, bucket, offset in ((8.5, raise_ms, 0), (8.6, extend_ms, 1), (5.0, clear_ms, 2)):
            reading = AcceptedReading(
                point.pk, point.enterprise_id, ts + dt.timedelta(seconds=offset), value, timezone.now()
            )
            began = time.perf_counter()
            engine([reading])
            bucket.append((time.perf_counter() - began) * 1000)
    for label, samples in (
        ("raise (insert+log+audit+count+notify)", raise_ms),
        ("extend (one UPDATE)", extend_ms),
        ("clear", clear_ms),
    ):
        samples.sort()
        print(
            f"engine {label:40s} p50 {statistics.median(samples):6.2f} ms  p99 {samples[int(len(samples) * 0.99) - 1]:6.2f} ms"
        )
    quiet: list[float] = []
    for n in range(runs):
        reading = AcceptedReading(
            point.pk, point.enterprise_id, start_ts + dt.timedelta(days=1, seconds=n), 5.0, timezone.now()
        )
        began = time.perf_counter()
        engine([reading])
        quiet.append((time.perf_counter() - began) * 1e6)
    print(f"engine reading with no change (memory only)           p50 {statistics.median(quiet):6.1f} µs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--enterprises", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)
    _ensure_database(args.url)
    _setup_environment(args.url)
    import django

    django.setup()
    from django.db import connection

    from safegrid.core.models import User
    from safegrid.core.scoping import restrict
    from safegrid.monitoring.models import AlarmCount
    from safegrid.monitoring.selectors.alarms import alarm_counts

    info = _build(args.enterprises)
    county = User.objects.get(username="bench_county")
    town = User.objects.get(username="bench_town")
    print(f"{AlarmCount.objects.count()} 家企业的报警计数行 / counter rows")
    for label, fn in (
        ("county admin, whole county", lambda: alarm_counts(county)),
        ("town officer, own town", lambda: alarm_counts(town)),
        ("county admin, one town by prefix", lambda: alarm_counts(county, division_prefix=info["town"])),
    ):
        p50, p95 = _time(fn, args.runs)
        print(f"{label:36s} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  -> {fn()}")
    _engine_latency(args.runs)
    rows = restrict(AlarmCount.objects.all(), county).filter(division_code__startswith=info["town"])
    with connection.cursor() as cursor:
        sql, params = rows.values("open").query.sql_with_params()
        cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
        print("\n".join(line[0] for line in cursor.fetchall()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
