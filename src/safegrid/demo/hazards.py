"""The demo county's hidden hazards over the past year, made through the hazards services (so every move is
logged, audited and notified as in real use), each step on its own day under the demo clock.

Most are findings of the pilot's check records (the record turned into a finding and reported as
`inspections.check_record` does, linked to the record, its task, its measure and its risk point); the
rest were reported by the grid worker, by town officers on inspection, or fixed on the spot. Most are
closed on time, some late (escalated by the deadline scan while they were overdue), some rejected; the
recent ones are open in every state; a few are overdue now and escalated; a few major ones are listed
for supervision (挂牌督办), one of them long overdue and escalated up to the county. The daily deadline
scan (`deadline_watch.deadline_scan`) then runs for the last week, as the schedule would have, sending
the reminders and escalations of the hazards open now.

The count grows with the county (`PER_ENTERPRISE`, capped): each hazard is a handful of service calls.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from safegrid.core.choices import Role
from safegrid.core.models import RoleAssignment, User
from safegrid.enterprises.models import Enterprise, Person
from safegrid.hazards import deadline_watch, services, services_major, supervision
from safegrid.hazards import inspections as inspection_services
from safegrid.hazards.choices import CheckResult, PhotoKind
from safegrid.hazards.config import deadlines
from safegrid.hazards.models import (
    ChecklistItem,
    ChecklistTemplate,
    Checkpoint,
    CheckRecord,
    HazardNotice,
    HazardPhoto,
    HazardTransition,
    HiddenHazard,
    InspectionTask,
    ListedSupervision,
    MajorHazardReport,
    ShutdownRecord,
    SuspensionOrder,
    TaskOccurrence,
    TreatmentPlan,
)
from safegrid.hazards.services import PhotoIn
from safegrid.regions.models import Department

from .filings import DemoClock, demo_clock
from .inspections import History, photo_bytes, store_check_photo
from .risk_registers import _raw_delete

PER_ENTERPRISE = 1 / 10  # hazards of the year per enterprise of the county (64 at scale 1)
MIN_HAZARDS, MAX_HAZARDS = 30, 1500
MAJORS_PER_SCALE = 4
MAX_MAJORS = 12
FROM_CHECKS = 0.6  # share of the general hazards found by the pilot's checks
GRID_SHARE = 0.2  # of the others: found by the grid worker
# Outcomes of the general hazards (relative weights); "overdue" is at least three (steps 0, 1, 2).
OUTCOMES: dict[str, float] = {
    "closed_on_time": 60,
    "closed_late": 8,
    "on_spot": 7,
    "rejected": 4,
    "reported": 3,
    "confirmed": 2,
    "rectifying": 6,
    "sent_back": 1,
    "extension": 2,
    "awaiting": 3,
    "overdue": 4,
}
OPEN_OUTCOMES = frozenset({"reported", "confirmed", "rectifying", "sent_back", "extension", "awaiting"})
SCAN_DAYS = 7  # the deadline scan replayed for the last week

# Findings of grid workers and town inspections: (title, location, dangerSrc, hazardDangerType).
FINDINGS = [
    ("配电箱未接地", "车间配电室", 4, 3),
    ("消防通道堆放杂物", "仓库东侧通道", 4, 5),
    ("灭火器压力不足", "办公楼二层", 4, 5),
    ("有限空间入口安全警示标志缺失", "污水池有限空间入口", 2, 1),
    ("二层作业平台防护栏杆松动", "二层作业平台", 2, 7),
    ("特种作业人员证书过期", "维修班组", 2, 1),
    ("应急照明失效", "生产车间", 4, 5),
    ("可燃气体报警器未按期校验", "罐区", 3, 4),
    ("安全出口指示标志损坏", "员工宿舍楼", 5, 5),
    ("砂轮机防护罩缺失", "机修车间", 2, 7),
    ("电缆沟积水未清理", "变配电室", 4, 3),
    ("动火作业票审批不全", "检修现场", 3, 1),
]
MAJOR = ("储罐区可燃气体报警器失效未修复", "罐区 T-201", 3, 4)
# The six-part treatment plan and the report's two analysis parts of the demo's tank-farm major hazards.
MAJOR_PLAN = {
    "targets": "恢复罐区可燃气体检测报警系统完好，消除泄漏未能及时发现的隐患",
    "methods": "更换失效探头，重新标定全部报警器，报警信号接入 DCS 并联锁切断进料阀",
    "funds_materials": "安排资金 8.6 万元，可燃气体探头 12 只、标定气体 4 瓶",
    "organisation": "主要负责人牵头，设备部实施，安全部监督验收",
    "time_requirements": "30 日内完成，每周向监管部门报告进度",
    "safety_emergency": "整改期间罐区停止收发料，设警戒区，每 2 小时便携式检测巡检；执行罐区泄漏专项应急预案",
}
MAJOR_REPORT = (
    "罐区 T-201 周边可燃气体报警器 3 只失效，未按期校验；原因是校验计划未落实、维护责任不清",
    "泄漏时不能及时报警，可能引发火灾爆炸，属重大事故隐患；需停止收发料并更换探头，整改难度中等",
)
MAJOR_TITLES = (
    "储罐区可燃气体报警器失效未修复",
    "涉及重点监管危险化工工艺的装置未实现自动化控制",
    "液化烃储罐未实现紧急切断功能",
    "控制室面向具有火灾爆炸危险性装置一侧未满足防火防爆要求",
)
NEGATIVE = ("堆", "破损", "泄漏", "锈蚀", "松动", "缺失", "超", "积水", "渗漏", "异常", "损坏", "杂物")
ITEM_TYPES = (("电", 3), ("仪表", 4), ("报警", 4), ("消防", 5), ("灭火", 5), ("压力", 7), ("防护", 7))


@dataclass
class Plan:
    outcome: str
    enterprise: Enterprise
    reported: dt.datetime
    record: Any = None  # inspections.Done when found by a check
    by_grid: bool = False  # else reported by the town on inspection


def finding_title(item: str) -> str:
    """A hazard title from the check item that failed ("防护罩是否齐全牢固" → "防护罩不齐全牢固")."""
    item = item.strip().rstrip("？?。")
    if "是否" in item:
        head, tail = item.split("是否", 1)
        return (head + (tail if tail.startswith(NEGATIVE) else "不" + tail))[:100]
    return f"{item}不符合要求"[:100]


def _type_of(item: str) -> int:
    return next((code for word, code in ITEM_TYPES if word in item), 1)


class HazardBuilder:
    def __init__(
        self, *, seed: int, today: dt.date, scale: int, enterprises: Sequence[Enterprise], history: History
    ) -> None:
        self.rng = random.Random(f"{seed}:hazards")
        self.today = today
        self.scale = scale
        self.enterprises = {e.pk: e for e in enterprises}
        self.history = history
        self.counts: Counter[str] = Counter()
        self.deadlines = deadlines()
        self.now = timezone.now()
        roles = RoleAssignment.objects.select_related("user")
        self.managers: dict[int, User] = {}
        for row in roles.filter(role=Role.SAFETY_MANAGER).order_by("user__username"):
            assert row.enterprise_id is not None
            self.managers.setdefault(row.enterprise_id, row.user)
        self.towns = {
            r.division_id: r.user for r in roles.filter(role=Role.TOWN_OFFICER).order_by("user__username")
        }
        self.grid_worker = next(iter(roles.filter(role=Role.GRID_WORKER).order_by("user__username")), None)
        self.grid_reach = sorted(
            Enterprise.objects.filter(
                grid_id__in=[r.grid_id for r in [self.grid_worker] if r is not None and r.grid_id],
                pk__in=list(self.managers),
            ).values_list("pk", flat=True)
        )
        self.county = User.objects.get(username="county_admin")
        self.departments = list(Department.objects.filter(is_safety_office=False).order_by("pk"))
        self.chemicals = set(
            Enterprise.objects.filter(
                pk__in=list(self.managers), sectors__code="hazardous_chemicals"
            ).values_list("pk", flat=True)
        )
        self.dept_officers: dict[int, User] = {}
        for row in roles.filter(role=Role.DEPT_OFFICER, department__sectors__code="hazardous_chemicals"):
            self.dept_officers.setdefault(0, row.user)

    # -- who and when ---------------------------------------------------------------------------

    def _at(self, day: dt.date, hour: tuple[int, int] = (8, 17)) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(self.rng.randint(*hour), self.rng.randint(0, 59)))
        return timezone.make_aware(local)

    def _town(self, enterprise: Enterprise) -> User:
        return self.towns.get(str(enterprise.division_id)[:9], self.county)

    def _manager(self, enterprise: Enterprise) -> User:
        return self.managers[enterprise.pk]

    def _person(self, enterprise: Enterprise) -> Person | None:
        people = Person.objects.filter(enterprise=enterprise, active=True)
        return people.filter(job_title__in=("车间主任", "设备管理员", "安全管理员")).order_by(
            "pk"
        ).first() or (people.order_by("pk").first())

    def _photo(self, kind: str) -> PhotoIn:
        tint = (200, 120, 40) if kind == PhotoKind.BEFORE else (60, 160, 80)
        return PhotoIn(photo_bytes(self.rng, tint), f"{kind}.jpg", kind)

    def _report_window(self, outcome: str) -> tuple[dt.date, dt.date]:
        t = self.today
        if outcome in ("reported", "confirmed"):
            return t - dt.timedelta(days=6), t - dt.timedelta(days=1)
        if outcome in OPEN_OUTCOMES:
            return t - dt.timedelta(days=24), t - dt.timedelta(days=4)
        if outcome == "on_spot":
            return t - dt.timedelta(days=350), t - dt.timedelta(days=1)
        return t - dt.timedelta(days=350), t - dt.timedelta(days=14)  # closed (or rejected) by now

    def _plans(self) -> list[Plan]:
        total = min(MAX_HAZARDS, max(MIN_HAZARDS, round(len(self.enterprises) * PER_ENTERPRISE)))
        weights = sum(OUTCOMES.values())
        outcomes = [o for o, w in OUTCOMES.items() for _ in range(max(1, round(total * w / weights)))]
        outcomes += ["overdue"] * max(0, 3 - outcomes.count("overdue"))
        self.rng.shuffle(outcomes)
        staffed = sorted(self.managers)
        plans: list[Plan] = []
        used: set[int] = set()
        for n, outcome in enumerate(outcomes):
            low, high = self._report_window(outcome)
            if outcome == "overdue":
                plans.append(Plan(outcome, self.enterprises[self.rng.choice(staffed)], self._at(low)))
                continue
            record = None
            if outcome != "on_spot" and self.rng.random() < FROM_CHECKS:
                start = timezone.make_aware(dt.datetime.combine(low, dt.time(0)))
                end = timezone.make_aware(dt.datetime.combine(high + dt.timedelta(days=1), dt.time(0)))
                pool = [
                    d
                    for d in self.history.done_between(start, end)
                    if d.id not in used and d.enterprise_id in self.managers
                ]
                if pool:
                    record = pool[self.rng.randrange(len(pool))]
                    used.add(record.id)
            if record is not None:
                reported = record.at + dt.timedelta(minutes=1)
                plans.append(Plan(outcome, self.enterprises[record.enterprise_id], reported, record))
            else:
                day = low + dt.timedelta(days=self.rng.randint(0, (high - low).days))
                # The grid worker's patrols find some (at the enterprises of the grid), the town the rest.
                by_grid = bool(self.grid_reach) and self.rng.random() < GRID_SHARE
                where = self.rng.choice(self.grid_reach) if by_grid else staffed[n % len(staffed)]
                plans.append(Plan(outcome, self.enterprises[where], self._at(day), by_grid=by_grid))
        return plans

    # -- one hazard -----------------------------------------------------------------------------

    def _from_record(self, clock: DemoClock, plan: Plan) -> HiddenHazard:
        """The check record becomes a finding, reported the way `check_record` reports it."""
        done = plan.record
        record = CheckRecord.objects.select_related("task").get(pk=done.id)
        task: InspectionTask = record.task
        items = [i["item"] for i in record.items] or [task.title]
        failed = self.rng.choice(items)
        photo = self._photo(PhotoKind.BEFORE)
        name, sha = store_check_photo(photo.content, timezone.localdate(record.server_time))
        ticks = {i: i != failed for i in items}
        note = f"{finding_title(failed)}，已拍照并登记隐患"
        CheckRecord.objects.filter(pk=record.pk).update(
            result=CheckResult.FINDING,
            items=[{"item": k, "ok": v} for k, v in ticks.items()],
            note=note,
            photo=name,
            photo_sha256=sha,
        )
        record.refresh_from_db()
        user = User.objects.get(pk=done.user_id)
        point = task.risk_point
        clock.now = plan.reported
        # The finding part of `inspections.check_record` (the record itself was written with the history).
        inspection_services._report_finding(  # noqa: SLF001 - the same code path as a real check
            user,
            task,
            record,
            inspection_services.CheckIn(
                items=ticks,
                result=CheckResult.FINDING,
                photo=photo,
                hazard={
                    "title": finding_title(failed),
                    "location": point.name if point else task.title,
                    "description": f"{task.title}：检查项“{failed}”不合格。{note}",
                    "hazard_type": _type_of(failed),
                },
            ),
        )
        return HiddenHazard.objects.get(check_record=record)

    def _report(self, clock: DemoClock, plan: Plan) -> HiddenHazard:
        if plan.record is not None:
            self.counts["from_checks"] += 1
            return self._from_record(clock, plan)
        enterprise = plan.enterprise
        title, location, source, hazard_type = self.rng.choice(FINDINGS)
        grid = self.grid_worker
        actor = grid.user if plan.by_grid and grid is not None else self._town(enterprise)
        self.counts["by_grid" if plan.by_grid else "by_town"] += 1
        clock.now = plan.reported
        return services.hazard_report(
            actor=actor,
            enterprise=enterprise,
            data={
                "title": title,
                "location": location,
                "description": f"{location}：{title}，现场拍照取证",
                "source": source,
                "hazard_type": hazard_type,
            },
            photos=[self._photo(PhotoKind.BEFORE)],
        )

    def _assign(self, clock: DemoClock, hazard: HiddenHazard, *, day: dt.date, days: int) -> HiddenHazard:
        manager = self._manager(hazard.enterprise)
        clock.now = self._at(day)
        hazard = services.hazard_confirm(
            actor=manager,
            hazard=hazard,
            level=hazard.level,
            interim_measures="撤出作业人员，设置警戒区，停用相关设备" if hazard.level == "major" else "",
        )
        clock.now += dt.timedelta(minutes=self.rng.randint(10, 90))
        if hazard.level == "major":  # the six-part plan and the report to the regulator come first
            services_major.plan_save(actor=manager, hazard=hazard, parts=MAJOR_PLAN)
            services_major.major_report_submit(
                actor=manager,
                hazard=hazard,
                state_and_cause=MAJOR_REPORT[0],
                severity_and_difficulty=MAJOR_REPORT[1],
                interim_measures=["withdraw_workers", "cordon_area", "stop_equipment"],
                interim_other="",
            )
            hazard.refresh_from_db()
        return services.hazard_assign(
            actor=manager,
            hazard=hazard,
            responsible_person=self._person(hazard.enterprise),
            measures="按规范整改，整改完成后拍照留存并复查",
            funds=Decimal(300 + 100 * self.rng.randint(0, 40)),
            deadline=day + dt.timedelta(days=days),
            plan="现场处置方案：发现异常立即停止作业、撤离人员并报告",
            today=day,
        )

    def _escalate_until(self, clock: DemoClock, hazard: HiddenHazard, until: dt.date) -> None:
        """The daily scan's escalation on each day the hazard was overdue before `until`."""
        assert hazard.deadline is not None
        day = hazard.deadline + dt.timedelta(days=1)
        while day < until:
            clock.now = timezone.make_aware(dt.datetime.combine(day, dt.time(6, 30)))
            deadline_watch.hazard_escalate(hazard=hazard, today=day, deadlines=self.deadlines)
            day += dt.timedelta(days=1)

    def _submit(self, clock: DemoClock, hazard: HiddenHazard, day: dt.date) -> HiddenHazard:
        clock.now = self._at(day)
        return services.hazard_submit(
            actor=self._manager(hazard.enterprise),
            hazard=hazard,
            note="已按整改措施完成整改，经复查合格",
            photos=[self._photo(PhotoKind.AFTER)],
        )

    def _accept(self, clock: DemoClock, hazard: HiddenHazard, day: dt.date, acceptor: User) -> HiddenHazard:
        clock.now = self._at(day)
        return services.hazard_accept(actor=acceptor, hazard=hazard, comment="现场复查，整改到位，同意销号")

    def _play(self, clock: DemoClock, plan: Plan) -> None:
        rng, outcome = self.rng, plan.outcome
        enterprise = plan.enterprise
        if outcome == "on_spot":
            clock.now = plan.reported
            title, location, source, hazard_type = rng.choice(FINDINGS)
            services.hazard_fix_on_spot(
                actor=self._manager(enterprise),
                enterprise=enterprise,
                data={
                    "title": title,
                    "location": location,
                    "description": f"{location}：{title}，当场整改",
                    "source": source,
                    "hazard_type": hazard_type,
                },
                measures="当场整改完毕",
                before=[self._photo(PhotoKind.BEFORE)],
                after=[self._photo(PhotoKind.AFTER)],
            )
            self.counts["closed"] += 1
            return
        if outcome == "overdue":
            late = 1 + self.counts["overdue"] % 3  # 1–3 days overdue: escalated to step 0, 1 or 2 by the scan
            deadline = self.today - dt.timedelta(days=late)
            days = rng.randint(7, 20)
            reported = deadline - dt.timedelta(days=days + 1)
            plan.reported = self._at(reported)
            hazard = self._report(clock, plan)
            self._assign(clock, hazard, day=reported + dt.timedelta(days=1), days=days)
            self.counts["overdue"] += 1
            return
        hazard = self._report(clock, plan)
        reported = timezone.localdate(plan.reported)
        if outcome == "reported":
            self.counts["open"] += 1
            return
        confirm_day = min(reported + dt.timedelta(days=rng.randint(0, 2)), self.today)
        if outcome == "rejected":
            clock.now = self._at(confirm_day)
            services.hazard_reject(
                actor=self._town(enterprise) if hazard.origin != "enterprise" else self._manager(enterprise),
                hazard=hazard,
                reason="duplicate",
                comment="与已登记隐患重复",
            )
            self.counts["rejected"] += 1
            return
        if outcome == "confirmed":
            clock.now = self._at(confirm_day)
            services.hazard_confirm(actor=self._manager(enterprise), hazard=hazard, level=hazard.level)
            self.counts["open"] += 1
            return
        days = rng.randint(7, 30)
        if outcome in ("rectifying", "sent_back", "extension", "awaiting"):
            days = max(days, (self.today - confirm_day).days + 3)
        elif outcome in ("closed_on_time", "closed_late"):  # closed (late: days after the deadline) by now
            days = max(3, min(days, (self.today - confirm_day).days - 6))
        hazard = self._assign(clock, hazard, day=confirm_day, days=days)
        assert hazard.deadline is not None
        deadline = hazard.deadline
        acceptor = self._town(enterprise)
        if outcome == "rectifying":
            self.counts["open"] += 1
            return
        if outcome == "extension":
            clock.now = self._at(self.today - dt.timedelta(days=1))
            services.hazard_request_extension(
                actor=self._manager(enterprise),
                hazard=hazard,
                new_deadline=deadline + dt.timedelta(days=15),
                reason="所需备件需厂家定制，到货周期较长",
                today=self.today - dt.timedelta(days=1),
            )
            self.counts["open"] += 1
            return
        if outcome in ("awaiting", "sent_back"):
            hazard = self._submit(clock, hazard, min(confirm_day + dt.timedelta(days=2), self.today))
            if outcome == "sent_back":
                clock.now = self._at(min(confirm_day + dt.timedelta(days=3), self.today))
                services.hazard_send_back(
                    actor=acceptor, hazard=hazard, comment="整改后照片未能反映整改效果，请补充后重新提交"
                )
            self.counts["open"] += 1
            return
        if outcome == "closed_late":
            submit_day = deadline + dt.timedelta(days=rng.randint(1, 4))
            self._escalate_until(clock, hazard, submit_day + dt.timedelta(days=1))
            hazard.refresh_from_db()
        else:
            submit_day = confirm_day + dt.timedelta(
                days=rng.randint(1, max(1, (deadline - confirm_day).days - 2))
            )
        hazard = self._submit(clock, hazard, submit_day)
        accept_day = submit_day + dt.timedelta(days=rng.randint(0, 1) if outcome == "closed_on_time" else 1)
        self._accept(
            clock, hazard, min(accept_day, deadline) if outcome == "closed_on_time" else accept_day, acceptor
        )
        self.counts["closed"] += 1

    # -- major hazards under listed supervision ----------------------------------------------------

    def _majors(self, clock: DemoClock) -> None:
        count = min(MAX_MAJORS, MAJORS_PER_SCALE * self.scale)
        pilot = [pk for pk in self.history.profiles if pk in self.chemicals]
        others = sorted(self.chemicals - set(pilot))
        chosen = (pilot + others)[:count]
        regulator = self.dept_officers.get(0, self.county)
        for n, pk in enumerate(chosen):
            enterprise = self.enterprises[pk]
            last = n == len(chosen) - 1 and n > 0
            reported = self.today - dt.timedelta(
                days=40 if n == 0 else 50 if last else self.rng.randint(15, 60)
            )
            clock.now = self._at(reported)
            hazard = services.hazard_report(
                actor=regulator,
                enterprise=enterprise,
                data={
                    "title": MAJOR_TITLES[n % len(MAJOR_TITLES)],
                    "location": MAJOR[1],
                    "description": f"{MAJOR[1]}：{MAJOR_TITLES[n % len(MAJOR_TITLES)]}（执法检查发现）",
                    "source": MAJOR[2],
                    "hazard_type": MAJOR[3],
                    "level": "major",
                },
                photos=[self._photo(PhotoKind.BEFORE)],
            )
            day = reported + dt.timedelta(days=1)
            # The first one: deadline six days ago, escalated up to the county by the week's scans.
            days = 33 if n == 0 else self.rng.randint(30, 70) if not last else 20
            if n and not last:
                days = max(days, (self.today - day).days + 8)
            hazard = self._assign(clock, hazard, day=day, days=days)
            clock.now += dt.timedelta(hours=3)
            services_major.major_report_acknowledge(
                actor=regulator, report=hazard.major_report, comment="已签收，按方案整改"
            )
            listed_on = day + dt.timedelta(days=1)
            clock.now = self._at(listed_on)
            assert hazard.deadline is not None
            row = supervision.supervision_list_hazard(
                actor=self.county,
                hazard=hazard,
                data={
                    "level": "county",
                    "authority": "桓台县安全生产委员会",
                    "department": self.departments[n % len(self.departments)] if self.departments else None,
                    "document_number": f"桓安委督〔{listed_on.year}〕{n + 1}号",
                    "listed_on": listed_on,
                    "planned_completion": hazard.deadline,
                    "requirements": "停用相关设施，限期整改，整改完成后书面报告",
                },
                today=listed_on,
            )
            if last:  # one closed by its regulator and signed off
                done = hazard.deadline - dt.timedelta(days=2)
                hazard = self._submit(clock, hazard, done)
                self._accept(clock, hazard, done + dt.timedelta(days=1), regulator)
                clock.now = self._at(done + dt.timedelta(days=2))
                supervision.supervision_sign_off(
                    actor=self.county, supervision=row, comment="整改到位，同意解除督办"
                )
            self.counts["major_listed"] += 1

    # -- the run ---------------------------------------------------------------------------------

    def build(self) -> Counter[str]:
        with demo_clock(self.now) as clock:
            for plan in sorted(self._plans(), key=lambda p: p.reported):
                self._play(clock, plan)
            self._majors(clock)
            for back in range(SCAN_DAYS - 1, -1, -1):
                day = self.today - dt.timedelta(days=back)
                clock.now = timezone.make_aware(dt.datetime.combine(day, dt.time(6, 30)))
                deadline_watch.deadline_scan(today=day)
        return self.counts


def build(
    *, enterprises: Sequence[Enterprise], today: dt.date, seed: int, scale: int, history: History
) -> Counter[str]:
    """Hazards over the past year (see the module docstring); counts by outcome."""
    return HazardBuilder(
        seed=seed, today=today, scale=scale, enterprises=enterprises, history=history
    ).build()


def _delete(qs: QuerySet[Any]) -> int:
    _total, per_model = qs.delete()
    return per_model.get(qs.model._meta.label, 0)


def reset(county_code: str) -> dict[str, int]:
    """Delete the county's hazards and inspection work (before its enterprises, measures and users, which
    they protect): hazards first (they point at check records and tasks), then records, occurrences,
    tasks, checkpoints, shutdowns and the enterprises' own checklists."""
    where = {"hazard__enterprise__division__code__startswith": county_code}
    models: list[type[Model]] = [
        ListedSupervision,
        HazardNotice,
        HazardPhoto,
        HazardTransition,
        SuspensionOrder,
        MajorHazardReport,  # before the plans it sent (PROTECT)
        TreatmentPlan,
    ]
    for model in models:
        _delete(model._default_manager.filter(**where))
    in_county = {"enterprise__division__code__startswith": county_code}
    counts = {"hazards": _delete(HiddenHazard.objects.filter(**in_county))}
    # One DELETE each (no row loaded: nothing else points at them once the hazards are gone).
    counts["check_records"] = _raw_delete(CheckRecord.objects.filter(**in_county))
    counts["occurrences"] = _raw_delete(TaskOccurrence.objects.filter(**in_county))
    counts["inspection_tasks"] = _raw_delete(InspectionTask.objects.filter(**in_county))
    _raw_delete(Checkpoint.objects.filter(**in_county))
    _raw_delete(ShutdownRecord.objects.filter(**in_county))
    _raw_delete(ChecklistItem.objects.filter(template__enterprise__division__code__startswith=county_code))
    _raw_delete(ChecklistTemplate.objects.filter(**in_county))
    return counts
