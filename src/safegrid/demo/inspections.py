"""A year of inspection work (隐患排查) in the demo county: tasks, occurrences and check records.

The programme's pilot: `HISTORY_SHARE` of the enterprises (20 at scale 1, at most `MAX_HISTORY`) (ent_a and mostly the enterprises of the
two street towns, where the programme started) joined over the past year; their tasks come from the real
generator (`inspections.tasks_sync_from_measures`, run under the demo clock on the day each enterprise
joined), their occurrences from the real cycle rules (`rules.inspection.windows_on`, day by day), and
their check records are written in bulk, consistent with what `inspections.check_record` writes: the
occurrence done (on time, or late within the grace), missed once the grace is over, suspended during a
recorded shutdown; presence from the checkpoint scan or the phone's position (`rules.trust`); the trust
flags computed with the service's rules (a photo seen before, far from the point, the batch of one
user's checks entered within minutes, replayed in time order as the service would have flagged them).
Every other enterprise's tasks start the day after the build (the county-wide roll-out); the pilot's
remaining occurrences of today come from the real daily generation (`occurrences_generate`) and the
missed-check job runs after it; the rollups are rebuilt afterwards by the caller.

The people who check are the workers of each task's post (`pw_NNNN_K`, created when the post's first
holder has no login yet) or the enterprise's safety manager (`sm_NNNN`), NNNN the enterprise's number in
the build: the same names the filing stories use. A few enterprises have their own checklists and a
seasonal inspection from one (through the services), chemical enterprises checkpoints (QR code / NFC tag)
at their major and larger risk points, and one a recorded shutdown for maintenance.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import io
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from PIL import Image

from safegrid.core.choices import Role
from safegrid.core.models import RoleAssignment, User
from safegrid.enterprises.models import Enterprise, Person
from safegrid.hazards import checklists as checklist_services
from safegrid.hazards import config as hazard_config
from safegrid.hazards import inspections as inspection_services
from safegrid.hazards.choices import CheckResult, OccurrenceStatus, Presence
from safegrid.hazards.models import (
    CheckRecord,
    InspectionTask,
    TaskOccurrence,
)
from safegrid.hazards.rules import inspection, trust
from safegrid.hazards.rules.checklists import ItemIn
from safegrid.risks.models import RiskPoint

from .bulk import allocate_ids, insert_values
from .filings import LR_PREFIX, PW_PREFIX, SM_PREFIX, demo_clock, username

HISTORY_SHARE = 1 / 32  # of the county's enterprises have a year of inspection history (20 at scale 1)
MAX_HISTORY = 300
FIRST_TOWNS = ("370321001", "370321002")  # builders.TOWN_A, TOWN_B: the programme started there
FIRST_TOWNS_SHARE = 0.6
PATROLLED_SHARE = 0.2  # of the pilot: plants with round-the-clock patrols (twelve checks a day each)
HISTORY_DAYS = 365
POOR_SHARE = 0.12  # enterprises that check poorly (on-time rate 55–75 %)
FAR_PER_SCALE = 6  # GPS checks made far from their point
DUPLICATE_PHOTO_USERS = 2  # users who reused one photo on later checks
CHECKLIST_ENTERPRISES = 3
HOUR = dt.timedelta(hours=1)
USER_AGENT = "Mozilla/5.0 (Linux; Android 13; HarmonyOS) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"

ENTERPRISE_CHECKLISTS: tuple[tuple[str, int, str, tuple[str, ...]], ...] = (
    (
        "冬季防冻防凝专项检查表",
        4,
        "《危险化学品企业安全风险隐患排查治理导则》（应急〔2019〕78号）",
        (
            "伴热、保温设施完好，伴热线无断路",
            "低点排凝、死角盲肠已排净或采取防冻措施",
            "消防栓、消防水管线防冻措施落实",
            "安全阀、呼吸阀无冻堵",
            "室外仪表引压管保温完好",
        ),
    ),
    (
        "节假日前安全检查表",
        5,
        "县安委办节前安全检查通知",
        (
            "节日期间值班人员、带班领导已安排并公示",
            "动火、受限空间等特殊作业已停止或按规定审批",
            "应急物资、器材齐全有效",
            "重点部位巡检频次已加密",
        ),
    ),
    (
        "复工复产前安全检查表",
        7,
        "《工贸企业重大事故隐患判定标准》及企业复工方案",
        (
            "停产期间的设备已检查、试运行正常",
            "员工已进行复工前安全教育",
            "安全防护设施、报警装置已恢复投用",
            "特种作业人员持证上岗",
        ),
    ),
)


@dataclass(frozen=True)
class Done:
    """A check record as the hazards stage may pick it for a finding (all in memory, sorted by time)."""

    id: int
    enterprise_id: int
    task_id: int
    user_id: int
    at: dt.datetime


@dataclass(eq=False)
class Occ:
    """An occurrence being written (its window, then what became of it)."""

    task: InspectionTask
    start: dt.datetime
    end: dt.datetime
    status: str = OccurrenceStatus.DUE
    done_at: dt.datetime | None = None
    device_time: dt.datetime | None = None
    done_by: int | None = None
    pk: int = 0


@dataclass(eq=False)
class Planned:
    """A check the enterprise makes of an occurrence, between `earliest` and `latest`; `at` once placed."""

    occurrence: Occ
    user: User
    earliest: dt.datetime
    latest: dt.datetime
    at: dt.datetime | None = None


@dataclass(eq=False)
class Rec:
    """A check record being written: what `check_record` would store for it."""

    occ: Occ
    user: int
    presence: str = Presence.NONE
    checkpoint: int | None = None
    scanned_at: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None
    accuracy: float | None = None
    distance_m: float | None = None
    flags: dict[str, Any] = field(default_factory=dict)  # flag_detail; its keys are the flags set
    photo: str = ""
    photo_sha256: str = ""
    pk: int = 0

    @property
    def at(self) -> dt.datetime:
        assert self.occ.done_at is not None
        return self.occ.done_at


@dataclass
class Profile:
    """How one pilot enterprise checks: on-time and late shares, the day it joined."""

    enterprise: Enterprise
    index: int
    joined: dt.date
    on_time: float
    late: float
    manager: User | None = None


@dataclass
class History:
    counts: Counter[str] = field(default_factory=Counter)
    done: list[Done] = field(default_factory=list)  # sorted by time
    profiles: dict[int, Profile] = field(default_factory=dict)  # enterprise id → profile
    managers: dict[int, User] = field(default_factory=dict)  # enterprise id → safety manager login
    _times: list[dt.datetime] = field(default_factory=list)

    def comment(self) -> str:
        c = self.counts
        return (
            f"隐患排查：{c['enterprises']} 家企业近一年的排查历史，任务 {c['tasks']} 项，"
            f"检查周期 {c['occurrences']} 个（按时 {c['on_time']}、超时 {c['late']}、漏检 {c['missed']}、"
            f"停用检修暂停 {c['suspended']}、待检查 {c['pending']}），排查记录 {c['records']} 条"
            f"（照片重复 {c['flag_photo_seen']}、远离风险点 {c['flag_far']}、集中补录 {c['flag_batch']}），"
            f"巡检点 {c['checkpoints']} 个，企业检查表 {c['checklists']} 张"
        )

    def done_between(self, start: dt.datetime, end: dt.datetime) -> list[Done]:
        if len(self._times) != len(self.done):
            self._times = [d.at for d in self.done]
        return self.done[bisect.bisect_left(self._times, start) : bisect.bisect_left(self._times, end)]


def photo_bytes(rng: random.Random, tint: tuple[int, int, int]) -> bytes:
    """A small JPEG (a distinct picture: its SHA-256 differs from every other one)."""
    image = Image.new("RGB", (48, 36), tint)
    for _ in range(12):
        image.putpixel((rng.randrange(48), rng.randrange(36)), (rng.randrange(256),) * 3)
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def store_check_photo(content: bytes, day: dt.date) -> tuple[str, str]:
    """Store a check photo where `check_record` would (hazards/checks/YYYY/MM/<sha>.jpg); (name, sha256)."""
    sha = hashlib.sha256(content).hexdigest()
    name = default_storage.save(f"hazards/checks/{day:%Y/%m}/{sha[:16]}.jpg", ContentFile(content))
    return name, sha


class HistoryBuilder:
    def __init__(
        self, *, seed: int, today: dt.date, scale: int, enterprises: Sequence[tuple[int, Enterprise]]
    ) -> None:
        self.rng = random.Random(f"{seed}:inspections")
        self.today = today
        self.scale = scale
        self.enterprises = enterprises
        self.tz = inspection_services.county_tz()
        self.now = timezone.now()
        self.grace = hazard_config.inspection_grace()
        self.limits = hazard_config.trust_limits()
        self.history = History()
        self.password = make_password(settings.SAFEGRID_DEMO_PASSWORD)

    # -- who -----------------------------------------------------------------------------------

    def _pick(self, ent_a: int | None) -> list[Profile]:
        measured = set(
            RiskPoint.objects.filter(active=True, measures__data_src=2, measures__active=True)
            .values_list("enterprise_id", flat=True)
            .distinct()
        )
        eligible = [(i, e) for i, e in self.enterprises if e.pk in measured and e.status == "operating"]
        wanted = min(MAX_HISTORY, max(2, round(len(self.enterprises) * HISTORY_SHARE)), len(eligible))
        first = [p for p in eligible if str(p[1].division_id)[:9] in FIRST_TOWNS]
        rest = [p for p in eligible if p not in first]
        # Round-the-clock patrols (every two hours) make twelve checks a day: a few such plants in the pilot.
        patrolled = set(
            RiskPoint.objects.filter(
                active=True, measures__data_src=2, measures__active=True, measures__check_cycle_unit="小时"
            ).values_list("enterprise_id", flat=True)
        )
        patrols = max(1, round(wanted * PATROLLED_SHARE))
        chosen = [p for p in eligible if p[1].pk == ent_a]
        for pool, share in ((first, FIRST_TOWNS_SHARE), (rest, 1.0)):
            candidates = [p for p in pool if p[1].pk != ent_a]
            self.rng.shuffle(candidates)
            quota = round(wanted * share) if share < 1 else wanted
            for candidate in candidates:
                if len(chosen) >= quota:
                    break
                busy = sum(1 for c in chosen if c[1].pk in patrolled)
                if candidate[1].pk in patrolled and busy >= patrols:
                    continue
                chosen.append(candidate)
        profiles = []
        for index, ent in sorted(chosen, key=lambda p: p[0]):
            full_year = ent.pk == ent_a or self.rng.random() < 0.5
            joined = self.today - dt.timedelta(
                days=HISTORY_DAYS if full_year else self.rng.randint(45, HISTORY_DAYS - 20)
            )
            poor = ent.pk != ent_a and self.rng.random() < POOR_SHARE
            on_time = self.rng.uniform(0.55, 0.75) if poor else self.rng.uniform(0.86, 0.985)
            late = self.rng.uniform(0.03, 0.08) if poor else self.rng.uniform(0.0, min(0.02, 1 - on_time))
            profiles.append(Profile(ent, index, joined, on_time, late))
        return profiles

    def _accounts(self, profiles: Sequence[Profile]) -> dict[int, User]:
        """Person id → login: the existing one, or a new sm_/pw_ account for the safety manager and the
        first holder of every post that has inspection tasks."""
        ids = [p.enterprise.pk for p in profiles]
        posts = set(
            InspectionTask.objects.filter(enterprise_id__in=ids, responsible_post__isnull=False).values_list(
                "responsible_post_id", flat=True
            )
        )
        people = list(Person.objects.filter(enterprise_id__in=ids, active=True).order_by("id"))
        taken = set(
            User.objects.filter(username__startswith=PW_PREFIX).values_list("username", flat=True)
        ) | set(User.objects.filter(username__startswith=SM_PREFIX).values_list("username", flat=True))
        index_of = {p.enterprise.pk: p.index for p in profiles}
        needed: list[tuple[Person, str, dict[str, Any]]] = []
        holders: dict[int, Person] = {}
        for person in sorted(people, key=lambda p: (p.user_id is None, p.pk)):  # a login first (post_a)
            if person.org_unit_id in posts and person.org_unit_id not in holders:
                holders[person.org_unit_id] = person
        managers = {}
        for person in people:
            if person.job_title == "安全管理员" and person.enterprise_id not in managers:
                managers[person.enterprise_id] = person
        for ent_id, person in managers.items():
            if person.user_id is None:
                name = username(SM_PREFIX, index_of[ent_id])
                if name not in taken:
                    role = {"role": Role.SAFETY_MANAGER, "enterprise_id": ent_id}
                    needed.append((person, name, role))
        numbers: Counter[int] = Counter()
        for person in holders.values():
            if person.user_id is None and person not in (p for p, _n, _r in needed):
                ent_id = person.enterprise_id
                while True:
                    numbers[ent_id] += 1
                    name = username(PW_PREFIX, index_of[ent_id], numbers[ent_id])
                    if name not in taken:
                        break
                role = {"role": Role.UNIT_USER, "enterprise_id": ent_id, "org_unit_id": person.org_unit_id}
                needed.append((person, name, role))
        users = [
            User(username=name, display_name=person.name, phone=person.phone, password=self.password)
            for person, name, _role in needed
        ]
        User.objects.bulk_create(users)
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, **role) for user, (_p, _n, role) in zip(users, needed, strict=True)
        )
        for user, (person, _n, _r) in zip(users, needed, strict=True):
            person.user = user
        Person.objects.bulk_update([p for p, _n, _r in needed], ["user"])
        self.history.counts["accounts"] = len(users)
        by_person = {p.pk: p.user for p in people if p.user is not None}
        by_person.update({p.pk: u for u, (p, _n, _r) in zip(users, needed, strict=True)})
        for profile in profiles:
            manager = managers.get(profile.enterprise.pk)
            profile.manager = by_person.get(manager.pk) if manager is not None else None
        self._holders = {post: by_person.get(person.pk) for post, person in holders.items()}
        return by_person

    # -- tasks, checkpoints, shutdowns, checklists ----------------------------------------------

    def _tasks(self, profiles: Sequence[Profile]) -> None:
        """The real generator, run on the day each enterprise joined; then everybody else from today."""
        by_day: dict[dt.date, list[int]] = defaultdict(list)
        for profile in profiles:
            by_day[profile.joined].append(profile.enterprise.pk)
        with demo_clock(self.now) as clock:
            for day, ids in sorted(by_day.items()):
                clock.at(day, self.rng)
                created, _stopped = inspection_services.tasks_sync_from_measures(enterprise_ids=ids)
                self.history.counts["tasks"] += created
        created, _stopped = inspection_services.tasks_sync_from_measures()
        # The county-wide roll-out: every other enterprise's tasks start tomorrow, so its first
        # occurrences come from tomorrow's generation (none of today's early windows born missed).
        tomorrow = self.today + dt.timedelta(days=1)
        InspectionTask.objects.filter(start_date=self.today, one_off=False).exclude(
            enterprise_id__in=[p.enterprise.pk for p in profiles]
        ).update(start_date=tomorrow)
        self.history.counts["tasks_from_tomorrow"] = created

    def _checkpoints(self, profiles: Sequence[Profile]) -> dict[int, tuple[int, dt.datetime]]:
        """Checkpoints at the major and larger points of the chemical pilot enterprises (the service)."""
        chemical = {
            p.enterprise.pk: p
            for p in profiles
            if p.manager is not None and p.enterprise.sectors.filter(code="hazardous_chemicals").exists()
        }
        points = RiskPoint.objects.filter(
            enterprise_id__in=list(chemical), active=True, level__in=(1, 2, 3)
        ).order_by("enterprise_id", "level", "code")
        per_enterprise: Counter[int] = Counter()
        issued: dict[int, tuple[int, dt.datetime]] = {}
        with demo_clock(self.now) as clock:
            for point in points:
                if per_enterprise[point.enterprise_id] >= 4:
                    continue
                profile = chemical[point.enterprise_id]
                assert profile.manager is not None
                clock.at(profile.joined + dt.timedelta(days=self.rng.randint(3, 20)), self.rng)
                row = checklist_services.checkpoint_issue(actor=profile.manager, risk_point=point)
                issued[point.pk] = (row.pk, row.issued_at)
                per_enterprise[point.enterprise_id] += 1
        self.history.counts["checkpoints"] = len(issued)
        return issued

    def _shutdown(self, profiles: Sequence[Profile]) -> list[tuple[int, inspection.Interval]]:
        """One enterprise stopped a week for maintenance (停用检修) some months ago (the service)."""
        candidates = [p for p in profiles if p.manager is not None and (self.today - p.joined).days > 120]
        if not candidates:
            return []
        profile = self.rng.choice(candidates)
        assert profile.manager is not None
        start_day = self.today - dt.timedelta(days=self.rng.randint(60, 100))
        start = dt.datetime.combine(start_day, dt.time(8), tzinfo=self.tz)
        end = start + dt.timedelta(days=6)
        with demo_clock(start - dt.timedelta(days=3)):
            inspection_services.shutdown_record(
                actor=profile.manager,
                enterprise=profile.enterprise,
                start=start,
                end=end,
                reason="年度停车大检修",
            )
        return [(profile.enterprise.pk, inspection.Interval(start, end))]

    def _checklists(self, profiles: Sequence[Profile]) -> None:
        """A few enterprises' own checklists, each with one inspection planned from it and checked."""
        owners = [p for p in profiles if p.manager is not None][:CHECKLIST_ENTERPRISES]
        with demo_clock(self.now) as clock:
            for n, profile in enumerate(owners):
                assert profile.manager is not None
                name, kind, basis, texts = ENTERPRISE_CHECKLISTS[n % len(ENTERPRISE_CHECKLISTS)]
                made = profile.joined + dt.timedelta(days=10)
                clock.at(made, self.rng)
                template = checklist_services.checklist_save(
                    actor=profile.manager,
                    enterprise=profile.enterprise,
                    data={"name": name, "kind": kind, "basis": basis, "description": "本企业自行编制"},
                    items=[ItemIn(f"Q-{i:02d}", text, "", "") for i, text in enumerate(texts, start=1)],
                )
                self.history.counts["checklists"] += 1
                day = self.today - dt.timedelta(days=self.rng.randint(8, 40))
                clock.at(day, self.rng)
                begin = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)
                occurrence = checklist_services.inspection_from_checklist(
                    actor=profile.manager,
                    template=template,
                    enterprise=profile.enterprise,
                    data={"window_start": begin, "window_end": begin + dt.timedelta(days=3)},
                )
                clock.now = clock.now + dt.timedelta(hours=2)
                inspection_services.check_record(
                    actor=profile.manager,
                    occurrence=occurrence,
                    check=inspection_services.CheckIn(
                        items=dict.fromkeys(texts, True),
                        result=CheckResult.NO_FINDING,
                        note="逐项检查，未发现问题",
                        user_agent=USER_AGENT,
                        device_id=f"demo-{profile.manager.pk}",
                    ),
                )

    # -- occurrences and records ------------------------------------------------------------------

    def _occurrences(
        self,
        profiles: dict[int, Profile],
        checkpoints: dict[int, tuple[int, dt.datetime]],
        shutdowns: list[tuple[int, inspection.Interval]],
    ) -> None:
        rng = self.rng
        tasks = list(
            InspectionTask.objects.filter(enterprise_id__in=list(profiles), one_off=False, active=True)
            .select_related("risk_point")
            .order_by("id")
        )
        stops: dict[int, list[inspection.Interval]] = defaultdict(list)
        for ent, interval in shutdowns:
            stops[ent].append(interval)
        occurrences: list[Occ] = []
        planned: list[Planned] = []
        counts = self.history.counts
        minute = dt.timedelta(minutes=1)
        for task in tasks:
            profile = profiles[task.enterprise_id]
            user = self._holders.get(task.responsible_post_id or 0) or profile.manager
            if user is None:
                continue
            cycle = inspection.Cycle(
                every=task.cycle_every,
                unit=task.cycle_unit,
                start=task.start_date,
                work_day_type=task.work_day_type,
                work_start=task.work_start,
                work_end=task.work_end,
            )
            hourly = task.cycle_unit == inspection.HOUR
            day = task.start_date
            while day <= self.today:
                ramp = max(0.0, 1 - (day - profile.joined).days / 75) * 0.12  # the first weeks are rougher
                for window in inspection.windows_on(cycle, day, self.tz):
                    if window.start > self.now:
                        continue
                    row = Occ(task, window.start, window.end)
                    occurrences.append(row)
                    if inspection.suspended(window, stops.get(task.enterprise_id, [])):
                        row.status = OccurrenceStatus.SUSPENDED
                        continue
                    draw = rng.random()
                    if draw < profile.on_time - ramp:
                        if hourly:
                            earliest = window.start + 5 * minute
                        else:  # on the window's first days, in the morning round
                            days = (window.end - window.start).days
                            spread = min(max(days - 1, 0), 2 if days <= 7 else 5)
                            first = timezone.localdate(window.start) + dt.timedelta(
                                days=rng.randint(0, spread)
                            )
                            earliest = dt.datetime.combine(first, dt.time(8), tzinfo=self.tz)
                        planned.append(Planned(row, user, earliest, window.end))
                    elif draw < profile.on_time - ramp + profile.late:  # after the window, in the grace
                        planned.append(Planned(row, user, window.end + 3 * minute, window.end + self.grace))
                day += dt.timedelta(days=1)
        self._timeline(planned)
        burst = self._burst(planned)
        for occ, pk in zip(occurrences, allocate_ids(TaskOccurrence, len(occurrences)), strict=True):
            occ.pk = pk
        records: list[Rec] = []
        for plan in planned:
            if plan.at is None or plan.at >= self.now:
                continue  # no time left for it that day, or not done yet
            occ = plan.occurrence
            occ.status = OccurrenceStatus.DONE
            occ.done_at = plan.at
            occ.device_time = plan.at - dt.timedelta(seconds=rng.randint(2, 40))
            occ.done_by = plan.user.pk
            records.append(self._record(occ, plan.user, checkpoints, burst=plan in burst))
        for occ in occurrences:
            if occ.status == OccurrenceStatus.DUE and occ.end + self.grace <= self.now:
                occ.status = OccurrenceStatus.MISSED
            if occ.status == OccurrenceStatus.DONE:
                counts["on_time" if occ.done_at and occ.done_at < occ.end else "late"] += 1
            else:
                counts[{"due": "pending"}.get(occ.status, occ.status)] += 1
        for record, pk in zip(records, allocate_ids(CheckRecord, len(records)), strict=True):
            record.pk = pk
        self._far(records)
        self._replay_batches(records)
        self._photo_reuse(records)
        self._insert(occurrences, records)
        counts["occurrences"] = len(occurrences)
        counts["records"] = len(records)
        self.history.done = sorted(
            (Done(r.pk, r.occ.task.enterprise_id, r.occ.task.pk, r.user, r.occ.done_at) for r in records),  # type: ignore[arg-type]
            key=lambda d: (d.at, d.id),
        )
        for flag in ("photo_seen", "far", "batch"):
            counts[f"flag_{flag}"] = sum(1 for r in records if flag in r.flags)

    def _insert(self, occurrences: Sequence[Occ], records: Sequence[Rec]) -> None:
        """Both tables in bulk, as the database values the ORM would have written."""
        ops = connection.ops
        when = ops.adapt_datetimefield_value

        def json(value: Any) -> Any:
            return ops.adapt_json_value(value, None)

        insert_values(
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
            [
                (
                    o.pk,
                    o.task.pk,
                    o.task.enterprise_id,
                    when(o.start),
                    when(o.end),
                    o.status,
                    when(o.done_at),
                    when(o.device_time),
                    o.done_by,
                )
                for o in occurrences
            ],
        )
        user_agent = USER_AGENT
        insert_values(
            CheckRecord,
            (
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
            ),
            [
                (
                    r.pk,
                    r.occ.pk,
                    r.occ.task.pk,
                    r.occ.task.enterprise_id,
                    json([{"item": item, "ok": True} for item in r.occ.task.check_items]),
                    "",
                    CheckResult.NO_FINDING,
                    r.presence,
                    r.checkpoint,
                    when(r.scanned_at),
                    r.lat,
                    r.lon,
                    r.accuracy,
                    r.distance_m,
                    f"demo-{r.user:05d}",
                    user_agent,
                    trust.PHOTO_SEEN in r.flags,
                    trust.FAR in r.flags,
                    trust.BATCH in r.flags,
                    json(r.flags),
                    r.photo,
                    r.photo_sha256,
                    r.user,
                    when(r.occ.done_at),
                    when(r.occ.device_time),
                )
                for r in records
            ],
        )

    def _timeline(self, planned: Sequence[Planned]) -> None:
        """When each check was made: one user's checks one after another, at least a quarter of an hour
        apart (a walk between points), each inside its own [earliest, latest); none when the day ran out."""
        rng = self.rng
        by_user: dict[int, list[Planned]] = defaultdict(list)
        for plan in planned:
            by_user[plan.user.pk].append(plan)
        for members in by_user.values():
            members.sort(key=lambda p: p.earliest)
            previous: dt.datetime | None = None
            for plan in members:
                at = plan.earliest + dt.timedelta(minutes=rng.uniform(0, 20))
                if previous is not None:
                    at = max(at, previous + dt.timedelta(minutes=rng.uniform(16, 24)))
                if at < plan.latest:
                    plan.at = previous = at

    def _burst(self, planned: Sequence[Planned]) -> set[Planned]:
        """One user, one afternoon three weeks or more ago: the day's checks entered at once, minutes apart
        (windows hours apart: the daily ones from midnight, a patrol's or a weekly one's from elsewhere)."""
        for back in range(21, 60):
            day = self.today - dt.timedelta(days=back)
            by_user: dict[int, list[Planned]] = defaultdict(list)
            for plan in planned:
                if plan.at is not None and timezone.localdate(plan.at) == day:
                    by_user[plan.user.pk].append(plan)
            afternoon = dt.datetime.combine(day, dt.time(15, 12), tzinfo=self.tz)
            for user_pk in sorted(by_user):
                members = by_user[user_pk]
                midnight = [
                    p
                    for p in members
                    if timezone.localtime(p.occurrence.start).time() == dt.time(0)
                    and timezone.localdate(p.occurrence.start) == day
                ]
                other = [
                    p
                    for p in members
                    if p not in midnight
                    and p.occurrence.start < afternoon
                    and p.occurrence.end > afternoon + HOUR
                ]
                if len(midnight) < 2 or not other:
                    continue
                at = afternoon
                chosen = [*midnight[:3], other[0]]
                for plan in chosen:
                    plan.at = at
                    at += dt.timedelta(minutes=self.rng.uniform(1, 2.5))
                return set(chosen)
        return set()

    def _record(
        self, occ: Occ, user: User, checkpoints: dict[int, tuple[int, dt.datetime]], *, burst: bool
    ) -> Rec:
        rng = self.rng
        done_at = occ.done_at
        assert done_at is not None
        point = occ.task.risk_point
        at_point = (
            (point.lat, point.lon)
            if point is not None and point.lat is not None and point.lon is not None
            else None
        )
        checkpoint = checkpoints.get(occ.task.risk_point_id or 0)
        record = Rec(occ, user.pk)
        scanned = (
            checkpoint is not None
            and checkpoint[1] < done_at - dt.timedelta(minutes=10)
            and rng.random() < 0.9
        )
        position: tuple[float, float] | None = None
        if at_point is not None and not burst and (scanned or rng.random() < 0.75):
            position = (
                round(at_point[0] + rng.uniform(-0.0002, 0.0002), 6),
                round(at_point[1] + rng.uniform(-0.0002, 0.0002), 6),
            )
            record.accuracy = round(rng.uniform(5, 35), 1)
        if position is not None:
            record.lat, record.lon = position
        record.distance_m = trust.point_distance(position, at_point)
        if scanned and checkpoint is not None:
            record.checkpoint = checkpoint[0]
            record.scanned_at = done_at - dt.timedelta(seconds=rng.randint(30, 600))
        record.presence = trust.presence_of(scanned, record.distance_m)
        return record

    def _far(self, records: Sequence[Rec]) -> None:
        """A few checks were entered from far away (the office, kilometres off); the service's rule
        (`trust.is_far`) then flags every record beyond the county's limit."""
        gps = [r for r in records if r.presence == Presence.GPS and r.lat is not None and r.lon is not None]
        for record in self.rng.sample(gps, min(len(gps), FAR_PER_SCALE * self.scale)):
            assert record.lat is not None and record.lon is not None
            point = record.occ.task.risk_point
            assert point is not None and point.lat is not None and point.lon is not None
            record.lat = round(record.lat + self.rng.uniform(0.012, 0.02), 6)
            record.lon = round(record.lon - self.rng.uniform(0.012, 0.02), 6)
            record.distance_m = trust.point_distance((record.lat, record.lon), (point.lat, point.lon))
        for record in records:
            if trust.is_far(record.distance_m, record.accuracy, self.limits):
                record.flags[trust.FAR] = {"distance_m": record.distance_m, "accuracy": record.accuracy}

    def _replay_batches(self, records: Sequence[Rec]) -> None:
        """The batch flag as the service sets it: after each check (in time order), the user's checks of
        the last minutes form a batch when `trust.batch` says so; every row of it is flagged."""
        by_user: dict[int, list[Rec]] = defaultdict(list)
        for record in records:
            by_user[record.user].append(record)
        span = dt.timedelta(minutes=self.limits.batch_minutes)
        for rows in by_user.values():
            rows.sort(key=lambda r: (r.at, r.pk))
            begin = 0
            for end, record in enumerate(rows):
                while rows[begin].at < record.at - span:
                    begin += 1
                if end - begin + 1 < self.limits.batch_min_checks:
                    continue
                near = rows[begin : end + 1]
                ids = trust.batch([trust.Entry(r.pk, r.at, r.occ.start) for r in near], self.limits)
                if ids:
                    detail = {"ids": list(ids), "minutes": self.limits.batch_minutes}
                    for row in near:
                        if row.pk in ids:
                            row.flags[trust.BATCH] = detail

    def _photo_reuse(self, records: Sequence[Rec]) -> None:
        """A couple of users attached the same picture to several checks: the later ones are flagged."""
        rng = self.rng
        by_user: dict[int, list[Rec]] = defaultdict(list)
        for record in records:
            by_user[record.user].append(record)
        users = sorted(u for u, rows in by_user.items() if len(rows) > 40)
        for user_pk in rng.sample(users, min(DUPLICATE_PHOTO_USERS, len(users))):
            rows = sorted(by_user[user_pk], key=lambda r: r.at)
            picked = sorted(rng.sample(rows[len(rows) // 2 :], 3), key=lambda r: r.at)
            name, sha = store_check_photo(photo_bytes(rng, (120, 130, 140)), timezone.localdate(picked[0].at))
            for n, row in enumerate(picked):
                row.photo, row.photo_sha256 = name, sha
                if n:
                    row.flags[trust.PHOTO_SEEN] = {"records": [r.pk for r in picked[:n]], "hazards": []}

    # -- the run ---------------------------------------------------------------------------------

    def build(self, ent_a: int | None) -> History:
        profiles = self._pick(ent_a)
        self.history.counts["enterprises"] = len(profiles)
        self._tasks(profiles)
        self._accounts(profiles)
        self.history.profiles = {p.enterprise.pk: p for p in profiles}
        self.history.managers = {p.enterprise.pk: p.manager for p in profiles if p.manager is not None}
        checkpoints = self._checkpoints(profiles)
        shutdowns = self._shutdown(profiles)
        self._checklists(profiles)
        self._occurrences(self.history.profiles, checkpoints, shutdowns)
        # Today's occurrences of every task (the pilot's early ones are there already and are skipped).
        with demo_clock(self.now):
            generated = inspection_services.occurrences_generate(day=self.today)
            # …and the job that marks the ones whose window and grace are over (today's early patrols).
            missed = inspection_services.occurrences_mark_missed(now=self.now)
        self.history.counts["generated_today"] = generated.created
        self.history.counts["pending"] += generated.created - missed
        self.history.counts["missed"] += missed
        self.history.counts["occurrences"] += generated.created
        return self.history


def build(
    *, seed: int, today: dt.date, scale: int, enterprises: Sequence[tuple[int, Enterprise]], ent_a: int | None
) -> History:
    """A year of inspection work at the pilot enterprises (see the module docstring)."""
    return HistoryBuilder(seed=seed, today=today, scale=scale, enterprises=enterprises).build(ent_a)


__all__ = ["LR_PREFIX", "History", "build", "photo_bytes", "store_check_photo"]
