"""The volume of the hazards benchmark: a year of inspection work for the whole county and ≥ 200,000 hazards.

Written with PostgreSQL `COPY` (psycopg 3 `cursor.copy`), never the ORM row by row, on top of the scale-30
demo county (see bench/README.md, "Hazards benchmark"). Three phases, each in one transaction and each
skipped when the database already holds it (so a second run reuses the volume):

1. **Tasks.** Every inspected control measure already has its task (the demo ran the real
   `inspections.tasks_sync_from_measures`; it is run again here). Enterprises whose register has no
   inspected measure get a daily safety patrol and a monthly comprehensive check; a third of the
   enterprises a weekly equipment check; a subset of the hazardous-chemicals enterprises round-the-clock
   patrols of their plant areas (every two hours, twelve windows a day, 4–24 areas each).
2. **History.** The enterprises joined the programme over the past year (a random join day each, about
   half a full year; the demo's pilot keeps its own history); their tasks start on that day and every
   occurrence since then is written as the real cycle rules (`rules.inspection.windows_on`) give it:
   done on time (with its check record: the task's items ticked, the checker, GPS presence at the risk
   point for most), done late within the grace, missed, or still due when the window is open. Enough
   enterprises join to pass `records` check records. The tables' secondary indexes are dropped and
   rebuilt inside the same transaction (an index build is many times faster than 20 million random
   index inserts), and foreign keys are not checked row by row (`session_replication_role = replica`:
   every id written is taken from the rows read just before).
3. **Hazards.** `hazards` hidden hazards over the past year in all enterprises, in realistic states:
   most closed (on the spot, on time, some late), some rejected, the recent ones open in every state,
   some overdue now (escalated by how long), about 1 % major.

Then the statistics rollups are rebuilt by the app's own `rollups.rebuild()` and the database ANALYZEd.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SEED = 20261202
BENCH_DAILY = "日常安全巡查"
BENCH_MONTHLY = "月度综合性安全检查"
BENCH_WEEKLY = "每周设备设施安全检查"
BENCH_PATROL = "装置区巡回检查（每2小时）"
WEEKLY_SHARE = 1 / 3
PATROL_SHARE = 0.12  # of the hazardous-chemicals enterprises: round-the-clock patrols
PATROL_AREAS = (4, 24)
HISTORY_DAYS = 365
FULL_YEAR_SHARE = 0.5
POOR_SHARE = 0.12
CHUNK_ROWS = 20000
USER_AGENT = "Mozilla/5.0 (Linux; Android 13; HarmonyOS) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"


@dataclass
class Built:
    """What the volume phases found or wrote (printed and stored in the results JSON)."""

    tasks: int = 0
    tasks_added: int = 0
    occurrences: int = 0
    records: int = 0
    hazards: int = 0
    enterprises_with_history: int = 0
    phases: dict[str, dict[str, Any]] = field(default_factory=dict)
    rebuilt: dict[str, Any] = field(default_factory=dict)

    def phase(self, name: str, rows: int, seconds: float, copy_seconds: float | None = None) -> None:
        entry: dict[str, Any] = {"rows": rows, "seconds": round(seconds, 1)}
        entry["rows_per_s"] = round(rows / seconds) if seconds > 0 else None
        if copy_seconds is not None:
            entry["copy_seconds"] = round(copy_seconds, 1)
        self.phases[name] = entry
        rate = f"{entry['rows_per_s']:,} rows/s" if entry["rows_per_s"] else "-"
        print(f"  {name}: {rows:,} rows in {seconds:.1f} s ({rate})", flush=True)


# ---- helpers -----------------------------------------------------------------------------------------


def _table(model: Any) -> str:
    from django.db import connection

    return str(connection.ops.quote_name(model._meta.db_table))


def _columns(model: Any, names: Sequence[str]) -> str:
    from django.db import connection

    return ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)


def _reserve(cursor: Any, model: Any, count: int) -> int:
    """The first of `count` consecutive primary keys taken from the table's sequence."""
    table = model._meta.db_table
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"LOCK TABLE {_table(model)} IN SHARE ROW EXCLUSIVE MODE")  # noqa: S608
    cursor.execute(f"SELECT GREATEST(COALESCE(MAX(id), 0), 0) FROM {_table(model)}")  # noqa: S608
    top = int(cursor.fetchone()[0])
    if top + count:
        cursor.execute("SELECT setval(%s, %s)", [sequence, top + count])
    return top + 1


def _secondary_indexes(cursor: Any, model: Any) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the table's indexes that back no constraint."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = %s AND i.schemaname = current_schema()
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid =
                          (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
        ORDER BY i.indexname
        """,
        [model._meta.db_table],
    )
    return [(name, sql) for name, sql in cursor.fetchall()]


def _copy_text(value: str) -> str:
    """A value in COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Times:
    """Epoch seconds → timestamptz text in the county's fixed offset (Asia/Shanghai has no DST)."""

    def __init__(self, offset_seconds: int) -> None:
        self.offset = offset_seconds
        sign = "+" if offset_seconds >= 0 else "-"
        self.suffix = f"{sign}{abs(offset_seconds) // 3600:02d}"
        self.hms = [f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86400)]
        self.days: dict[int, str] = {}

    def text(self, epoch: int) -> str:
        local = epoch + self.offset
        day, second = divmod(local, 86400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()
        return f"{prefix} {self.hms[second]}{self.suffix}"


# ---- phase 1: tasks ----------------------------------------------------------------------------------


def _sector_enterprises(code: str) -> set[int]:
    from safegrid.enterprises.models import Enterprise

    return set(
        Enterprise.sectors.through.objects.filter(sector__code=code).values_list("enterprise_id", flat=True)
    )


def ensure_tasks(built: Built, rng: random.Random) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from safegrid.enterprises.models import Enterprise, OrgUnit
    from safegrid.hazards import inspections
    from safegrid.hazards.models import InspectionTask

    started = time.perf_counter()
    created, _stopped = inspections.tasks_sync_from_measures()
    if InspectionTask.objects.filter(title=BENCH_DAILY, measure__isnull=True).exists():
        built.tasks = InspectionTask.objects.filter(active=True, one_off=False).count()
        print(f"  tasks: already built ({built.tasks:,} active periodic tasks)", flush=True)
        return
    operating = list(
        Enterprise.objects.filter(status="operating").order_by("id").values_list("id", flat=True)
    )
    with_tasks = set(InspectionTask.objects.values_list("enterprise_id", flat=True).distinct())
    # The post in charge: the enterprise's company unit (the root of its org tree), when it has one.
    roots = dict(
        OrgUnit.objects.filter(parent__isnull=True)
        .order_by("enterprise_id", "id")
        .values_list("enterprise_id", "id")
    )
    chemical = sorted(_sector_enterprises("hazardous_chemicals") & set(operating))
    patrolled = set(rng.sample(chemical, round(len(chemical) * PATROL_SHARE)))
    start = timezone.localdate() + dt.timedelta(days=1)  # as the demo's roll-out: from tomorrow
    rows: list[tuple[Any, ...]] = []

    def task(
        ent: int, kind: int, title: str, content: str, items: list[str], every: int, unit: str, **kw: Any
    ) -> None:
        rows.append(
            (
                ent,
                kind,
                title,
                content,
                json.dumps(items, ensure_ascii=False),
                every,
                unit,
                kw.get("work_day_type", 0),
                kw.get("work_start"),
                kw.get("work_end"),
                start,
                roots.get(ent),
            )
        )

    daily_items = [
        "作业现场安全防护设施完好",
        "消防器材在位有效",
        "安全通道畅通无堆放",
        "人员劳保用品佩戴规范",
    ]
    monthly_items = ["安全管理制度执行情况", "特种设备定期检验情况", "隐患整改闭环情况", "应急物资储备情况"]
    weekly_items = ["设备运行无异常声响、泄漏", "安全附件（压力表、安全阀）在检验期内", "电气线路无老化破损"]
    patrol_items = [
        "工艺参数（温度、压力、液位）在正常范围",
        "无跑冒滴漏",
        "可燃/有毒气体报警仪无报警",
        "静电接地完好",
    ]
    for ent in operating:
        if ent not in with_tasks:
            task(ent, 1, BENCH_DAILY, "；".join(daily_items), daily_items, 1, "天")
            task(ent, 2, BENCH_MONTHLY, "；".join(monthly_items), monthly_items, 1, "月")
        if rng.random() < WEEKLY_SHARE:
            task(ent, 3, BENCH_WEEKLY, "；".join(weekly_items), weekly_items, 1, "周", work_day_type=1)
        if ent in patrolled:
            for area in range(1, rng.randint(*PATROL_AREAS) + 1):
                task(
                    ent,
                    1,
                    f"{BENCH_PATROL}·{area}号区域",
                    "；".join(patrol_items),
                    patrol_items,
                    2,
                    "小时",
                    work_start=dt.time(0),
                    work_end=dt.time(0),
                )
    names = (
        "enterprise",
        "kind",
        "title",
        "check_content",
        "check_items",
        "cycle_every",
        "cycle_unit",
        "work_day_type",
        "work_start",
        "work_end",
        "start_date",
        "responsible_post",
    )
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        sql = (
            f"COPY {_table(InspectionTask)} ({_columns(InspectionTask, names)}, "
            f"{_columns(InspectionTask, ('item_criteria', 'active', 'one_off', 'created_at'))}) FROM STDIN"
        )
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row((*row, "{}", True, False, now))
    built.tasks_added = len(rows) + created
    built.tasks = InspectionTask.objects.filter(active=True, one_off=False).count()
    built.phase("tasks", len(rows), time.perf_counter() - started)
    print(
        f"  tasks: +{len(rows):,} ({len(patrolled)} chemical enterprises with round-the-clock patrols); "
        f"{built.tasks:,} active periodic tasks",
        flush=True,
    )


# ---- phase 2: a year of occurrences and check records ------------------------------------------------


@dataclass
class _Task:
    id: int
    enterprise_id: int
    signature: tuple[Any, ...]
    items_json: str
    point: tuple[float, float] | None
    first_day: dt.date
    last_day: dt.date  # inclusive


@dataclass
class _Profile:
    miss: float
    late: float
    checker: int


def _yearly(
    signature: tuple[Any, ...], cycles: dict[tuple[Any, ...], Any], sample: Sequence[dt.date]
) -> float:
    """Occurrences a year of a cycle, from a sample week (hourly, daily) or the unit."""
    from safegrid.hazards.rules import inspection

    every, unit = signature[0], signature[1]
    if unit in (inspection.HOUR, inspection.DAY):
        from safegrid.hazards.inspections import county_tz

        cycle = cycles[signature]
        tz = county_tz()
        week = sum(len(inspection.windows_on(cycle, d, tz)) for d in sample)
        return week * 365 / 7
    return {inspection.WEEK: 52 / every, inspection.MONTH: 12 / every}.get(unit, 1 / every)


def _checkers(enterprise_ids: Iterable[int]) -> dict[int, int]:
    """A login per enterprise that checks: the first person with a login, else a new account for the
    enterprise's first active person (its safety manager when it has one), as the demo's pilot does."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    from safegrid.core.choices import Role
    from safegrid.core.models import RoleAssignment, User
    from safegrid.enterprises.models import Person

    wanted = set(enterprise_ids)
    have: dict[int, int] = {}
    for ent, user in (
        Person.objects.filter(enterprise_id__in=wanted, user__isnull=False, active=True)
        .order_by("enterprise_id", "id")
        .values_list("enterprise_id", "user_id")
    ):
        have.setdefault(ent, user)
    missing = wanted - set(have)
    if not missing:
        return have
    people: dict[int, Any] = {}
    for person in Person.objects.filter(enterprise_id__in=missing, active=True, user__isnull=True).order_by(
        "enterprise_id", "-job_title", "id"
    ):
        current = people.get(person.enterprise_id)
        if current is None or (person.job_title == "安全管理员" and current.job_title != "安全管理员"):
            people[person.enterprise_id] = person
    password = make_password(settings.SAFEGRID_DEMO_PASSWORD)
    taken = set(User.objects.filter(username__startswith="xj_").values_list("username", flat=True))
    chosen = [(ent, p) for ent, p in sorted(people.items()) if f"xj_{ent}" not in taken]
    users = [
        User(username=f"xj_{ent}", display_name=p.name, phone=p.phone, password=password) for ent, p in chosen
    ]
    User.objects.bulk_create(users, batch_size=2000)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=Role.SAFETY_MANAGER, enterprise_id=ent)
            for u, (ent, _p) in zip(users, chosen, strict=True)
        ],
        batch_size=2000,
    )
    for user, (_ent, person) in zip(users, chosen, strict=True):
        person.user = user
    Person.objects.bulk_update([p for _e, p in chosen], ["user"], batch_size=2000)
    for user, (ent, _p) in zip(users, chosen, strict=True):
        have[ent] = user.pk
    for ent, user_pk in User.objects.filter(username__in=[f"xj_{e}" for e in missing]).values_list(
        "username", "pk"
    ):
        have.setdefault(int(ent[3:]), user_pk)
    return have


def _plan_history(
    built: Built, rng: random.Random, target_records: int
) -> tuple[list[_Task], dict[int, _Profile], dict[tuple[Any, ...], Any]]:
    """Which tasks get history from which day, so the records pass `target_records`."""
    from django.db.models import Min
    from django.utils import timezone

    from safegrid.hazards.models import InspectionTask, TaskOccurrence
    from safegrid.hazards.rules import inspection

    today = timezone.localdate()
    first_existing: dict[int, dt.date] = {}
    for task_id, start in (
        TaskOccurrence.objects.order_by().values_list("task_id").annotate(first=Min("window_start"))
    ):
        first_existing[task_id] = timezone.localdate(start)
    # The demo's pilot has its own year already: not joined again.
    pilot = set(
        TaskOccurrence.objects.filter(window_start__lt=timezone.now() - dt.timedelta(days=2))
        .order_by()
        .values_list("enterprise_id", flat=True)
        .distinct()
    )
    tasks = list(
        InspectionTask.objects.filter(active=True, one_off=False)
        .order_by("id")
        .values_list(
            "id",
            "enterprise_id",
            "cycle_every",
            "cycle_unit",
            "work_day_type",
            "work_start",
            "work_end",
            "check_items",
            "risk_point__lat",
            "risk_point__lon",
        )
    )
    by_enterprise: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in tasks:
        if row[1] not in pilot:
            by_enterprise[row[1]].append(row)
    enterprises = sorted(by_enterprise)
    rng.shuffle(enterprises)
    sample = [today - dt.timedelta(days=d) for d in range(7, 14)]
    cycles: dict[tuple[Any, ...], Any] = {}
    rates: dict[tuple[Any, ...], float] = {}
    chosen: list[_Task] = []
    expected = 0.0
    want = target_records / 0.93 * 1.01  # ~7 % of the windows are missed or still open
    joined: dict[int, dt.date] = {}
    for ent in enterprises:
        if expected >= want:
            break
        full = rng.random() < FULL_YEAR_SHARE
        days = HISTORY_DAYS if full else rng.randint(30, HISTORY_DAYS - 5)
        start = today - dt.timedelta(days=days)
        joined[ent] = start
        for row in by_enterprise[ent]:
            task_id, _ent, every, unit, wdt, ws, we, items, lat, lon = row
            # A daily or hourly cycle's windows do not depend on its start (the days written are after it).
            anchored = not (unit == inspection.HOUR or (unit == inspection.DAY and every == 1))
            signature = (every, unit, start if anchored else today - dt.timedelta(days=400), wdt, ws, we)
            if signature not in cycles:
                cycles[signature] = inspection.Cycle(every, unit, start, wdt, ws, we)
                probe = (every, unit, today - dt.timedelta(days=400), wdt, ws, we)
                cycles.setdefault(probe, inspection.Cycle(every, unit, probe[2], wdt, ws, we))
                if probe not in rates:
                    rates[probe] = _yearly(probe, cycles, sample)
                rates[signature] = rates[probe]
            last = today - dt.timedelta(days=1)
            if task_id in first_existing:
                last = min(last, first_existing[task_id] - dt.timedelta(days=1))
            if last < start:
                continue
            point = (lat, lon) if lat is not None and lon is not None else None
            items_json = json.dumps([{"item": i, "ok": True} for i in items], ensure_ascii=False)
            chosen.append(_Task(task_id, ent, signature, _copy_text(items_json), point, start, last))
            expected += rates[signature] * ((last - start).days + 1) / 365
    checkers = _checkers(joined)
    profiles = {}
    for ent in joined:
        poor = rng.random() < POOR_SHARE
        miss = rng.uniform(0.15, 0.35) if poor else rng.uniform(0.01, 0.06)
        late = rng.uniform(0.02, 0.06) if poor else rng.uniform(0.0, 0.02)
        profiles[ent] = _Profile(miss, late, checkers.get(ent, 0))
    chosen = [t for t in chosen if profiles[t.enterprise_id].checker]
    built.enterprises_with_history = len({t.enterprise_id for t in chosen})
    print(
        f"  history: {built.enterprises_with_history:,} enterprises joined over the year, {len(chosen):,} tasks, "
        f"≈ {expected:,.0f} occurrences expected",
        flush=True,
    )
    return chosen, profiles, cycles


def ensure_history(built: Built, rng: random.Random, target_records: int) -> bool:
    from django.db import connection, transaction
    from django.utils import timezone

    from safegrid.hazards import config
    from safegrid.hazards.inspections import county_tz
    from safegrid.hazards.models import CheckRecord, InspectionTask, TaskOccurrence
    from safegrid.hazards.rules import inspection, trust

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {_table(CheckRecord)}")  # noqa: S608
        have = int(cursor.fetchone()[0])
    if have >= target_records:
        built.records = have
        built.occurrences = TaskOccurrence.objects.count()
        print(
            f"  history: already built ({built.occurrences:,} occurrences, {have:,} check records)",
            flush=True,
        )
        return False
    started = time.perf_counter()
    tasks, profiles, cycles = _plan_history(built, rng, target_records - have)
    tz = county_tz()
    offset = int(dt.datetime(2026, 1, 1, tzinfo=tz).utcoffset().total_seconds())  # type: ignore[union-attr]
    assert offset == int(dt.datetime(2026, 7, 1, tzinfo=tz).utcoffset().total_seconds())  # type: ignore[union-attr]
    times = _Times(offset)
    now = int(timezone.now().timestamp())
    grace = int(config.inspection_grace().total_seconds())
    windows: dict[tuple[tuple[Any, ...], dt.date], list[tuple[int, int, str]]] = {}

    def windows_of(signature: tuple[Any, ...], day: dt.date) -> list[tuple[int, int, str]]:
        key = (signature, day)
        found = windows.get(key)
        if found is None:
            found = []
            for w in inspection.windows_on(cycles[signature], day, tz):
                start, end = int(w.start.timestamp()), int(w.end.timestamp())
                found.append((start, end, f"{times.text(start)}\t{times.text(end)}"))
            windows[key] = found
        return found

    occ_ids = array("q")  # the done occurrences, in order: their id, task index, done time
    occ_task = array("i")
    occ_done = array("q")
    counts: Counter[str] = Counter()
    copy_seconds = 0.0
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        indexes = {m: _secondary_indexes(cursor, m) for m in (TaskOccurrence, CheckRecord)}
        for found in indexes.values():
            for name, _sql in found:
                cursor.execute(f'DROP INDEX "{name}"')
        # Ids: occurrences first (their count is known once written), then the records.
        first_occ = _reserve(cursor, TaskOccurrence, 0)
        occ_columns = _columns(
            TaskOccurrence,
            (
                "id",
                "task",
                "enterprise",
                "window_start",
                "window_end",
                "status",
                "done_at",
                "device_time",
                "done_by",
            ),
        )
        next_id = first_occ
        lines: list[str] = []
        copy_started = time.perf_counter()
        with cursor.copy(f"COPY {_table(TaskOccurrence)} ({occ_columns}) FROM STDIN") as copy:  # noqa: S608
            for index, task in enumerate(tasks):
                profile = profiles[task.enterprise_id]
                trng = random.Random(task.id * 7919 + SEED)
                day = task.first_day
                ent = task.enterprise_id
                while day <= task.last_day:
                    for start, end, span in windows_of(task.signature, day):
                        occ_id = next_id
                        next_id += 1
                        r = trng.random()
                        length = end - start
                        if end + grace > now:  # still open (or in its grace): done early, or not yet
                            at = start + int(length * trng.uniform(0.02, 0.6))
                            if at < now and r < 0.7:
                                status, done = "done", at
                            else:
                                status, done = "due", 0
                        elif r < profile.miss:
                            status, done = "missed", 0
                        elif r < profile.miss + profile.late:
                            status, done = "done", end + trng.randint(60, max(61, grace - 60))
                        else:
                            if length >= 86400:  # a daily (or longer) check is made in working hours
                                at = start + 8 * 3600 + int(trng.random() * 9 * 3600)
                                if at >= end:
                                    at = start + int(length * 0.5)
                            else:
                                at = start + int(length * trng.uniform(0.05, 0.9))
                            status, done = "done", at
                        counts[status] += 1
                        if done:
                            device = done - 2 - occ_id % 39
                            lines.append(
                                f"{occ_id}\t{task.id}\t{ent}\t{span}\tdone\t"
                                f"{times.text(done)}\t{times.text(device)}\t{profile.checker}\n"
                            )
                            occ_ids.append(occ_id)
                            occ_task.append(index)
                            occ_done.append(done)
                        else:
                            lines.append(f"{occ_id}\t{task.id}\t{ent}\t{span}\t{status}\t\\N\t\\N\t\\N\n")
                    day += dt.timedelta(days=1)
                    if len(lines) >= CHUNK_ROWS:
                        copy.write("".join(lines).encode())
                        lines.clear()
                if index % 20000 == 0 and index:
                    print(
                        f"    occurrences: {next_id - first_occ:,} written ({index:,}/{len(tasks):,} tasks)",
                        flush=True,
                    )
            if lines:
                copy.write("".join(lines).encode())
                lines.clear()
        occurrences = next_id - first_occ
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
            [TaskOccurrence._meta.db_table, next_id - 1],
        )
        occ_seconds = time.perf_counter() - copy_started
        print(f"    occurrences: {occurrences:,} in {occ_seconds:.0f} s", flush=True)

        records = len(occ_ids)
        first_rec = _reserve(cursor, CheckRecord, records)
        rec_names = (
            "id",
            "occurrence",
            "task",
            "enterprise",
            "items",
            "note",
            "result",
            "presence",
            "checkpoint",
            "scanned_at",
            "lat",
            "lon",
            "accuracy",
            "distance_m",
            "device_id",
            "user_agent",
            "flag_photo_seen",
            "flag_far",
            "flag_batch",
            "flag_detail",
            "photo",
            "photo_sha256",
            "checked_by",
            "server_time",
            "device_time",
        )
        rec_started = time.perf_counter()
        agent = _copy_text(USER_AGENT)
        prng = random.Random(SEED)
        with cursor.copy(
            f"COPY {_table(CheckRecord)} ({_columns(CheckRecord, rec_names)}) FROM STDIN"
        ) as copy:  # noqa: S608
            for n in range(records):
                task = tasks[occ_task[n]]
                profile = profiles[task.enterprise_id]
                done = occ_done[n]
                server = times.text(done)
                device = times.text(done - 2 - occ_ids[n] % 39)
                point = task.point
                if point is not None and prng.random() < 0.8:
                    lat = round(point[0] + prng.uniform(-0.0002, 0.0002), 6)
                    lon = round(point[1] + prng.uniform(-0.0002, 0.0002), 6)
                    distance = trust.point_distance((lat, lon), point)
                    gps = f"gps\t\\N\t\\N\t{lat}\t{lon}\t{round(prng.uniform(5, 35), 1)}\t{distance}"
                else:
                    gps = "none\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N"
                lines.append(
                    f"{first_rec + n}\t{occ_ids[n]}\t{task.id}\t{task.enterprise_id}\t{task.items_json}\t\tok\t{gps}\t"
                    f"demo-{profile.checker:05d}\t{agent}\tf\tf\tf\t{{}}\t\t\t{profile.checker}\t{server}\t{device}\n"
                )
                if len(lines) >= CHUNK_ROWS:
                    copy.write("".join(lines).encode())
                    lines.clear()
                    if n % 2_000_000 < CHUNK_ROWS:
                        print(f"    check records: {n:,} written", flush=True)
            if lines:
                copy.write("".join(lines).encode())
                lines.clear()
        rec_seconds = time.perf_counter() - rec_started
        print(f"    check records: {records:,} in {rec_seconds:.0f} s", flush=True)
        copy_seconds = occ_seconds + rec_seconds
        # The tasks of the enterprises that joined start on their join day.
        starts = sorted({(t.id, t.first_day) for t in tasks})
        cursor.execute(
            "CREATE TEMP TABLE bench_task_start (id bigint PRIMARY KEY, start date) ON COMMIT DROP"
        )
        with cursor.copy("COPY bench_task_start (id, start) FROM STDIN") as copy:
            for task_id, start in starts:
                copy.write_row((task_id, start))
        cursor.execute(
            f"UPDATE {_table(InspectionTask)} t SET start_date = s.start FROM bench_task_start s "  # noqa: S608
            "WHERE t.id = s.id AND t.start_date > s.start"
        )
        index_started = time.perf_counter()
        for found in indexes.values():
            for _name, sql in found:
                cursor.execute(sql)
        index_seconds = time.perf_counter() - index_started
        print(f"    indexes rebuilt in {index_seconds:.0f} s", flush=True)
    elapsed = time.perf_counter() - started
    built.occurrences = TaskOccurrence.objects.count()
    built.records = have + records
    rows = occurrences + records
    built.phase("occurrences+records", rows, elapsed, copy_seconds)
    built.phases["occurrences+records"].update(
        {
            "occurrences": occurrences,
            "records": records,
            "statuses": dict(counts),
            "copy_rows_per_s": round(rows / copy_seconds) if copy_seconds else None,
            "index_seconds": round(index_seconds, 1),
        }
    )
    print(
        f"  raw COPY rate (baseline): {rows / copy_seconds:,.0f} rows/s "
        f"(occurrences {occurrences / occ_seconds:,.0f}/s, records {records / rec_seconds:,.0f}/s)",
        flush=True,
    )
    return True


# ---- phase 3: hazards --------------------------------------------------------------------------------

TITLES = (
    ("消防通道被货物堵塞", "仓库东侧消防通道", 5),
    ("灭火器压力不足", "车间配电室门口", 5),
    ("配电箱未上锁、无警示标识", "一车间配电箱", 3),
    ("电缆线路老化破损", "包装车间", 3),
    ("可燃气体报警仪未按期检定", "罐区", 4),
    ("压力表超过检定有效期", "反应釜区", 4),
    ("安全阀未定期校验", "储罐区", 7),
    ("设备防护罩缺失", "机加工车间", 7),
    ("操作规程未张贴上墙", "生产车间", 1),
    ("特种作业人员证书过期", "维修班组", 1),
    ("危险化学品储存超量", "危化品仓库", 2),
    ("静电接地线断开", "装卸站台", 2),
    ("应急照明损坏", "办公楼楼梯间", 5),
    ("防爆区域使用非防爆电器", "甲类车间", 3),
    ("有限空间无警示标识", "污水池", 1),
    ("安全出口指示灯不亮", "员工宿舍", 5),
    ("管道跑冒滴漏", "输送管廊", 2),
    ("粉尘清扫不及时", "打磨车间", 6),
    ("叉车司机未持证作业", "成品库", 1),
    ("液位计显示失灵", "原料储罐", 4),
)
MEASURES = "立即停止相关作业，落实整改责任人；更换/修复相关设施；整改完成后组织复查验收。"
PLAN = "整改期间设置警戒区域，安排专人监护，配备应急器材，发生异常立即启动现场处置方案。"


def _open_status(rng: random.Random, age: int) -> str:
    if age <= 3:
        return rng.choice(("reported", "reported", "confirmed", "rectifying"))
    if age <= 10:
        return rng.choice(("confirmed", "rectifying", "rectifying", "awaiting"))
    return rng.choice(("rectifying", "rectifying", "rectifying", "extension", "awaiting", "awaiting"))


def ensure_hazards(built: Built, rng: random.Random, target: int) -> bool:
    from django.db import connection, transaction
    from django.utils import timezone

    from safegrid.enterprises.models import Enterprise, Person
    from safegrid.hazards import config
    from safegrid.hazards.inspections import county_tz
    from safegrid.hazards.models import HiddenHazard
    from safegrid.hazards.rules.closure import escalation_step

    have = HiddenHazard.objects.count()
    if have >= target:
        built.hazards = have
        print(f"  hazards: already built ({have:,})", flush=True)
        return False
    started = time.perf_counter()
    wanted = target - have
    today = timezone.localdate()
    tz = county_tz()
    step_days = config.deadlines().escalation_step_days
    enterprises = list(
        Enterprise.objects.filter(status="operating").order_by("id").values_list("id", flat=True)
    )
    chemical = _sector_enterprises("hazardous_chemicals")
    weights = [3.0 if e in chemical else 1.0 for e in enterprises]
    people: dict[int, int] = {}
    for ent, pk in (
        Person.objects.filter(active=True).order_by("enterprise_id", "id").values_list("enterprise_id", "id")
    ):
        people.setdefault(ent, pk)
    origins = (("enterprise", 0.7), ("grid", 0.15), ("regulator", 0.13), ("public", 0.02))
    names = ("张伟", "王芳", "李强", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷")
    fields = [f for f in HiddenHazard._meta.concrete_fields if not f.primary_key]
    columns = ["id", *(f.attname for f in fields)]
    db_columns = ", ".join(connection.ops.quote_name(c) for c in ["id", *(str(f.column) for f in fields)])
    defaults = {}
    for f in fields:
        value = f.get_default()
        defaults[f.attname] = json.dumps(value) if f.get_internal_type() == "JSONField" else value
    counts: Counter[str] = Counter()

    def at(day: dt.date, lo: int = 8, hi: int = 18) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(rng.randint(lo, hi - 1), rng.randint(0, 59)), tzinfo=tz)

    rows: list[tuple[Any, ...]] = []
    chosen_ents = rng.choices(enterprises, weights=weights, k=wanted)
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        first = _reserve(cursor, HiddenHazard, wanted)
        for n, ent in enumerate(chosen_ents):
            age = min(int(rng.expovariate(1 / 150)), 364)
            reported_on = today - dt.timedelta(days=age)
            reported_at = at(reported_on)
            title, location, hazard_type = rng.choice(TITLES)
            major = rng.random() < (0.02 if ent in chemical else 0.006)
            origin = rng.choices([o for o, _w in origins], weights=[w for _o, w in origins])[0]
            v: dict[str, Any] = dict(defaults)
            v.update(
                id=first + n,
                enterprise_id=ent,
                origin=origin,
                source=rng.choice((1, 1, 1, 2, 2, 3, 4, 5, 9)) if origin == "enterprise" else 10,
                hazard_type=hazard_type,
                title=title,
                location=location,
                description=f"{location}{title}，存在安全隐患。",
                level="major" if major else "general",
                reporter_name=rng.choice(names),
                reported_at=reported_at,
                created_at=reported_at,
            )
            on_spot = not major and rng.random() < 0.35
            if on_spot:
                v.update(
                    handling="on_the_spot",
                    status="closed",
                    confirmed_at=reported_at,
                    rectified_at=reported_at,
                    accepted_at=reported_at,
                    closed_at=reported_at,
                    days_to_close=0,
                    measures="现场立即整改",
                    rectification_note="已现场整改完毕",
                )
            else:
                allowed = rng.randint(30, 90) if major else rng.choice((3, 7, 7, 15, 15, 30))
                deadline = reported_on + dt.timedelta(days=allowed + rng.randint(0, 2))
                v.update(handling="by_deadline", cause="日常管理不到位")
                r = rng.random()
                if r < 0.03:
                    v.update(status="rejected", reject_reason=rng.choice(("invalid", "duplicate")))
                else:
                    # Closed if it would have been by now (most), else still open.
                    late = rng.random() < 0.08
                    took = rng.randint(allowed + 1, allowed + 30) if late else rng.randint(1, max(1, allowed))
                    closes = reported_on + dt.timedelta(days=took)
                    open_anyway = rng.random() < (0.02 if age > 60 else 0.0)
                    confirmed_at = at(reported_on + dt.timedelta(days=min(age, rng.randint(0, 2))))
                    five = {
                        "confirmed_at": confirmed_at,
                        "responsible_person_id": people.get(ent),
                        "measures": MEASURES,
                        "funds": Decimal(rng.randint(2, 400) * 100),
                        "deadline": deadline,
                        "plan": PLAN,
                    }
                    if closes < today and not open_anyway:
                        closed_at = at(closes, 9, 17)
                        v.update(
                            five,
                            status="closed",
                            rectified_at=closed_at - dt.timedelta(hours=rng.randint(2, 30)),
                            rectification_note="已按整改措施完成整改",
                            accepted_at=closed_at,
                            acceptance_comment="验收合格",
                            closed_at=closed_at,
                            days_to_close=(closes - reported_on).days,
                        )
                    else:
                        status = _open_status(rng, age)
                        v["status"] = status
                        if status != "reported":
                            v["confirmed_at"] = confirmed_at
                        if status in ("rectifying", "extension", "awaiting"):
                            v.update(five)
                            if major:
                                v["interim_measures"] = "已撤出作业人员，设置警戒区域，停用相关设备"
                            if status == "extension":
                                v["extension_deadline"] = deadline + dt.timedelta(days=15)
                                v["extension_reason"] = "所需备件采购周期较长"
                            if status == "awaiting":
                                v["rectified_at"] = at(min(today, deadline))
                                v["rectification_note"] = "已完成整改，申请验收"
                            overdue = (today - deadline).days
                            if overdue > 0:
                                v["escalation_step"] = escalation_step(overdue, step_days, 4)
                                counts["overdue"] += 1
            v["updated_at"] = v["closed_at"] or v["confirmed_at"] or reported_at
            counts[v["status"]] += 1
            counts[v["level"]] += 1
            rows.append(tuple(v[c] for c in columns))
        copy_started = time.perf_counter()
        with cursor.copy(f"COPY {_table(HiddenHazard)} ({db_columns}) FROM STDIN") as copy:  # noqa: S608
            for row in rows:
                copy.write_row(row)
        copy_seconds = time.perf_counter() - copy_started
    built.hazards = HiddenHazard.objects.count()
    built.phase("hazards", wanted, time.perf_counter() - started, copy_seconds)
    built.phases["hazards"]["states"] = dict(counts)
    built.phases["hazards"]["copy_rows_per_s"] = round(wanted / copy_seconds) if copy_seconds else None
    print(f"  hazards: {dict(counts)}", flush=True)
    return True


def ensure_volume(*, hazards: int, records: int, rebuild: bool = False) -> Built:
    from django.db import connection

    from safegrid.hazards import rollups
    from safegrid.hazards.models import HiddenHazard, InspectionTask
    from safegrid.hazards.models_stats import HazardDeadlineStat, HazardMonthStat, InspectionMonthStat

    stat_models = (HazardMonthStat, HazardDeadlineStat, InspectionMonthStat)
    built = Built()
    rng = random.Random(SEED)
    began = time.perf_counter()
    print("数据量准备 / volume setup", flush=True)
    ensure_tasks(built, rng)
    wrote = ensure_history(built, rng, records)
    wrote = ensure_hazards(built, rng, hazards) or wrote
    if wrote or rebuild:
        result = rollups.rebuild()
        built.rebuilt = {
            "hazard_rows": result.hazard_rows,
            "deadline_rows": result.deadline_rows,
            "occurrence_rows": result.occurrence_rows,
            "seconds": round(result.seconds, 1),
        }
        print(f"  rollups rebuilt in {result.seconds:.1f} s: {built.rebuilt}", flush=True)
        analyze = time.perf_counter()
        with connection.cursor() as cursor:
            # The hazards and the rollups (what the pages read) vacuumed for index-only scans; the two
            # tables of millions only analyzed (autovacuum visits them later, as it would in production).
            for model in (HiddenHazard, InspectionTask, *stat_models):
                cursor.execute(f"VACUUM ANALYZE {_table(model)}")
            cursor.execute("ANALYZE")
        print(f"  VACUUM ANALYZE in {time.perf_counter() - analyze:.0f} s", flush=True)
    built.phases["total"] = {"seconds": round(time.perf_counter() - began, 1)}
    return built
