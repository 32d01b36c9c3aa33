"""Monitoring ingest benchmark: MQTT (a real Mosquitto with the shipped configuration) → `safegrid ingest` →
PostgreSQL, against two baselines measured in the same run on the same machine.

Run with `make bench-ingest` (= `python -m bench ingest`); options through BENCH_ARGS, e.g.
`make bench-ingest BENCH_ARGS="--seconds 60 --per-message 50"`. See bench/README.md.

1. **drain**: a do-nothing QoS 1 subscriber (paho, acknowledging at once) drains the messages.
2. **copy**: binary `COPY` of the same rows straight into `monitoring_reading` (same partitions, same primary
   key and BRIN index), in the ingest's batch size.
3. **pipeline**: the same messages through `safegrid ingest` processes (decode, checks, duplicates, sinks,
   COPY, latest values, acknowledgement after commit). Publishers number their messages, so lost and
   duplicated readings are counted from the table, not guessed.
4. **latency**: publish → row inserted (a bench-only statement trigger stamps `clock_timestamp()` on every
   LATENCY_SAMPLE-th point's rows: stamping every row doubled the database's work in the phase it measured),
   publishing at 80 % of the pipeline's sustained rate; p50/p99.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any

from bench.__main__ import _ensure_database, _setup_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/safegrid_bench_ingest"
ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "mosquitto.conf"
RESULTS = ROOT / "bench" / "results" / "ingest.json"
USCC_BODY = "91370321MABENCH01"
BENCH_LIMITS = {"ll": 5.0, "l": 10.0, "h": 990.0, "hh": 995.0, "deadband": 1.0, "rate_limit": 10_000.0}
FLOOD = 40  # alarms raised, then cleared, at once by one engine (the alarm-change timing)
LATENCY_SAMPLE = 50  # the latency phase stamps the rows of every 50th point (point ids spread evenly)
OUTSTANDING = 50_000  # a publisher's unconfirmed messages at most (MQTT message ids are 16-bit)
PACE_SLACK = 0.002  # a paced publisher sleeps once this far (s) ahead of its pace, not before every message


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_broker(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    if not shutil.which("mosquitto"):
        raise SystemExit("mosquitto is not installed (apt-get install mosquitto)")
    port = _free_port()
    lines = []
    for line in CONFIG.read_text().splitlines():
        if line.startswith("listener "):
            line = f"listener {port} 127.0.0.1"
        elif line.startswith("persistence_location "):
            line = f"persistence_location {tmp}/"
        lines.append(line)
    conf = tmp / "mosquitto.conf"
    conf.write_text("\n".join(lines) + "\n")
    proc = subprocess.Popen(
        ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("mosquitto did not start")


def _world(points: int) -> tuple[str, list[int], list[str]]:
    from safegrid.enterprises.models import Enterprise
    from safegrid.enterprises.rules import make_uscc
    from safegrid.monitoring.models import MonitoringPoint

    uscc = make_uscc(USCC_BODY)
    enterprise = Enterprise.objects.filter(uscc=uscc).first()
    if enterprise is None:
        from safegrid.testworld import build_world

        if not Enterprise.objects.exists():
            build_world()
        template = Enterprise.objects.order_by("pk").first()
        assert template is not None
        enterprise = Enterprise.objects.create(
            name="基准测试化工有限公司",
            uscc=uscc,
            division=template.division,
            legal_rep="基准",
            lat=36.9,
            lon=118.1,
        )
    have = set(MonitoringPoint.objects.filter(enterprise=enterprise).values_list("code", flat=True))
    MonitoringPoint.objects.bulk_create(
        [
            MonitoringPoint(enterprise=enterprise, code=f"P{n:05d}", name=f"基准点位{n}", kind="level")
            for n in range(points)
            if f"P{n:05d}" not in have
        ]
    )
    # Limits on every point, so each reading goes through the alarm rules (`_value`).
    MonitoringPoint.objects.filter(enterprise=enterprise).update(**BENCH_LIMITS)
    rows = MonitoringPoint.objects.filter(enterprise=enterprise).order_by("code")[:points]
    return uscc, [p.pk for p in rows], [p.code for p in rows]


def _value(point_index: int) -> float:
    """A point's value in every phase: constant per point, so the 2 % of points beyond a limit raise their
    alarm once and then extend it, and the rest stay in band (with a rate-of-change check). The latency phase
    keeps the pipeline phase's values: values that changed would have cleared those alarms in its first
    second — a flood of alarm changes (timed on its own: `alarm_change_ms`), not the steady state."""
    return float(point_index % 1000)


def _messages(codes: list[str], per_message: int, count: int, start_ms: int, publisher: str) -> list[bytes]:
    """`count` numbered messages of `per_message` readings; every (point, ts) distinct."""
    out = []
    n_codes = len(codes)
    k = 0
    for seq in range(1, count + 1):
        readings = []
        for _ in range(per_message):
            readings.append(
                {"point": codes[k % n_codes], "ts": start_ms + k // n_codes, "value": _value(k % n_codes)}
            )
            k += 1
        out.append(json.dumps({"readings": readings, "publisher": publisher, "seq": seq}).encode())
    return out


def _publish(
    port: int,
    topic: str,
    payloads: list[bytes],
    rate: float,
    stamp: tuple[int, int] | None,
    ready: Any,
    go: Any,
    cpu: Any,
    index: int,
) -> None:
    """A publisher process: QoS 1, optionally paced to `rate` messages/s, optionally stamping ts = now.
    It connects, says it is ready and waits for the start signal, so process start-up is not timed.
    `stamp` = (this publisher's number, publishers): its times are the ms ≡ its number (mod publishers) at
    or just before now, so two publishers never send one point's reading at the same ms — duplicates that
    the two ingest processes would each try to store, waiting on each other's transactions. Paced, it sleeps
    only once PACE_SLACK ahead (a sleep per message cost the shared 2-core machine more than the publishing).
    Its CPU seconds go to `cpu[index]`."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    ready.release()
    go.wait()
    unconfirmed: deque[Any] = deque()
    began = time.monotonic()
    for i, payload in enumerate(payloads):
        if rate:
            wait = began + i / rate - time.monotonic()
            if wait > PACE_SLACK:
                time.sleep(wait)
        if stamp:
            now_ms = int(time.time() * 1000)
            payload = payload.replace(b'"ts": 0', b'"ts": %d' % (now_ms - (now_ms - stamp[0]) % stamp[1]))
        while unconfirmed and unconfirmed[0].is_published():
            unconfirmed.popleft()
        if len(unconfirmed) >= OUTSTANDING:  # message ids are 16-bit: never 65,535 unconfirmed
            unconfirmed.popleft().wait_for_publish(timeout=120)
        unconfirmed.append(client.publish(topic, payload, qos=1))
    for info in unconfirmed:
        info.wait_for_publish(timeout=120)
    client.disconnect()
    client.loop_stop()
    cpu[index] = time.process_time()


def _publish_all(
    port: int, topic: str, chunks: list[list[bytes]], rate: float = 0, stamp: bool = False
) -> list[mp.Process]:
    """Start one publisher process per chunk, wait until all are connected, then let them go (returns then)."""
    ctx = mp.get_context("spawn")
    ready, go = ctx.Semaphore(0), ctx.Event()
    _publish_all.cpu = cpu = ctx.Array("d", len(chunks))  # type: ignore[attr-defined]  # read by the caller
    procs = []
    for n, chunk in enumerate(chunks):
        args = (
            port,
            topic,
            chunk,
            rate / len(chunks) if rate else 0,
            (n, len(chunks)) if stamp else None,
            ready,
            go,
            cpu,
            n,
        )
        p = ctx.Process(target=_publish, args=args)
        p.start()
        procs.append(p)
    for _ in procs:
        ready.acquire()
    _publish_all.sync = (ready, go)  # type: ignore[attr-defined]  # kept alive while the children run
    go.set()
    return procs


def _drain(port: int, topic: str, chunks: list[list[bytes]]) -> float:
    """Seconds for a do-nothing QoS 1 subscriber to receive every message."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

    expected = sum(len(c) for c in chunks)
    got = {"n": 0, "first": 0.0, "last": 0.0}

    def on_message(client: Any, userdata: Any, message: Any) -> None:
        if not got["n"]:
            got["first"] = time.monotonic()
        got["n"] += 1
        got["last"] = time.monotonic()

    sub = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"bench-drain-{uuid.uuid4().hex[:6]}",
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    sub.on_message = on_message
    sub.connect("127.0.0.1", port)
    sub.subscribe(topic, qos=1)
    sub.loop_start()
    time.sleep(0.5)
    procs = _publish_all(port, topic, chunks)
    began = time.monotonic()
    deadline = time.monotonic() + 600
    while got["n"] < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    for p in procs:
        p.join()
    sub.disconnect()
    sub.loop_stop()
    return got["last"] - began


def _copy_baseline(point_ids: list[int], rows: int, batch: int) -> float:
    """Seconds to COPY `rows` rows (binary, in `batch`-row transactions) into monitoring_reading."""
    import datetime as dt

    import psycopg
    from django.db import connection

    conn = psycopg.connect(**connection.get_connection_params())
    now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    n_points = len(point_ids)
    began = time.monotonic()
    done = 0
    while done < rows:
        size = min(batch, rows - done)
        with (
            conn.transaction(),
            conn.cursor() as cur,
            cur.copy(
                "COPY monitoring_reading (point_id, ts, value, received_at) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(["int8", "timestamptz", "float8", "timestamptz"])
            for k in range(done, done + size):
                copy.write_row(
                    (point_ids[k % n_points], now + dt.timedelta(milliseconds=k // n_points), 1.0, now)
                )
        done += size
    seconds = time.monotonic() - began
    with conn.transaction():
        # TRUNCATE, not DELETE: millions of dead rows would have autovacuum scanning them while the
        # pipeline and latency phases run (the table holds nothing else yet: it is emptied at the start)
        conn.execute("TRUNCATE monitoring_reading")
    conn.close()
    return seconds


class Ingests:
    def __init__(self, port: int, root: str, count: int, tmp: Path) -> None:
        self.procs = []
        group = f"bench-{uuid.uuid4().hex[:6]}"
        env = {**os.environ, "SAFEGRID_LOG_LEVEL": "INFO", "SAFEGRID_INGEST_SPILL_DIR": str(tmp / "spill")}
        for n in range(count):
            log = tmp / f"ingest-{n}.log"
            cmd = [sys.executable, "-m", "safegrid", "ingest", "--port", str(port), "--group", group]
            cmd += ["--client-id", f"{group}-{n}", "--topic-root", root, "--stats", "5"]
            self.procs.append(
                (subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT), log)
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all("subscribed to" in log.read_text(errors="ignore") for _, log in self.procs):
                return
            time.sleep(0.2)
        raise SystemExit("the ingest processes did not subscribe:\n" + self.logs())

    def rss_mb(self) -> list[float]:
        """Each process's resident memory now (Linux /proc), in MB."""
        sizes = []
        for proc, _ in self.procs:
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
            except OSError:
                sizes.append(0.0)
                continue
            kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            sizes.append(round(kb / 1024, 1))
        return sizes

    def logs(self) -> str:
        return "\n".join(log.read_text(errors="ignore")[-2000:] for _, log in self.procs)

    def stop(self) -> None:
        for proc, _ in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc, _ in self.procs:
            proc.wait(timeout=60)


def _written(per_message: int) -> int:
    """Readings committed so far, from the publisher sequence spans the ingest commits with each batch's
    readings (every bench message carries `per_message` readings, none a duplicate): a read of two rows.
    Polling `count(*)` of the readings instead scanned a table growing to millions of rows every 50 ms,
    taking a core from the pipeline it was measuring, the more the longer the run."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(sum(messages), 0) FROM monitoring_publishersequence")
        return int(cur.fetchone()[0]) * per_message


def _count(since_ms: int) -> int:
    import datetime as dt

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM monitoring_reading WHERE ts >= %s",
            [dt.datetime.fromtimestamp(since_ms / 1000, dt.UTC)],
        )
        return cur.fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ingest", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="target length of each timed phase")
    parser.add_argument("--rate", type=int, default=100_000, help="readings/s the message count is sized for")
    parser.add_argument("--per-message", type=int, default=50, help="readings per MQTT message")
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--publishers", type=int, default=2)
    parser.add_argument("--processes", type=int, default=1, help="safegrid ingest processes")
    parser.add_argument(
        "--latency-rate",
        type=int,
        default=0,
        help="readings/s of the latency phase (default: 80 %% of the pipeline's)",
    )
    args = parser.parse_args(argv)
    database_url = os.environ.get("BENCH_INGEST_DATABASE_URL", "").strip() or DEFAULT_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("bench ingest needs PostgreSQL: set BENCH_INGEST_DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    _setup_environment(database_url)
    _ensure_database(database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from safegrid.core.audit import SystemActor
    from safegrid.monitoring.services.storage import readings_maintain

    readings_maintain(actor=SystemActor("bench"))
    uscc, point_ids, codes = _world(args.points)
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE monitoring_reading, monitoring_latestvalue, monitoring_publishersequence, monitoring_deadletter"
        )
    connection.close()

    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    broker, port = _start_broker(tmp)
    root = f"bench-{uuid.uuid4().hex[:6]}/readings"
    topic = f"{root}/{uscc}"
    total_messages = max(args.publishers, int(args.rate * args.seconds / args.per_message))
    per_pub = total_messages // args.publishers
    start_ms = int(time.time() * 1000) - 4 * 60_000
    chunks = [
        _messages(codes, args.per_message, per_pub, start_ms + p * 10_000_000 // 1000, f"bench-{p}")
        for p in range(args.publishers)
    ]
    # Distinct (point, ts) across publishers: each publisher's readings start 10 s after the previous one's.
    readings = per_pub * args.publishers * args.per_message
    result: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "per_message": args.per_message,
        "messages": per_pub * args.publishers,
        "readings": readings,
        "processes": args.processes,
        "ingest_gc_gen0": settings.SAFEGRID_INGEST_GC_GEN0,
    }
    try:
        print(f"drain baseline: {readings} readings in {per_pub * args.publishers} messages", flush=True)
        drain_s = _drain(port, f"{root}/drain", chunks)
        result["drain_readings_per_s"] = round(readings / drain_s)
        print("COPY baseline", flush=True)
        copy_s = _copy_baseline(point_ids, readings, 5000)
        result["copy_rows_per_s"] = round(readings / copy_s)
        print("pipeline", flush=True)
        ingests = Ingests(port, root, args.processes, tmp)
        # Resident memory of each ingest process: after subscribing, at each quarter of the stream, and its
        # peak — flat means the later quarters stay near the first, not climbing with the readings taken.
        rss: dict[str, list[float]] = {"subscribed": ingests.rss_mb()}
        peak = list(rss["subscribed"])
        procs = _publish_all(port, topic, chunks)
        began = time.monotonic()
        deadline = time.monotonic() + 600
        stored = 0
        while time.monotonic() < deadline:
            stored = _written(args.per_message)
            now_rss = ingests.rss_mb()
            peak = [max(a, b) for a, b in zip(peak, now_rss, strict=True)]
            for quarter in (1, 2, 3):
                if f"{quarter}/4" not in rss and stored >= readings * quarter // 4:
                    rss[f"{quarter}/4"] = now_rss
            if stored >= readings:
                rss["4/4"] = now_rss
                break
            time.sleep(0.05)
        pipeline_s = time.monotonic() - began
        rss["peak"] = peak
        result["ingest_rss_mb"] = rss
        for p in procs:
            p.join()
        time.sleep(1)
        ingests.stop()
        stored = _count(start_ms)
        result["pipeline_readings_per_s"] = round(stored / pipeline_s)
        result["lost"] = max(0, readings - stored)
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) - count(DISTINCT (point_id, ts)) FROM monitoring_reading")
            result["duplicated"] = cur.fetchone()[0]
            cur.execute(
                "SELECT coalesce(sum(greatest(0, last_seq - first_seq + 1 - messages)), 0) FROM monitoring_publishersequence"
            )
            result["sequence_gaps"] = int(cur.fetchone()[0])
        slower = min(result["drain_readings_per_s"], result["copy_rows_per_s"])
        result["ratio_to_slower_baseline"] = round(result["pipeline_readings_per_s"] / slower, 2)
        result["ingest_log_tail"] = ingests.logs()[-600:]
        result["latency"] = _latency(
            port,
            root,
            topic,
            codes,
            args,
            args.latency_rate or int(result["pipeline_readings_per_s"] * 0.8),
            tmp,
        )
        result["alarm_change_ms"] = _alarm_changes(point_ids)
    finally:
        broker.send_signal(signal.SIGTERM)
        broker.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print()
    for key in (
        "cpus",
        "load_before",
        "per_message",
        "messages",
        "readings",
        "processes",
        "ingest_gc_gen0",
        "drain_readings_per_s",
        "copy_rows_per_s",
        "pipeline_readings_per_s",
        "ratio_to_slower_baseline",
        "lost",
        "duplicated",
        "sequence_gaps",
        "ingest_rss_mb",
        "latency",
        "alarm_change_ms",
    ):
        print(f"{key:>26}: {result[key]}")
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 else 1


def _alarm_changes(point_ids: list[int]) -> dict[str, float]:
    """ms per alarm change when FLOOD in-band points go beyond HH in one batch, then back: what a flood of
    alarm changes (a plant tripping, or coming back) costs the ingest process that meets it — each change
    its own transaction (workflow, audit, counters, notifications), the readings behind it waiting."""
    import datetime as dt

    from django.urls import reverse

    from safegrid.monitoring.alarm_engine import AlarmEngine
    from safegrid.monitoring.ingest.sinks import AcceptedReading
    from safegrid.monitoring.models import MonitoringPoint

    chosen = [pid for n, pid in enumerate(point_ids) if 100 <= _value(n) < 900][:FLOOD]
    enterprise_id = MonitoringPoint.objects.get(pk=chosen[0]).enterprise_id
    engine = AlarmEngine()
    engine.preload(chosen)
    reverse("monitoring:alarm_detail", args=[1])  # as `safegrid ingest` does before subscribing
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)  # slow enough a change for the rate rule
    out = {}
    for step, value in (("raise", BENCH_LIMITS["hh"] + 1), ("clear", _value(100))):
        later += dt.timedelta(minutes=10)
        batch = [AcceptedReading(pid, enterprise_id, later, value, later) for pid in chosen]
        began = time.perf_counter()
        done = engine.process(batch)
        changes = done.raised if step == "raise" else done.cleared
        out[step] = round((time.perf_counter() - began) * 1000 / max(1, changes), 1)
        out[f"{step}s"] = changes  # raises, clears
    return out


def _latency(
    port: int, root: str, topic: str, codes: list[str], args: Any, rate: int, tmp: Path
) -> dict[str, Any]:
    """publish → row inserted at `rate` readings/s: ts is the publish time, a trigger stamps the insert."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_ingest_seen (point_id bigint, ts timestamptz, seen timestamptz)"
        )
        cur.execute("TRUNCATE bench_ingest_seen, monitoring_reading")
        cur.execute(
            "CREATE OR REPLACE FUNCTION bench_ingest_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO bench_ingest_seen SELECT point_id, ts, clock_timestamp() FROM new_rows "
            f"WHERE point_id % {LATENCY_SAMPLE} = 0; RETURN NULL; END $$"
        )
        cur.execute("DROP TRIGGER IF EXISTS bench_ingest_stamp ON monitoring_reading")
        cur.execute(
            "CREATE TRIGGER bench_ingest_stamp AFTER INSERT ON monitoring_reading REFERENCING NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION bench_ingest_stamp()"
        )
    connection.close()
    messages_per_s = max(1.0, rate / args.per_message)
    count = max(args.publishers, int(messages_per_s * args.seconds))
    per_pub = count // args.publishers
    chunks = []
    for p in range(args.publishers):
        # ts 0 is replaced by the publish time (in ms of this publisher's own: `_publish`); a publisher's messages
        # in a row cover points in a row, so (point, ts) stays distinct
        msgs = []
        for i in range(per_pub):
            base = ((p * per_pub + i) * args.per_message) % len(codes)
            readings = [
                {"point": codes[(base + j) % len(codes)], "ts": 0, "value": _value((base + j) % len(codes))}
                for j in range(args.per_message)
            ]
            msgs.append(json.dumps({"readings": readings}).encode())
        chunks.append(msgs)
    ingests = Ingests(port, root, args.processes, tmp)
    procs = _publish_all(port, topic, chunks, rate=messages_per_s, stamp=True)
    began = time.monotonic()
    for p in procs:
        p.join()
    # the cores the publishers took from this machine meanwhile (not the ingest's to use)
    publishers_cores = sum(_publish_all.cpu) / (time.monotonic() - began)  # type: ignore[attr-defined]
    time.sleep(2)
    ingests.stop()
    with connection.cursor() as cur:
        cur.execute("SELECT extract(epoch FROM seen - ts) * 1000 FROM bench_ingest_seen")
        lat = sorted(float(r[0]) for r in cur.fetchall())
        cur.execute("DROP TRIGGER bench_ingest_stamp ON monitoring_reading")
    if not lat:
        return {"rate_readings_per_s": rate, "samples": 0}
    return {
        "rate_readings_per_s": rate,
        "publishers_cores": round(publishers_cores, 2),
        "samples": len(lat),
        "p50_ms": round(statistics.median(lat), 1),
        "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1),
        "note": f"publish → row inserted (a statement trigger's clock_timestamp on the rows of 1 point in "
        f"{LATENCY_SAMPLE}); values as in the pipeline phase (2 % of the points in alarm)",
    }
