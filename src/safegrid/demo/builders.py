"""Build the deterministic demo county (桓台县) into the database.

The whole county comes from one `random.Random(seed)`, so the same seed and size give the same
divisions, grids, enterprises, people, certificates and users. Mass rows are written with
`bulk_create` inside one transaction. Bulk seeding is recorded in the audit log as ONE summary
entry per stage (actor `system:demo`, action `import`), not one entry per row: the rows are
generated, not entered by anyone, and tens of thousands of per-row entries would only bury the
real history that follows.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import ProtectedError
from django.utils import timezone
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from safegrid.core import audit
from safegrid.core.choices import AuditAction, Role
from safegrid.core.models import RoleAssignment, User
from safegrid.enterprises.choices import (
    CertificateKind,
    ChemicalPark,
    EnterpriseScale,
    EnterpriseStatus,
    OrgUnitKind,
)
from safegrid.enterprises.models import Certificate, Enterprise, EnterpriseSector, OrgUnit, Person
from safegrid.enterprises.rules import USCC_ALPHABET, make_uscc
from safegrid.hazards import rollups as hazard_rollups
from safegrid.jobs.models import Job
from safegrid.regions.choices import DivisionLevel
from safegrid.regions.models import Department, Division, Grid, Sector
from safegrid.risks.rules import regional as rr
from safegrid.risks.selectors.points import config_for_division
from safegrid.risks.services import delegation as delegation_services
from safegrid.risks.services import regional as regional_services

from . import filings as demo_filings
from . import geometry, letters, names, risk_registers
from . import hazards as demo_hazards
from . import inspections as demo_inspections
from . import major_lifecycle as demo_major_lifecycle
from . import major_sources as demo_major_sources
from . import majorwork as demo_majorwork
from . import monitoring as demo_monitoring
from .bulk import allocate_ids

ACTOR = audit.SystemActor("demo")
DEFAULT_SEED = 370321
ENTERPRISES_PER_SCALE = 640
COUNTY_CODE = "370321"
TOWN_A = "370321001"  # 索镇街道
TOWN_B = "370321002"  # 少海街道
MAQIAO_TOWN = "370321105"  # 马桥镇: 马桥产业园
DONGYUE_TOWN = "370321109"  # 唐山镇: 东岳氟硅材料产业园
STREET_TOWNS = frozenset({TOWN_A, TOWN_B})  # 街道: mostly communities rather than villages
# Villages per town (sum 155); fixed so every seed has the same division codes.
VILLAGES_PER_TOWN: dict[str, int] = {
    "370321001": 19,
    "370321002": 18,
    "370321101": 17,
    "370321103": 17,
    "370321104": 16,
    "370321105": 18,
    "370321107": 17,
    "370321109": 17,
    "370321110": 16,
}
CHUNK = 1000  # enterprises per organisation batch, so memory stays flat at --scale 30

# Realistic sector mix (relative weights): many industry & trade and hazardous chemicals firms,
# crowded places under fire supervision, building sites, transport firms; few mines, explosives, power.
SECTOR_WEIGHTS: dict[str, float] = {
    "industry_trade": 30,
    "hazardous_chemicals": 18,
    "fire": 12,
    "building_construction": 10,
    "road_traffic": 8,
    "special_equipment": 8,
    "urban_public": 7,
    "electric_power": 3,
    "non_coal_mine": 2,
    "civil_explosives": 1.5,
}
SECOND_SECTOR: dict[str, tuple[str, ...]] = {
    "hazardous_chemicals": ("special_equipment", "road_traffic"),
    "industry_trade": ("special_equipment", "fire"),
    "fire": ("urban_public",),
    "road_traffic": ("hazardous_chemicals",),
    "building_construction": ("special_equipment",),
    "urban_public": ("special_equipment", "fire"),
    "special_equipment": ("industry_trade",),
    "electric_power": ("special_equipment",),
    "non_coal_mine": ("civil_explosives",),
    "civil_explosives": ("road_traffic",),
}
LICENSED_SECTORS = frozenset({"hazardous_chemicals", "non_coal_mine", "civil_explosives"})
LICENCE_PREFIX = {"hazardous_chemicals": "WH", "non_coal_mine": "FM", "civil_explosives": "MB"}
STATUS_WEIGHTS = {
    EnterpriseStatus.OPERATING: 88,
    EnterpriseStatus.SUSPENDED: 6,
    EnterpriseStatus.CLOSED: 3,
    EnterpriseStatus.ZOMBIE: 3,
}
SCALE_WEIGHTS = {
    EnterpriseScale.MICRO: 35,
    EnterpriseScale.SMALL: 45,
    EnterpriseScale.MEDIUM: 15,
    EnterpriseScale.LARGE: 5,
}
EMPLOYEES = {
    EnterpriseScale.MICRO: (3, 9),
    EnterpriseScale.SMALL: (10, 99),
    EnterpriseScale.MEDIUM: (100, 999),
    EnterpriseScale.LARGE: (1000, 3000),
}
VALIDITY_YEARS = {"special": 6, "qualification": 3, "licence": 3}

ProgressFn = Callable[[str], None]
T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# Demo users: the fixed logins the README, the tests and the benchmark rely on.


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str  # Chinese
    description_en: str


FIXED_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "county_admin",
        Role.COUNTY_ADMIN,
        "县级管理员，全县全部数据：逾期隐患（一条重大隐患已升级至县）、“五个一律”审查名单、挂牌督办；"
        "可在“备案审核单位”把某行业领域的一企一册审核委托给镇街",
        "county administrator, all data: overdue hazards (one major escalated to the county), the "
        "五个一律 review list, listed supervision; “filing reviewers” delegates book reviews to the towns",
    ),
    DemoLogin(
        "county_officer", Role.COUNTY_OFFICER, "县安委办/应急局工作人员", "county safety office officer"
    ),
    DemoLogin(
        "town_a",
        Role.TOWN_OFFICER,
        "索镇街道工作人员：验收本镇企业整改完成的一般隐患，看本镇近一年的隐患和排查统计；"
        "县里把行业审核委托给镇街后，可接收或退回本镇企业的一企一册",
        "officer of 索镇街道 (370321001): accepts its firms' rectified general hazards, reads a year of "
        "hazard and inspection statistics; accepts or returns its firms' books once the county delegates",
    ),
    DemoLogin("town_b", Role.TOWN_OFFICER, "少海街道工作人员", "officer of 少海街道 (370321002)"),
    DemoLogin(
        "dept_chem", Role.DEPT_OFFICER, "安监局（危险化学品等）", "work-safety bureau (hazardous chemicals…)"
    ),
    DemoLogin(
        "grid_a", Role.GRID_WORKER, "索镇街道网格员（含 ent_a）", "grid worker in 索镇街道, grid holds ent_a"
    ),
    DemoLogin(
        "ent_a",
        Role.SAFETY_MANAGER,
        "索镇街道危化企业安全管理员：近一年的排查记录和按时排查率、本企业隐患；"
        "编制一企一册并提交法定代表人 legal_a 签署",
        "safety manager, chemicals firm in town_a: a year of check records and its on-time rate, its "
        "hazards; compile the register book and submit it to legal_a",
    ),
    DemoLogin(
        "ent_b",
        Role.SAFETY_MANAGER,
        "少海街道企业安全管理员：持 legal_b 的书面委托，可代为签署本企业一企一册",
        "safety manager, enterprise in town_b: may sign the book under legal_b's written delegation",
    ),
    DemoLogin(
        "post_a",
        Role.UNIT_USER,
        "ent_a 企业岗位人员：工作台待办和“我的告知卡”列出待确认的告知卡，待办还有今天到期的检查任务"
        "（近一年由本人检查）；打开卡片（即扫码）读完后确认",
        "post worker at ent_a: the home to-dos list cards to confirm and today's checks (a year of them "
        "done by this login); open a card (as the QR code does), read it, confirm",
    ),
    DemoLogin(
        "post_a2",
        Role.UNIT_USER,
        "ent_a 另一车间的岗位人员：只看到本岗位负责的风险点卡片",
        "post worker in another workshop of ent_a: sees only the cards of the points their post controls",
    ),
    DemoLogin(
        "legal_a",
        Role.LEGAL_REP,
        "ent_a 法定代表人：ent_a 编制并提交一企一册后，收到通知，用本人账号审阅签署（或退回）",
        "ent_a's legal representative: once ent_a compiles and submits the book, review it and sign "
        "with your own login (or send it back)",
    ),
    DemoLogin(
        "legal_b",
        Role.LEGAL_REP,
        "ent_b 法定代表人：已书面委托 ent_b 代为签署，可查看、登记或撤销签署委托",
        "ent_b's legal representative: has delegated signing to ent_b in writing; view, add or revoke it",
    ),
    DemoLogin("expert_1", Role.EXPERT, "服务机构专家（若干企业）", "expert serving a few enterprises"),
)


def town_login(code: str) -> str:
    """Username of the officer of a town other than town_a/town_b: town_<last three digits>."""
    return f"town_{code[-3:]}"


def dept_login(code: str) -> str:
    return "dept_chem" if code == "work_safety" else f"dept_{code}"


def demo_usernames() -> list[str]:
    """Every username the demo creates."""
    return [login.username for login in iter_logins()]


# --------------------------------------------------------------------------------------------
# Plan (pure Python, deterministic) and write.


@dataclass
class VillagePlan:
    code: str
    name: str
    town: str
    geom: BaseGeometry
    weight: float
    park: str = ""
    sampler: geometry.PointSampler | None = None


@dataclass
class EnterprisePlan:
    index: int
    name: str
    uscc: str
    sectors: list[str]
    village: VillagePlan
    status: str
    scale: str
    employees: int
    park: str
    lon: float
    lat: float
    legal_rep: str
    legal_rep_phone: str
    principal: str
    principal_phone: str
    safety_manager: str
    safety_manager_phone: str
    address: str


@dataclass
class DemoSummary:
    seed: int
    scale: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _weighted(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _record(stage: str, count: int, comment: str) -> None:
    audit.record(
        actor=ACTOR,
        action=AuditAction.IMPORT,
        object_type=f"demo.{stage}",
        object_id=str(count),
        comment=comment,
    )


@contextmanager
def unlogged_queries() -> Iterator[None]:
    """No SQL query log during the build, even under DEBUG (the dev profile): Django's debug cursor
    formats every query with its quoted parameters for `connection.queries`, which for the bulk inserts
    of a year of inspection history costs more than the inserts themselves, and nobody reads it here."""
    with mock.patch.object(BaseDatabaseWrapper, "queries_logged", new_callable=mock.PropertyMock) as logged:
        logged.return_value = False
        yield


# The build's stages, in order. `until` stops after one of them: a test that reads only the county, or the
# registers, leaves out the year of history the later stages write (most of a build's time).
STAGES = (
    "county",
    "risk_registers",
    "filings",
    "inspections",
    "hazards",
    "major_sources",
    "major_lifecycle",
    "work",
    "monitoring",
)


class DemoBuilder:
    """One build of the demo county. `enterprises` overrides the size (tests use a small county)."""

    default_until = STAGES[-1]

    def __init__(
        self,
        *,
        scale: int = 1,
        seed: int = DEFAULT_SEED,
        enterprises: int | None = None,
        progress: ProgressFn | None = None,
        today: dt.date | None = None,
        until: str | None = None,
    ) -> None:
        if scale < 1:
            raise ValueError("scale must be at least 1")
        until = until or self.default_until
        if until not in STAGES:
            raise ValueError(f"until must be one of {', '.join(STAGES)}")
        self.stages = STAGES[: STAGES.index(until) + 1]
        self.scale = scale
        self.seed = seed
        self.enterprise_count = enterprises if enterprises is not None else ENTERPRISES_PER_SCALE * scale
        if self.enterprise_count < len(SECTOR_WEIGHTS):
            raise ValueError(f"at least {len(SECTOR_WEIGHTS)} enterprises are needed (one per sector)")
        self.rng = random.Random(seed)
        self.progress = progress or (lambda _msg: None)
        self.today = today or timezone.localdate()
        self.summary = DemoSummary(seed=seed, scale=scale)
        self.cert_seq = 0

    # -- stages --------------------------------------------------------------------------------

    def build(self) -> DemoSummary:
        started = time.monotonic()
        with unlogged_queries(), transaction.atomic():
            towns, villages = self._divisions()
            plans = self._plan_enterprises(towns, villages)
            grid_of = self._grids(villages, plans)
            enterprises = self._enterprises(plans, grid_of)
            anchors = self._organisation(plans, enterprises)
            self._users(towns, grid_of, enterprises, anchors)
            if "risk_registers" in self.stages:
                self._risk_registers(plans, enterprises, anchors)
            if "filings" in self.stages:
                self._stage_filings(enterprises, anchors)
            if "inspections" in self.stages:
                history = self._stage_inspections(enterprises, anchors)
                if "hazards" in self.stages:
                    self._stage_hazards(enterprises, history)
            if "major_sources" in self.stages:
                self._stage_major_sources(enterprises)
            if "major_lifecycle" in self.stages:
                self._stage_major_lifecycle()
            if "work" in self.stages:
                self._stage_work()  # special work and commitments need the graded units
            if "monitoring" in self.stages:
                self._stage_monitoring()  # monitoring points on the graded major hazard units
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def _stage_inspections(
        self, enterprises: list[Enterprise], anchors: dict[str, Any]
    ) -> demo_inspections.History:
        """A year of inspection tasks, occurrences and check records at the pilot enterprises."""
        started = time.monotonic()
        history = demo_inspections.build(
            seed=self.seed,
            today=self.today,
            scale=self.scale,
            enterprises=list(enumerate(enterprises)),
            ent_a=anchors["ent_a"].pk,
        )
        self.summary.counts.update({f"inspection_{k}": v for k, v in sorted(history.counts.items())})
        self._stage("inspections", history.counts["records"], history.comment(), started)
        return history

    def _stage_hazards(self, enterprises: list[Enterprise], history: demo_inspections.History) -> None:
        started = time.monotonic()
        counts = demo_hazards.build(
            enterprises=enterprises, today=self.today, seed=self.seed, scale=self.scale, history=history
        )
        # The statistics rollups from scratch: history seeded in bulk or back-dated bypasses the services.
        hazard_rollups.rebuild(actor=ACTOR)
        self.summary.counts.update({f"hazards_{k}": v for k, v in sorted(counts.items())})
        comment = (
            f"隐患：已销号 {counts['closed']}（其中即查即改等）、在办 {counts['open']}、逾期 {counts['overdue']}、"
            f"已驳回 {counts['rejected']}、挂牌督办重大隐患 {counts['major_listed']}；"
            f"来自排查记录 {counts['from_checks']}、网格员 {counts['by_grid']}、镇街检查 {counts['by_town']}"
        )
        total = sum(counts[k] for k in ("closed", "open", "overdue", "rejected", "major_listed"))
        self._stage("hazards", total, comment, started)

    def _stage_major_sources(self, enterprises: list[Enterprise]) -> None:
        """GB 18218 units, substances and populations at the hazardous-chemicals enterprises (majorhazards)."""
        started = time.monotonic()
        counts = demo_major_sources.build(enterprises=enterprises, seed=self.seed, today=self.today)
        self.summary.counts.update({f"major_sources_{k}": v for k, v in sorted(counts.items())})
        comment = (
            f"重大危险源辨识单元 {counts['units']}（{counts['enterprises']} 家危化企业）：一级 {counts['grade_1']}、"
            f"二级 {counts['grade_2']}、三级 {counts['grade_3']}、四级 {counts['grade_4']}、"
            f"不构成 {counts['not_major']}；设施要求未落实 {counts['gaps']} 项"
        )
        self._stage("major_sources", counts["units"], comment, started)

    def _stage_major_lifecycle(self) -> None:
        """Each major unit's filing, triggers, drills, facility tests and its three responsible persons."""
        started = time.monotonic()
        counts = demo_major_lifecycle.build(today=self.today, seed=self.seed)
        self.summary.counts.update({f"major_lifecycle_{k}": v for k, v in sorted(counts.items())})
        filings = sum(counts[k] for k in ("accepted", "returned", "overdue", "trigger"))
        comment = (
            f"重大危险源备案 {filings}（已备案 {counts['accepted']}、退回 {counts['returned']}、"
            f"复评逾期 {counts['overdue']}、复评触发 {counts['trigger']}）；包保责任人 {counts['persons']}，"
            f"应急演练 {counts['drills']}，设施检测 {counts['tests']}"
        )
        self._stage("major_lifecycle", filings, comment, started)

    def _stage_work(self) -> None:
        """A month of special-work filings and daily commitments at the enterprises with major hazard sources."""
        started = time.monotonic()
        counts = demo_majorwork.build(today=self.today, seed=self.seed)
        if not counts:
            return  # no unit identified as a major hazard source: nothing to file or commit
        self.summary.counts.update({f"work_{k}": v for k, v in sorted(counts.items())})
        comment = (
            f"特殊作业报备 {counts.get('filed', 0)}（完工 {counts.get('completed', 0)}、作业中 {counts.get('in_progress', 0)}、"
            f"取消 {counts.get('cancelled', 0)}）；安全承诺公告 {counts.get('commitments', 0)}（逾期 {counts.get('late', 0)}、"
            f"今日未发布 {counts.get('missing_today', 0)}）"
        )
        self._stage("work", counts.get("filed", 0) + counts.get("commitments", 0), comment, started)

    def _stage_monitoring(self) -> None:
        """Monitoring points with their limits on every graded major hazard unit of the county."""
        started = time.monotonic()
        counts = demo_monitoring.build(county_code=COUNTY_CODE, seed=self.seed, year=self.today.year)
        self.summary.counts.update({f"monitoring_{k}": v for k, v in sorted(counts.items())})
        comment = (
            f"监测点位 {counts['points']}（{counts['units']} 个重大危险源单元、{counts['enterprises']} 家企业）："
            f"液位 {counts['level']}、温度 {counts['temperature']}、压力 {counts['pressure']}、"
            f"可燃气体 {counts['gas_combustible']}、有毒气体 {counts['gas_toxic']}、氧含量 {counts['oxygen']}"
        )
        self._stage("monitoring", counts["points"], comment, started)

    def _stage_filings(self, enterprises: list[Enterprise], anchors: dict[str, Any]) -> None:
        """A year of the programme: books in every state, register edits, workers' card receipts."""
        started = time.monotonic()
        stories = demo_filings.build(
            seed=self.seed,
            today=self.today,
            enterprises=list(enumerate(enterprises)),
            scale=self.scale,
            skip=[anchors["ent_a"].pk, anchors["ent_b"].pk],
        )
        self.summary.counts.update({f"filings_{k}": v for k, v in sorted(stories.counts.items())})
        self._stage("filings", sum(stories.counts.values()), stories.comment(), started)

    def _stage(self, stage: str, count: int, comment: str, started: float) -> None:
        self.summary.counts[stage] = count
        _record(stage, count, comment)
        self.progress(f"{comment}（{time.monotonic() - started:.1f} s）")

    def _divisions(self) -> tuple[dict[str, Division], list[VillagePlan]]:
        started = time.monotonic()
        rows = geometry.read_divisions()
        county_row = next(r for r in rows if r.level == DivisionLevel.COUNTY)
        town_rows = [r for r in rows if r.level == DivisionLevel.TOWN]
        outline = geometry.county_outline()
        centre = geometry.inside_point(outline)
        county = Division(
            code=county_row.code,
            name=county_row.name,
            level=DivisionLevel.COUNTY,
            lat=round(centre.y, 5),
            lon=round(centre.x, 5),
            boundary=geometry.to_geojson(outline),
            boundary_illustrative=False,
        )
        cells = geometry.town_cells([r.code for r in town_rows])
        towns: dict[str, Division] = {}
        villages: list[VillagePlan] = []
        taken: set[str] = set()
        for row in town_rows:
            cell = cells[row.code]
            point = geometry.inside_point(cell)
            towns[row.code] = Division(
                code=row.code,
                name=row.name,
                level=DivisionLevel.TOWN,
                parent=county,
                lat=round(point.y, 5),
                lon=round(point.x, 5),
                boundary=geometry.to_geojson(cell),
                boundary_illustrative=True,
            )
            count = VILLAGES_PER_TOWN[row.code]
            share = 0.6 if row.code in STREET_TOWNS else 0.1
            village_names = names.village_names(self.rng, count, share, taken)
            for number, (name, vcell) in enumerate(
                zip(village_names, geometry.split_area(self.rng, cell, count), strict=True), start=1
            ):
                if vcell.is_empty:
                    raise RuntimeError(f"empty village cell in {row.code}")
                villages.append(
                    VillagePlan(
                        code=f"{row.code}{number:03d}",
                        name=name,
                        town=row.code,
                        geom=vcell,
                        weight=self.rng.uniform(0.3, 2.0),
                    )
                )
        # The chemical parks: the two busiest-looking villages of 马桥镇 and 唐山镇.
        for town_code, park in ((MAQIAO_TOWN, ChemicalPark.MAQIAO), (DONGYUE_TOWN, ChemicalPark.DONGYUE)):
            for plan in [v for v in villages if v.town == town_code][:2]:
                plan.park = park
        division_rows = [county, *towns.values()]
        for plan in villages:
            point = geometry.inside_point(plan.geom)
            plan.sampler = geometry.PointSampler(plan.geom)
            division_rows.append(
                Division(
                    code=plan.code,
                    name=plan.name,
                    level=DivisionLevel.VILLAGE,
                    parent=towns[plan.town],
                    lat=round(point.y, 5),
                    lon=round(point.x, 5),
                    boundary=geometry.to_geojson(plan.geom),
                    boundary_illustrative=True,
                )
            )
        Division.objects.bulk_create(division_rows, batch_size=500)
        self._stage(
            "divisions",
            len(division_rows),
            f"行政区划：1 个县（真实边界）、{len(towns)} 个镇街、{len(villages)} 个村/社区（示意边界）",
            started,
        )
        return towns, villages

    def _unique_uscc(self, taken: set[str]) -> str:
        while True:
            body = "91" + COUNTY_CODE + "".join(self.rng.choice(USCC_ALPHABET) for _ in range(9))
            if body not in taken:
                taken.add(body)
                return make_uscc(body)

    def _plan_enterprises(
        self, towns: dict[str, Division], villages: list[VillagePlan]
    ) -> list[EnterprisePlan]:
        rng = self.rng
        by_town: dict[str, list[VillagePlan]] = defaultdict(list)
        for v in villages:
            by_town[v.town].append(v)
        park_villages: dict[str, list[VillagePlan]] = {
            park: [v for v in villages if v.park == park]
            for park in (ChemicalPark.MAQIAO, ChemicalPark.DONGYUE)
        }
        town_codes = list(towns)
        # Anchors first: ent_a (chemicals, town A), ent_b (town B), then one of every other sector,
        # so even a small test county has all ten sectors and the fixed logins have their firms.
        anchor_sectors = ["hazardous_chemicals", "building_construction"] + [
            s for s in SECTOR_WEIGHTS if s not in ("hazardous_chemicals", "building_construction")
        ]
        anchor_towns = [TOWN_A, TOWN_B] + [town_codes[(i + 2) % len(town_codes)] for i in range(8)]
        names_taken: set[str] = set()
        uscc_taken: set[str] = set()
        plans: list[EnterprisePlan] = []
        for index in range(self.enterprise_count):
            anchor = index < len(anchor_sectors)
            if anchor:
                sector = anchor_sectors[index]
                town = anchor_towns[index]
            else:
                sector = _weighted(rng, SECTOR_WEIGHTS)
                town_weights = dict.fromkeys(town_codes, 1.0)
                town_weights[TOWN_A] = 1.6  # the county seat
                if sector == "hazardous_chemicals":
                    town_weights[MAQIAO_TOWN] = town_weights[DONGYUE_TOWN] = 3.0
                town = _weighted(rng, town_weights)
            park = ""
            in_park_town = sector == "hazardous_chemicals" and town in (MAQIAO_TOWN, DONGYUE_TOWN)
            if not anchor and in_park_town and rng.random() < 0.6:
                park = ChemicalPark.MAQIAO if town == MAQIAO_TOWN else ChemicalPark.DONGYUE
            if park:
                village = rng.choice(park_villages[park])
            else:
                candidates = by_town[town]
                village = rng.choices(candidates, weights=[v.weight for v in candidates])[0]
            sectors = [sector]
            if not anchor and rng.random() < 0.15:
                sectors.append(rng.choice(SECOND_SECTOR[sector]))
            scale = EnterpriseScale.MEDIUM if anchor else _weighted(rng, SCALE_WEIGHTS)
            status = EnterpriseStatus.OPERATING if anchor else _weighted(rng, STATUS_WEIGHTS)
            low, high = EMPLOYEES[EnterpriseScale(scale)]
            legal_rep = names.person_name(rng)
            principal = legal_rep if rng.random() < 0.4 else names.person_name(rng)
            assert village.sampler is not None
            lon, lat = village.sampler.sample(rng)
            plans.append(
                EnterprisePlan(
                    index=index,
                    name=names.enterprise_name(rng, sector, bool(park), names_taken),
                    uscc=self._unique_uscc(uscc_taken),
                    sectors=sectors,
                    village=village,
                    status=status,
                    scale=scale,
                    employees=rng.randint(low, high),
                    park=park,
                    lon=lon,
                    lat=lat,
                    legal_rep=legal_rep,
                    legal_rep_phone=names.phone(rng),
                    principal=principal,
                    principal_phone=names.phone(rng),
                    safety_manager=names.person_name(rng),
                    safety_manager_phone=names.phone(rng),
                    address=names.address(rng, towns[town].name, village.name),
                )
            )
        return plans

    def _grids(self, villages: list[VillagePlan], plans: list[EnterprisePlan]) -> dict[int, Grid]:
        """One grid per village; villages with many enterprises are split into 2–3 micro-grids."""
        started = time.monotonic()
        per_village: dict[str, list[EnterprisePlan]] = defaultdict(list)
        for plan in plans:
            per_village[plan.village.code].append(plan)
        mean = len(plans) / len(villages)
        grids: list[Grid] = []
        grid_of: dict[int, Grid] = {}
        for village in villages:
            members = per_village[village.code]
            count = 1 if len(members) <= 1.3 * mean else (2 if len(members) <= 2.2 * mean else 3)
            cells = geometry.split_area(self.rng, village.geom, count) if count > 1 else [village.geom]
            cells = [c for c in cells if not c.is_empty] or [village.geom]
            village_grids: list[tuple[Grid, Any]] = []
            for number, cell in enumerate(cells, start=1):
                grid = Grid(
                    code=f"WG{village.code}{number:02d}",
                    name=f"{village.name}第{'一二三四'[number - 1]}网格",
                    division_id=village.code,
                    worker_name=names.person_name(self.rng),
                    worker_phone=names.phone(self.rng),
                    boundary=geometry.to_geojson(cell),
                )
                grids.append(grid)
                village_grids.append((grid, prep(cell)))
            for plan in members:
                point = Point(plan.lon, plan.lat)
                owner = next((g for g, p in village_grids if p.contains(point)), None)
                if owner is None:  # on a shared edge after rounding: the first grid takes it
                    owner = village_grids[0][0]
                grid_of[plan.index] = owner
        Grid.objects.bulk_create(grids, batch_size=1000)
        self._stage(
            "grids", len(grids), f"网格：{len(grids)} 个（每村至少 1 个，企业多的村 2–3 个）", started
        )
        return grid_of

    def _enterprises(self, plans: list[EnterprisePlan], grid_of: dict[int, Grid]) -> list[Enterprise]:
        started = time.monotonic()
        rows = [
            Enterprise(
                name=p.name,
                uscc=p.uscc,
                industry=names.INDUSTRY_BY_SECTOR[p.sectors[0]],
                scale=p.scale,
                employees=p.employees,
                address=p.address,
                lat=p.lat,
                lon=p.lon,
                division_id=p.village.code,
                grid=grid_of[p.index],
                status=p.status,
                chemical_park=p.park,
                legal_rep=p.legal_rep,
                legal_rep_phone=p.legal_rep_phone,
                principal=p.principal,
                principal_phone=p.principal_phone,
                safety_manager=p.safety_manager,
                safety_manager_phone=p.safety_manager_phone,
            )
            for p in plans
        ]
        enterprises = Enterprise.objects.bulk_create(rows, batch_size=1000)
        sector_ids = dict(Sector.objects.values_list("code", "pk"))
        links = [
            EnterpriseSector(enterprise_id=e.pk, sector_id=sector_ids[code])
            for e, p in zip(enterprises, plans, strict=True)
            for code in p.sectors
        ]
        EnterpriseSector.objects.bulk_create(links, batch_size=2000)
        mix = Counter(code for p in plans for code in p.sectors)
        self.summary.counts["enterprise_sectors"] = len(links)
        detail = "、".join(f"{code} {n}" for code, n in mix.most_common())
        self._stage("enterprises", len(enterprises), f"企业：{len(enterprises)} 家（{detail}）", started)
        return enterprises

    # -- organisation: org units, people, certificates ------------------------------------------

    def _expiry(self) -> tuple[dt.date, int]:
        """An expiry date: about 7 % expired, 8 % expiring within 30 days, the rest valid."""
        r = self.rng.random()
        if r < 0.07:
            offset = -self.rng.randint(1, 400)
        elif r < 0.15:
            offset = self.rng.randint(0, 30)
        else:
            offset = self.rng.randint(31, 1800)
        return self.today + dt.timedelta(days=offset), offset

    def _certificate(
        self, enterprise_id: int, person: Person | None, kind: str, issuer: str, years: int, number: str
    ) -> Certificate:
        expires, _ = self._expiry()
        issued = expires - dt.timedelta(days=round(365.25 * years) - 1)
        return Certificate(
            enterprise_id=enterprise_id,
            person=person,
            kind=kind,
            number=number,
            issuer=issuer,
            issued_on=issued,
            expires_on=expires,
        )

    def _next_number(self, prefix: str) -> str:
        self.cert_seq += 1
        return f"{prefix}{self.cert_seq:08d}"

    def _organisation(self, plans: list[EnterprisePlan], enterprises: list[Enterprise]) -> dict[str, Any]:
        started = time.monotonic()
        totals: Counter[str] = Counter()
        anchors: dict[str, Any] = {}
        for chunk_no, chunk in enumerate(_chunks(list(zip(plans, enterprises, strict=True)), CHUNK)):
            counts = self._organisation_chunk(chunk, anchors)
            totals.update(counts)
            done = min((chunk_no + 1) * CHUNK, len(plans))
            if done % 5000 < CHUNK or done == len(plans):
                self.progress(
                    f"  组织架构与人员：{done}/{len(plans)} 家企业（{time.monotonic() - started:.1f} s）"
                )
        self._stage("org_units", totals["org_units"], f"组织单元：{totals['org_units']} 个", started)
        self._stage("people", totals["people"], f"人员：{totals['people']} 人", started)
        expired = totals["expired"]
        expiring = totals["expiring"]
        self._stage(
            "certificates",
            totals["certificates"],
            f"证照：{totals['certificates']} 个（已过期 {expired}，30 天内到期 {expiring}）",
            started,
        )
        return anchors

    def _organisation_chunk(
        self, chunk: Sequence[tuple[EnterprisePlan, Enterprise]], anchors: dict[str, Any]
    ) -> Counter[str]:
        rng = self.rng
        counts: Counter[str] = Counter()
        # A unit's materialised path contains its own primary key, so the keys are reserved first
        # (`bulk.allocate_ids`) and each row is inserted once with its final path: no UPDATE pass.
        companies = [OrgUnit(enterprise_id=e.pk, kind=OrgUnitKind.COMPANY, name=e.name) for _, e in chunk]
        workshops: list[OrgUnit] = []
        for (plan, ent), company in zip(chunk, companies, strict=True):
            spec = names.ORG_SPECS[plan.sectors[0]]
            size = {"micro": 1, "small": 2}.get(plan.scale, 3)
            for name in rng.sample(spec.workshops, k=min(size, len(spec.workshops))):
                workshops.append(
                    OrgUnit(enterprise_id=ent.pk, parent=company, kind=OrgUnitKind.WORKSHOP, name=name)
                )
        teams: list[OrgUnit] = []
        spec_of = {e.pk: names.ORG_SPECS[p.sectors[0]] for p, e in chunk}
        for workshop in workshops:
            spec = spec_of[workshop.enterprise_id]
            for name in rng.sample(spec.teams, k=rng.randint(1, 2)):
                teams.append(
                    OrgUnit(
                        enterprise_id=workshop.enterprise_id,
                        parent=workshop,
                        kind=OrgUnitKind.TEAM,
                        name=name,
                    )
                )
        posts: list[OrgUnit] = []
        for team in teams:
            spec = spec_of[team.enterprise_id]
            for post in rng.sample(spec.posts, k=rng.randint(1, 2)):
                posts.append(
                    OrgUnit(
                        enterprise_id=team.enterprise_id,
                        parent=team,
                        kind=OrgUnitKind.POST,
                        name=post.name,
                        is_key_post=post.key,
                        required_certificate=post.certificate,
                    )
                )
        all_units = companies + workshops + teams + posts  # parents always before their children
        for unit, pk in zip(all_units, allocate_ids(OrgUnit, len(all_units)), strict=True):
            unit.pk = pk
            unit.path = f"{unit.parent.path if unit.parent else ''}{pk:08d}/"
        OrgUnit.objects.bulk_create(all_units, batch_size=1000)
        counts["org_units"] = len(all_units)

        posts_of: dict[int, list[OrgUnit]] = defaultdict(list)
        for unit in posts:
            posts_of[unit.enterprise_id].append(unit)
        company_of = {u.enterprise_id: u for u in companies}

        # People: principal and safety manager at company level, then workers on posts (3–15 in all).
        people: list[Person] = []
        for plan, ent in chunk:
            company = company_of[ent.pk]
            people.append(
                Person(
                    enterprise_id=ent.pk,
                    org_unit=company,
                    name=plan.principal,
                    job_title="主要负责人",
                    phone=plan.principal_phone,
                )
            )
            people.append(
                Person(
                    enterprise_id=ent.pk,
                    org_unit=company,
                    name=plan.safety_manager,
                    job_title="安全管理员",
                    phone=plan.safety_manager_phone,
                )
            )
            ent_posts = posts_of[ent.pk]
            workers = max(1, min(13, len(ent_posts) + rng.randint(0, 6), plan.employees - 2))
            for n in range(workers):
                people.append(
                    Person(
                        enterprise_id=ent.pk,
                        org_unit=ent_posts[n % len(ent_posts)],
                        name=names.person_name(rng),
                        job_title=rng.choice(names.WORKER_TITLES),
                        phone=names.phone(rng),
                        active=plan.status == EnterpriseStatus.OPERATING or rng.random() < 0.5,
                    )
                )
        Person.objects.bulk_create(people, batch_size=1000)
        counts["people"] = len(people)

        # Certificates: special-operation certs for people on posts needing them (a few missing),
        # 三类人员 certs for principal and safety manager, safety licence for licensed sectors.
        certs: list[Certificate] = []
        sector_of = {e.pk: p.sectors[0] for p, e in chunk}
        for person in people:
            if person.org_unit is None:
                continue
            unit = person.org_unit
            sector = sector_of[person.enterprise_id]
            if unit.kind == OrgUnitKind.COMPANY:
                kind = (
                    CertificateKind.PRINCIPAL
                    if person.job_title == "主要负责人"
                    else CertificateKind.SAFETY_MANAGER
                )
                issuer = "山东省住房和城乡建设厅" if sector == "building_construction" else "淄博市应急管理局"
                certs.append(
                    self._certificate(
                        person.enterprise_id,
                        person,
                        kind,
                        issuer,
                        VALIDITY_YEARS["qualification"],
                        self._next_number("AQ370321"),
                    )
                )
            elif unit.required_certificate and rng.random() < 0.94:
                certs.append(
                    self._certificate(
                        person.enterprise_id,
                        person,
                        unit.required_certificate,
                        "淄博市应急管理局",
                        VALIDITY_YEARS["special"],
                        self._next_number("T370321"),
                    )
                )
        for plan, ent in chunk:
            licensed = [s for s in plan.sectors if s in LICENSED_SECTORS]
            if licensed:
                year = self.today.year - rng.randint(0, 2)
                certs.append(
                    self._certificate(
                        ent.pk,
                        None,
                        CertificateKind.SAFETY_LICENCE,
                        "山东省应急管理厅",
                        VALIDITY_YEARS["licence"],
                        self._next_number(f"（鲁）{LICENCE_PREFIX[licensed[0]]}安许证字〔{year}〕"),
                    )
                )
        Certificate.objects.bulk_create(certs, batch_size=1000)
        counts["certificates"] = len(certs)
        horizon = self.today + dt.timedelta(days=settings.SAFEGRID_EXPIRY_WARNING_DAYS)
        for cert in certs:
            assert cert.expires_on is not None
            if cert.expires_on < self.today:
                counts["expired"] += 1
            elif cert.expires_on <= horizon:
                counts["expiring"] += 1

        # Remember what the fixed logins hang on: ent_a's safety manager and a key post worker.
        for plan, ent in chunk:
            if plan.index in (0, 1):
                key = "a" if plan.index == 0 else "b"
                anchors[f"ent_{key}"] = ent
                anchors[f"ent_{key}_manager"] = next(
                    p for p in people if p.enterprise_id == ent.pk and p.job_title == "安全管理员"
                )
                if key == "a":
                    on_posts = [
                        p
                        for p in people
                        if p.enterprise_id == ent.pk
                        and p.active
                        and p.org_unit is not None
                        and p.org_unit.kind == OrgUnitKind.POST
                    ]
                    first = anchors["post_a_person"] = on_posts[0]
                    assert first.org_unit is not None
                    # A second worker on another post, in another workshop when the firm has one.
                    others = [p for p in on_posts if p.org_unit != first.org_unit]
                    elsewhere = [p for p in others if _workshop_of(p) != _workshop_of(first)]
                    anchors["post_a2_person"] = (elsewhere or others or on_posts)[0]
            if plan.index < 12:
                anchors.setdefault("expert_enterprises", []).append(ent)
        return counts

    # -- risk registers ------------------------------------------------------------------------

    def _risk_registers(
        self, plans: list[EnterprisePlan], enterprises: list[Enterprise], anchors: dict[str, Any]
    ) -> None:
        """Risk points, factors, assessments and both lists (see `risk_registers`), then the
        regional risk proposal of the current year from them."""
        started = time.monotonic()
        targets = [
            risk_registers.RegisterTarget(e.pk, p.sectors, p.scale, p.status, p.lat, p.lon, p.park)
            for p, e in zip(plans, enterprises, strict=True)
        ]
        result = risk_registers.build(
            targets,
            seed=self.seed,
            today=self.today,
            config=config_for_division(COUNTY_CODE),
            complete=[anchors["ent_a"].pk],
            post_holders={
                person.org_unit_id: person.pk
                for person in (anchors["post_a_person"], anchors["post_a2_person"])
            },
            progress=self.progress,
        )
        self.summary.counts.update(result.counts)
        self._stage("risk_registers", result.counts["risk_points"], result.comment(), started)
        started = time.monotonic()
        proposal = regional_services.regional_propose(actor=ACTOR, year=self.today.year)
        self._stage(
            "regional_risks",
            proposal.created + proposal.updated,
            f"区域风险（{rr.METHOD_VERSION}）：{self.today.year} 年度镇街、村居风险等级建议 "
            + "，".join(f"{lv} 级 {n} 个" for lv, n in sorted(proposal.by_level.items())),
            started,
        )

    # -- users ---------------------------------------------------------------------------------

    def _signing_delegation(self, enterprise: Enterprise, legal_rep: User, delegate: User) -> None:
        """ent_b's legal representative has delegated signing the book to the safety manager, in writing."""
        valid_from = self.today - dt.timedelta(days=30)
        valid_until = self.today + dt.timedelta(days=335)
        letter = letters.delegation_letter(
            enterprise=enterprise.name,
            delegator=legal_rep.display_name,
            delegate=delegate.display_name,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        delegation_services.delegation_create(
            actor=legal_rep,
            enterprise=enterprise,
            delegate=delegate,
            valid_from=valid_from,
            valid_until=valid_until,
            document=SimpleUploadedFile("授权委托书.pdf", letter, content_type="application/pdf"),
            note=f"{self.today.year} 年度一企一册签署",
        )

    def _users(
        self,
        towns: dict[str, Division],
        grid_of: dict[int, Grid],
        enterprises: list[Enterprise],
        anchors: dict[str, Any],
    ) -> None:
        started = time.monotonic()
        ent_a: Enterprise = anchors["ent_a"]
        ent_b: Enterprise = anchors["ent_b"]
        manager_a: Person = anchors["ent_a_manager"]
        manager_b: Person = anchors["ent_b_manager"]
        post_person: Person = anchors["post_a_person"]
        grid_a = grid_of[0]
        departments = {d.code: d for d in Department.objects.all()}

        # Every demo account has the same, publicly printed password, so one hash (one salt) is
        # reused: a per-user salt would hide nothing and cost a slow hash per account.
        password = make_password(settings.SAFEGRID_DEMO_PASSWORD)
        users: list[User] = []
        roles: list[RoleAssignment] = []

        def add(username: str, display_name: str, *assignments: dict[str, Any], phone: str = "") -> User:
            user = User(username=username, display_name=display_name, password=password, phone=phone)
            users.append(user)
            for assignment in assignments:
                roles.append(RoleAssignment(user=user, **assignment))
            return user

        rng = self.rng
        add("county_admin", names.person_name(rng), {"role": Role.COUNTY_ADMIN})
        add("county_officer", names.person_name(rng), {"role": Role.COUNTY_OFFICER})
        add("town_a", names.person_name(rng), {"role": Role.TOWN_OFFICER, "division": towns[TOWN_A]})
        add("town_b", names.person_name(rng), {"role": Role.TOWN_OFFICER, "division": towns[TOWN_B]})
        for code, town in towns.items():
            if code not in (TOWN_A, TOWN_B):
                add(town_login(code), names.person_name(rng), {"role": Role.TOWN_OFFICER, "division": town})
        for code, dept in departments.items():
            add(dept_login(code), names.person_name(rng), {"role": Role.DEPT_OFFICER, "department": dept})
        grid_user = add(
            "grid_a",
            grid_a.worker_name,
            {"role": Role.GRID_WORKER, "grid": grid_a},
            phone=grid_a.worker_phone,
        )
        ent_a_user = add(
            "ent_a",
            manager_a.name,
            {"role": Role.SAFETY_MANAGER, "enterprise": ent_a},
            phone=manager_a.phone,
        )
        ent_b_user = add(
            "ent_b",
            manager_b.name,
            {"role": Role.SAFETY_MANAGER, "enterprise": ent_b},
            phone=manager_b.phone,
        )
        assert post_person.org_unit is not None
        post_user = add(
            "post_a",
            post_person.name,
            {"role": Role.UNIT_USER, "enterprise": ent_a, "org_unit": post_person.org_unit},
            phone=post_person.phone,
        )
        post_person_2: Person = anchors["post_a2_person"]
        assert post_person_2.org_unit is not None
        post_user_2 = add(
            "post_a2",
            post_person_2.name,
            {"role": Role.UNIT_USER, "enterprise": ent_a, "org_unit": post_person_2.org_unit},
            phone=post_person_2.phone,
        )
        # The legal representatives sign their enterprise's book with their own logins.
        add(
            "legal_a",
            ent_a.legal_rep,
            {"role": Role.LEGAL_REP, "enterprise": ent_a},
            phone=ent_a.legal_rep_phone,
        )
        legal_b = add(
            "legal_b",
            ent_b.legal_rep,
            {"role": Role.LEGAL_REP, "enterprise": ent_b},
            phone=ent_b.legal_rep_phone,
        )
        expert_firms = [e for e in anchors["expert_enterprises"] if e.pk != ent_b.pk][:4]
        add(
            "expert_1",
            names.person_name(rng),
            *({"role": Role.EXPERT, "enterprise": e} for e in expert_firms),
        )

        User.objects.bulk_create(users)
        for role in roles:
            role.user_id = role.user.pk
        RoleAssignment.objects.bulk_create(roles)
        grid_a.worker = grid_user
        grid_a.save(update_fields=["worker"])
        linked = (
            (manager_a, ent_a_user),
            (manager_b, ent_b_user),
            (post_person, post_user),
            (post_person_2, post_user_2),
        )
        for person, user in linked:
            person.user = user
            person.save(update_fields=["user"])
        self._signing_delegation(ent_b, legal_b, ent_b_user)
        self._stage(
            "users",
            len(users),
            f"演示账号：{len(users)} 个，角色分配 {len(roles)} 条（密码见 safegrid demo_logins）",
            started,
        )


def _workshop_of(person: Person) -> int | None:
    """The workshop a person's post belongs to (post → team → workshop), from the rows in memory."""
    unit = person.org_unit
    while unit is not None and unit.kind != OrgUnitKind.WORKSHOP:
        unit = unit.parent
    return unit.pk if unit is not None else None


# --------------------------------------------------------------------------------------------
# Emptiness checks and reset.


def county_occupied() -> bool:
    """True when the database already holds enterprises or divisions (demo or real)."""
    return Enterprise.objects.exists() or Division.objects.exists()


def _demo_users() -> models.QuerySet[User]:
    """The fixed demo logins and the accounts the filing stories created (sm_/lr_/pw_NNNN)."""
    return User.objects.filter(
        models.Q(username__in=demo_usernames()) | models.Q(username__regex=demo_filings.USERNAME_PATTERN)
    )


def conflicting_usernames() -> list[str]:
    return sorted(_demo_users().values_list("username", flat=True))


def _delete(qs: models.QuerySet[Any]) -> int:
    """Delete and return how many rows of the queryset's own model went (cascades not counted)."""
    _total, per_model = qs.delete()
    return per_model.get(qs.model._meta.label, 0)


def reset(progress: ProgressFn | None = None) -> dict[str, int]:
    """Delete everything inside the demo county (370321) and the demo users.

    Leaf tables are deleted first, and org units/divisions level by level, so the PROTECT
    parent links never block and no row is loaded needlessly. The audit log is append-only and
    keeps its history; the reset itself is recorded as one entry.
    """
    say = progress or (lambda _msg: None)
    in_county = {"enterprise__division__code__startswith": COUNTY_CODE}
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            counts.update(demo_monitoring.reset(COUNTY_CODE))  # points protect units
            counts.update(demo_majorwork.reset(COUNTY_CODE))  # filings and commitments protect units
            counts.update(demo_major_lifecycle.reset(COUNTY_CODE))
            counts.update(demo_major_sources.reset(COUNTY_CODE))
            counts.update(demo_hazards.reset(COUNTY_CODE))
            counts.update(risk_registers.reset(COUNTY_CODE))
            counts["certificates"] = _delete(Certificate.objects.filter(**in_county))
            counts["people"] = _delete(Person.objects.filter(**in_county))
            units = 0
            for kind in (OrgUnitKind.POST, OrgUnitKind.TEAM, OrgUnitKind.WORKSHOP, OrgUnitKind.COMPANY):
                units += _delete(OrgUnit.objects.filter(kind=kind, **in_county))
            counts["org_units"] = units
            users = _demo_users()
            # The book renderings the filing stories queued name their compiler (PROTECT).
            Job.objects.filter(created_by__in=users).delete()
            counts["users"] = _delete(users)
            counts["enterprises"] = _delete(Enterprise.objects.filter(division__code__startswith=COUNTY_CODE))
            counts["grids"] = _delete(Grid.objects.filter(division__code__startswith=COUNTY_CODE))
            divisions = 0
            for level in (DivisionLevel.VILLAGE, DivisionLevel.TOWN, DivisionLevel.COUNTY):
                divisions += _delete(Division.objects.filter(level=level, code__startswith=COUNTY_CODE))
            counts["divisions"] = divisions
            audit.record(
                actor=ACTOR,
                action=AuditAction.DELETE,
                object_type="demo.reset",
                object_id=COUNTY_CODE,
                comment="演示数据重置：" + "，".join(f"{k} {v}" for k, v in counts.items()),
            )
    except ProtectedError as exc:
        blockers = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        raise ResetBlocked(
            f"无法重置：以下数据仍引用演示数据 / cannot reset, still referenced by: {blockers}"
        )
    say("已删除演示数据 / demo data deleted: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


class ResetBlocked(Exception):
    pass


def build(
    *,
    scale: int = 1,
    seed: int = DEFAULT_SEED,
    enterprises: int | None = None,
    progress: ProgressFn | None = None,
    today: dt.date | None = None,
    until: str | None = None,
) -> DemoSummary:
    """Build the demo county into an empty database (the caller checks emptiness), up to and including the
    stage `until` (default: every stage)."""
    return DemoBuilder(
        scale=scale, seed=seed, enterprises=enterprises, progress=progress, today=today, until=until
    ).build()


def iter_logins() -> Iterable[DemoLogin]:
    """Every demo login with its role, fixed ones first."""
    from safegrid.regions.choices import DEPARTMENTS

    yield from FIXED_LOGINS
    town_names = {r.code: r.name for r in geometry.read_divisions()}
    for code in VILLAGES_PER_TOWN:
        if code not in (TOWN_A, TOWN_B):
            yield DemoLogin(
                town_login(code), Role.TOWN_OFFICER, f"{town_names[code]}工作人员", f"officer of {code}"
            )
    for code, name, _short, _sectors in DEPARTMENTS:
        if code != "work_safety":
            yield DemoLogin(dept_login(code), Role.DEPT_OFFICER, name, f"department {code}")
