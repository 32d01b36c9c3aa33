"""Fill the demo county's risk registers (风险分级管控清单) from the sector catalogue.

Every enterprise that still operates gets 3–12 risk points typical of its sectors
(`risk_catalogue`), each with 1–5 hazard factors (SCL items for facilities, ordered JHA steps
for activities), an initial assessment per factor, 2–6 control measures and the responsibility
tiers its level requires, people and posts taken from that enterprise's own organisation.

Levels are never written by hand: the inputs are valid table values and the score, level, colour
and method version come from `risks.rules.assess`; a point's level is the most dangerous level of
its factors (`rules.point_level`), the bulk equivalent of `services.risk_point_recompute_level`.
Rows are written with `bulk_create` per chunk of enterprises, which fires no signals, so the
register revision counter (`RegisterRevision`, revision 1) is written here too.

About 5 % of points lack one required tier, so the "missing tiers" flag has data; the enterprises
named in `complete` (ent_a) always get a full register that can be filed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import models
from django.utils import timezone

from safegrid.enterprises.choices import EnterpriseStatus, OrgUnitKind
from safegrid.enterprises.models import OrgUnit, Person
from safegrid.risks.choices import (
    AssessmentKind,
    DataSource,
    IdentificationMethod,
    MeasureKind,
    RiskPointType,
)
from safegrid.risks.models import (
    CardConfirmation,
    ControlMeasure,
    EnterpriseSitePlan,
    FilingTransition,
    HazardFactor,
    RegionalRisk,
    RegisterRevision,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskCard,
    RiskPoint,
    RiskRegisterFiling,
    SigningDelegation,
)
from safegrid.risks.rules import assessment as rules
from safegrid.risks.rules import methods, register_diff
from safegrid.risks.services import revision

from .risk_catalogue import CATALOGUE, GENERIC, PointSpec

ProgressFn = Callable[[str], None]

CHUNK = 1000  # enterprises per batch: memory stays flat at --scale 30
BATCH = 2000  # rows per INSERT
# Points per enterprise by scale (inclusive range, capped by the catalogue the sectors offer).
POINTS_BY_SCALE: dict[str, tuple[int, int]] = {
    "micro": (4, 8),
    "small": (6, 10),
    "medium": (8, 12),
    "large": (10, 12),
}
MIN_POINTS, MAX_POINTS = 3, 12
# Closed and zombie enterprises keep no register; a few small firms have not built one yet.
NO_REGISTER = frozenset({EnterpriseStatus.CLOSED, EnterpriseStatus.ZOMBIE})
NOT_YET_SHARE = 0.06
# The chance of each level (1..4) for the most dangerous factor of a point, by the point's danger.
LEVEL_WEIGHTS: dict[str, tuple[float, float, float, float]] = {
    "H": (0.7, 0.08, 0.16, 0.06),
    "M": (0.12, 0.06, 0.45, 0.37),
    "L": (0.0, 0.02, 0.30, 0.68),
}
# The enterprise's highest level (the colour it carries on the county's map and lists) is drawn first,
# so the county looks like a real one a year into the programme: few red enterprises (major hazard
# installations), some orange, most yellow or blue. Chemical plants, explosives and mines lean
# dangerous, park plants most. At scale 1 (measured): red 2.6 %, orange 13.0 %, yellow 31.6 %, blue 52.8 %.
ENTERPRISE_LEVEL_WEIGHTS: dict[bool, tuple[float, float, float, float]] = {
    True: (0.04, 0.22, 0.46, 0.28),  # a dangerous sector first
    False: (0.01, 0.07, 0.33, 0.59),
}
# Plants of a dangerous sector inside a chemical park: where the major hazard installations cluster, so the
# park's villages come out red and its towns orange on the regional map (REGIONAL/2), as in a real county.
PARK_LEVEL_WEIGHTS: tuple[float, float, float, float] = (0.25, 0.45, 0.25, 0.05)
DANGER_RANK = {"H": 0, "M": 1, "L": 2}
# Sectors whose points lean one band more dangerous (chemical plants, explosives, mines).
DANGEROUS_SECTORS = frozenset({"hazardous_chemicals", "civil_explosives", "non_coal_mine"})
# Pick weights of catalogue entries: the main sector's points first, then the second sector's.
POOL_WEIGHTS = {"main": 3.0, "second": 1.5, "generic": 1.0}
METHOD_WEIGHTS = {"LEC": 80, "LS": 13, "MES": 7}  # one method per enterprise register
MISSING_TIER_SHARE = 0.05
POINT_JITTER = 0.0006  # degrees around the enterprise (≈ 60 m)

# Plausible table values (the extremes "实际不可能"/"非常罕见" are valid but rare in registers).
LEC_L = (Decimal("0.5"), Decimal("1"), Decimal("3"), Decimal("6"), Decimal("10"))
LEC_E = (Decimal("1"), Decimal("2"), Decimal("3"), Decimal("6"), Decimal("10"))
LEC_C = (Decimal("1"), Decimal("3"), Decimal("7"), Decimal("15"), Decimal("40"), Decimal("100"))
LS_SEVERITY = {100: 5, 40: 5, 15: 5, 7: 4, 3: 3, 1: 2}
MES_SEVERITY = {100: 10, 40: 10, 15: 8, 7: 4, 3: 2, 1: 1}
AUTOMATED_KINDS = frozenset({MeasureKind.ONLINE_MONITORING, MeasureKind.AUTOMATION})


@dataclass(frozen=True)
class RegisterTarget:
    """What the register stage needs to know of one demo enterprise."""

    enterprise_id: int
    sectors: Sequence[str]
    scale: str
    status: str
    lat: float | None
    lon: float | None
    chemical_park: str = ""


@dataclass
class RegisterResult:
    counts: Counter[str] = field(default_factory=Counter)
    levels: Counter[int] = field(default_factory=Counter)

    def comment(self) -> str:
        c = self.counts
        shown = "，".join(f"{methods.LEVEL_NAMES[lv]} {self.levels[lv]}" for lv in methods.LEVELS)
        return (
            f"风险清单：{c['registers']} 家企业，风险点 {c['risk_points']} 个（{shown}），"
            f"危险源 {c['hazard_factors']} 项，管控措施 {c['control_measures']} 项，"
            f"管控责任 {c['responsibilities']} 条（缺少管控层级的风险点 {c['points_missing_tiers']} 个）"
        )


# --------------------------------------------------------------------------------------------
# Assessment inputs: every combination is graded by `rules.assess`, never by hand.


def _lec_inputs() -> list[dict[str, Decimal]]:
    return [{"L": lv, "E": e, "C": c} for lv in LEC_L for e in LEC_E for c in LEC_C]


def _ls_inputs() -> list[dict[str, Decimal]]:
    return [{"L": Decimal(lv), "S": Decimal(s)} for lv in methods.LS_L for s in methods.LS_S]


def _mes_inputs() -> list[dict[str, Decimal]]:
    return [
        {"M": Decimal(m), "E": e, "S": Decimal(s)}
        for m in methods.MES_M
        for e in LEC_E
        for s in methods.MES_S
    ]


def _severity(method: str, inputs: dict[str, Decimal]) -> Decimal:
    return inputs["C"] if method == "LEC" else inputs["S"]


def _wanted_severity(method: str, c: int) -> Decimal:
    if method == "LEC":
        return Decimal(c)
    if method == "LS":
        return Decimal(LS_SEVERITY[c])
    return Decimal(MES_SEVERITY[c])


@cache
def input_choices(method: str, level: int, c: int, config: rules.RiskConfig) -> tuple[dict[str, Any], ...]:
    """Valid inputs of `method` graded `level` under `config`, closest in severity to consequence `c`."""
    everything = {"LEC": _lec_inputs, "LS": _ls_inputs, "MES": _mes_inputs}[method]()
    graded = [i for i in everything if rules.assess(method, i, config).level == level]
    if not graded:
        raise ValueError(f"no {method} inputs give level {level}")
    wanted = _wanted_severity(method, c)
    best = min(abs(_severity(method, i) - wanted) for i in graded)
    return tuple(
        {k: rules.number(v) for k, v in i.items()}
        for i in graded
        if abs(_severity(method, i) - wanted) == best
    )


# --------------------------------------------------------------------------------------------
# The organisation each register hangs on.


@dataclass
class Organisation:
    company: int | None = None
    workshops: list[tuple[int, str]] = field(default_factory=list)
    teams: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # workshop -> teams
    posts: dict[int, list[tuple[int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # team -> posts
    people: dict[int, list[tuple[int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # unit -> people
    principal: int | None = None
    safety_manager: int | None = None

    def posts_under(self, workshop: int) -> list[tuple[int, str]]:
        return [p for team in self.teams.get(workshop, []) for p in self.posts.get(team, [])]

    def all_posts(self) -> list[tuple[int, str]]:
        return [p for posts in self.posts.values() for p in posts]


def _organisations(enterprise_ids: Sequence[int]) -> dict[int, Organisation]:
    orgs: dict[int, Organisation] = defaultdict(Organisation)
    kinds: dict[int, str] = {}
    rows = (
        OrgUnit.objects.filter(enterprise_id__in=enterprise_ids)
        .order_by("id")
        .values_list("id", "enterprise_id", "parent_id", "kind", "name")
    )
    for pk, enterprise_id, parent_id, kind, name in rows:
        org = orgs[enterprise_id]
        kinds[pk] = kind
        if kind == OrgUnitKind.COMPANY:
            org.company = org.company or pk
        elif kind == OrgUnitKind.WORKSHOP:
            org.workshops.append((pk, name))
        elif kind == OrgUnitKind.TEAM:
            org.teams[parent_id].append(pk)
        elif kind == OrgUnitKind.POST:
            org.posts[parent_id].append((pk, name))
    people = (
        Person.objects.filter(enterprise_id__in=enterprise_ids, active=True)
        .order_by("id")
        .values_list("id", "enterprise_id", "org_unit_id", "job_title")
    )
    for pk, enterprise_id, unit_id, title in people:
        org = orgs[enterprise_id]
        if unit_id is not None:
            org.people[unit_id].append((pk, title))
        if title == "主要负责人" and org.principal is None:
            org.principal = pk
        elif title == "安全管理员" and org.safety_manager is None:
            org.safety_manager = pk
    return orgs


# --------------------------------------------------------------------------------------------
# The builder.


class RegisterBuilder:
    def __init__(
        self,
        *,
        seed: int,
        today: dt.date,
        config: rules.RiskConfig = rules.DEFAULT_CONFIG,
        complete: Iterable[int] = (),
        post_holders: Mapping[int, int] | None = None,
        progress: ProgressFn | None = None,
    ) -> None:
        self.rng = random.Random(f"{seed}:risk-registers")
        self.today = today
        self.config = config
        self.complete = frozenset(complete)
        self.post_holders = dict(post_holders or {})
        self.progress = progress or (lambda _msg: None)
        self.result = RegisterResult()

    def build(self, targets: Sequence[RegisterTarget]) -> RegisterResult:
        for start in range(0, len(targets), CHUNK):
            self._chunk(targets[start : start + CHUNK])
            done = min(start + CHUNK, len(targets))
            if done % 5000 < CHUNK or done == len(targets):
                self.progress(f"  风险清单：{done}/{len(targets)} 家企业")
        return self.result

    # -- choices ------------------------------------------------------------------------------

    def _has_register(self, target: RegisterTarget) -> bool:
        if target.enterprise_id in self.complete:
            return True
        if target.status in NO_REGISTER:
            return False
        return not (target.scale in ("micro", "small") and self.rng.random() < NOT_YET_SHARE)

    def _point_specs(self, target: RegisterTarget) -> list[tuple[PointSpec, str]]:
        """The catalogue entries this enterprise registers, with the sector each came from."""
        pool: list[tuple[PointSpec, str, float]] = []
        seen: set[str] = set()
        for rank, sector in enumerate(target.sectors):
            weight = POOL_WEIGHTS["main" if rank == 0 else "second"]
            for spec in CATALOGUE[sector]:
                if spec.name not in seen:
                    seen.add(spec.name)
                    pool.append((spec, sector, weight))
        for spec in GENERIC:
            if spec.name not in seen:
                seen.add(spec.name)
                pool.append((spec, "", POOL_WEIGHTS["generic"]))
        low, high = POINTS_BY_SCALE.get(target.scale, (4, 7))
        wanted = max(MIN_POINTS, min(MAX_POINTS, self.rng.randint(low, high), len(pool)))
        order = {spec.name: i for i, (spec, _s, _w) in enumerate(pool)}
        chosen: list[tuple[PointSpec, str]] = []
        while len(chosen) < wanted:
            index = self.rng.choices(range(len(pool)), weights=[w for _s, _c, w in pool])[0]
            spec, sector, _w = pool.pop(index)
            chosen.append((spec, sector))
        # Sector points first, in catalogue order: the register reads like one written by hand.
        return sorted(chosen, key=lambda sc: (sc[1] == "", order[sc[0].name]))

    def _enterprise_level(self, target: RegisterTarget) -> int:
        dangerous = target.sectors[0] in DANGEROUS_SECTORS
        weights = (
            PARK_LEVEL_WEIGHTS if dangerous and target.chemical_park else ENTERPRISE_LEVEL_WEIGHTS[dangerous]
        )
        return int(self.rng.choices(methods.LEVELS, weights=weights)[0])

    def _point_levels(self, specs: Sequence[tuple[PointSpec, str]], highest: int) -> list[int]:
        """Each point's level: drawn by the point's danger, never above the enterprise's highest level,
        and the most dangerous point of the register reaches it."""
        levels = []
        for spec, sector in specs:
            level = int(self.rng.choices(methods.LEVELS, weights=LEVEL_WEIGHTS[spec.danger])[0])
            if sector in DANGEROUS_SECTORS and level > 2 and spec.danger != "L" and self.rng.random() < 0.12:
                level -= 1
            levels.append(max(level, highest))
        if highest not in levels:
            worst = min(range(len(specs)), key=lambda n: (DANGER_RANK[specs[n][0].danger], n))
            levels[worst] = highest
        return levels

    def _inputs(self, method: str, level: int, c: int) -> rules.AssessmentResult:
        inputs = self.rng.choice(input_choices(method, level, c, self.config))
        result = rules.assess(method, inputs, self.config)
        assert result.level == level
        return result

    # -- one chunk ----------------------------------------------------------------------------

    def _chunk(self, targets: Sequence[RegisterTarget]) -> None:
        rng = self.rng
        orgs = _organisations([t.enterprise_id for t in targets])
        points: list[RiskPoint] = []
        factors: list[HazardFactor] = []
        assessments: list[RiskAssessment] = []
        measures: list[ControlMeasure] = []
        tiers: list[ResponsibilityAssignment] = []
        revisions: list[RegisterRevision] = []
        counts = self.result.counts
        for target in targets:
            org = orgs.get(target.enterprise_id)
            if org is None or not org.workshops or not org.all_posts() or not self._has_register(target):
                continue
            method = str(rng.choices(list(METHOD_WEIGHTS), weights=list(METHOD_WEIGHTS.values()))[0])
            assessed_on = self.today - dt.timedelta(days=rng.randint(20, 330))
            assessed_at = timezone.make_aware(
                dt.datetime.combine(assessed_on, dt.time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))))
            )
            complete = target.enterprise_id in self.complete
            enterprise_levels: list[int] = []
            specs = self._point_specs(target)
            point_levels = self._point_levels(specs, self._enterprise_level(target))
            for number, ((spec, _sector), top_level) in enumerate(
                zip(specs, point_levels, strict=True), start=1
            ):
                workshop = self._workshop(org, spec)
                point = RiskPoint(
                    enterprise_id=target.enterprise_id,
                    org_unit_id=workshop,
                    code=f"FXD-{number:03d}",
                    name=spec.name,
                    type=spec.type,
                    location=spec.location,
                    lat=round(target.lat + rng.uniform(-POINT_JITTER, POINT_JITTER), 6)
                    if target.lat is not None and target.lon is not None
                    else None,
                    lon=round(target.lon + rng.uniform(-POINT_JITTER, POINT_JITTER), 6)
                    if target.lat is not None and target.lon is not None
                    else None,
                )
                points.append(point)
                # Factors: every JHA step of an activity (≤ 10, in order), a sample of SCL items.
                if spec.type == RiskPointType.ACTIVITY:
                    picked = list(range(len(spec.factors)))
                else:
                    k = min(len(spec.factors), rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)))
                    picked = sorted(rng.sample(range(len(spec.factors)), k))
                worst = max(picked, key=lambda i: (spec.factors[i].c, -i))
                point_factors: dict[int, HazardFactor] = {}
                levels: list[int] = []
                versions: list[str] = []
                for step, index in enumerate(picked, start=1):
                    f = spec.factors[index]
                    jha = spec.type == RiskPointType.ACTIVITY
                    factor = HazardFactor(
                        risk_point=point,
                        code=register_diff.numbered(register_diff.FACTOR_PREFIX, step),
                        method=IdentificationMethod.JHA if jha else IdentificationMethod.SCL,
                        step_no=step if jha else None,
                        step_name=f.item,
                        description=f.description,
                        category=f.category,
                        accident_types=list(f.accidents),
                        consequences=f.consequences,
                        existing_controls=f.controls,
                    )
                    factors.append(factor)
                    point_factors[index] = factor
                    level = top_level if index == worst else min(4, top_level + rng.choice((0, 1, 1, 2)))
                    result = self._inputs(method, level, f.c)
                    assessments.append(
                        RiskAssessment(
                            hazard_factor=factor,
                            kind=AssessmentKind.INITIAL,
                            method=result.method,
                            inputs=result.inputs_json(),
                            score=result.score.quantize(Decimal("0.01")),
                            level=result.level,
                            colour=result.colour,
                            method_version=result.method_version,
                            assessed_at=assessed_at,
                        )
                    )
                    levels.append(result.level)
                    versions.append(result.method_version)
                # As `services.risk_point_recompute_level`: the first most dangerous factor decides.
                point_level = rules.point_level(levels)
                point.level = point_level
                if point_level:
                    enterprise_levels.append(point_level)
                point.level_method_version = versions[levels.index(point_level)] if point_level else ""
                self.result.levels[point_level or 0] += 1
                measures.extend(self._measures(rng, org, spec, point, workshop, point_factors))
                point_tiers = self._tiers(rng, org, point, workshop, complete)
                tiers.extend(point_tiers)
                if rules.missing_tiers(point.level, [t.tier for t in point_tiers]):
                    counts["points_missing_tiers"] += 1
            revisions.append(
                RegisterRevision(
                    enterprise_id=target.enterprise_id,
                    revision=1,
                    changed_at=assessed_at,
                    risk_level=min(enterprise_levels, default=None),
                )
            )
        RiskPoint.objects.bulk_create(points, batch_size=BATCH)
        HazardFactor.objects.bulk_create(factors, batch_size=BATCH)
        RiskAssessment.objects.bulk_create(assessments, batch_size=BATCH)
        ControlMeasure.objects.bulk_create(measures, batch_size=BATCH)
        ResponsibilityAssignment.objects.bulk_create(tiers, batch_size=BATCH)
        RegisterRevision.objects.bulk_create(revisions, batch_size=BATCH)
        revision.recount([r.enterprise_id for r in revisions])  # the point counts kept beside the level
        counts["registers"] += len(revisions)
        counts["risk_points"] += len(points)
        counts["hazard_factors"] += len(factors)
        counts["risk_assessments"] += len(assessments)
        counts["control_measures"] += len(measures)
        counts["responsibilities"] += len(tiers)

    def _workshop(self, org: Organisation, spec: PointSpec) -> int:
        for wanted in spec.workshops:
            for pk, name in org.workshops:
                if name == wanted:
                    return pk
        return self.rng.choice(org.workshops)[0]

    def _post(self, org: Organisation, workshop: int, names: Sequence[str]) -> int:
        local = org.posts_under(workshop)
        everywhere = org.all_posts()
        for candidates in (local, everywhere):
            named = [pk for pk, name in candidates if name in names]
            if named:
                return self.rng.choice(named)
        return self.rng.choice(local or everywhere)[0]

    def _measures(
        self,
        rng: random.Random,
        org: Organisation,
        spec: PointSpec,
        point: RiskPoint,
        workshop: int,
        factors: dict[int, HazardFactor],
    ) -> list[ControlMeasure]:
        relevant = [m for m in spec.measures if m.factor in factors]
        others = [m for m in spec.measures if m.factor not in factors]
        k = rng.randint(min(2, len(spec.measures)), min(6, len(spec.measures)))
        chosen = (relevant + others)[:k]
        rows = []
        for number, m in enumerate(chosen, start=1):
            rows.append(
                ControlMeasure(
                    risk_point=point,
                    code=register_diff.numbered(register_diff.MEASURE_PREFIX, number),
                    hazard_factor=factors.get(m.factor),
                    kind=m.kind,
                    classify1=int(m.classify2.split("-", 1)[0]),
                    classify2=m.classify2,
                    description=m.description,
                    check_content=m.check_content,
                    check_cycle=m.cycle,
                    check_cycle_unit=m.unit,
                    data_src=DataSource.AUTOMATED if m.kind in AUTOMATED_KINDS else DataSource.INSPECTION,
                    responsible_post_id=self._post(org, workshop, m.posts),
                )
            )
        return rows

    def _person(self, org: Organisation, units: Sequence[int], titles: Sequence[str]) -> int | None:
        people = [p for unit in units for p in org.people.get(unit, [])]
        preferred = [pk for pk, title in people if title in titles]
        if preferred:
            return self.rng.choice(preferred)
        if people:
            return self.rng.choice(people)[0]
        return None

    def _tiers(
        self, rng: random.Random, org: Organisation, point: RiskPoint, workshop: int, complete: bool
    ) -> list[ResponsibilityAssignment]:
        required = list(rules.required_tiers(point.level))
        if not complete and len(required) > 1 and rng.random() < MISSING_TIER_SHARE:
            required.remove(rng.choice(required))
        # Tiers stay on the point's line (rules/tiers.py): the point's workshop, a team of it, a post of
        # that team, each held by someone working there; a tier nobody there can hold is left missing.
        teams = org.teams.get(workshop, [])
        staffed = [t for t in teams if any(org.people.get(p) for p, _n in org.posts.get(t, []))]
        team = rng.choice(staffed or teams) if teams else None
        posts = org.posts.get(team, []) if team is not None else []
        staffed_posts = [p for p in posts if org.people.get(p[0])]
        post = rng.choice(staffed_posts or posts)[0] if posts else None
        post_units = [p for p, _n in org.posts_under(workshop)]
        rows = []
        for tier in required:
            unit: int | None
            if tier == "company":
                unit, person = org.company, org.principal or org.safety_manager
            elif tier == "workshop":
                unit = workshop
                person = self._person(org, post_units, ("技术员", "班长"))
            elif tier == "team":
                unit = team
                person = self._person(org, [p for p, _n in posts], ("班长",))
            else:
                unit = post
                person = self._person(org, [post] if post else [], ())
            if person is None or unit is None:
                continue
            rows.append(
                ResponsibilityAssignment(risk_point=point, tier=tier, org_unit_id=unit, person_id=person)
            )
        return self._hold_posts(org, workshop, rows)

    def _hold_posts(
        self, org: Organisation, workshop: int, rows: list[ResponsibilityAssignment]
    ) -> list[ResponsibilityAssignment]:
        """Give the team and post tiers of a point to a demo login's post when that post works in the
        point's workshop (so post_a finds the cards of their workshop's points). No random draw: the
        rest of the county comes out as before."""
        held = [
            (post, person)
            for post, _name in org.posts_under(workshop)
            if (person := self.post_holders.get(post))
        ]
        if not held:
            return rows
        post, person = held[0]
        team = next(
            t for t in org.teams.get(workshop, []) if any(p == post for p, _n in org.posts.get(t, []))
        )
        leaders = [
            pk for p, _n in org.posts.get(team, []) for pk, title in org.people.get(p, []) if title == "班长"
        ]
        for row in rows:
            if row.tier == "post":
                row.org_unit_id, row.person_id = post, person
            elif row.tier == "team":
                row.org_unit_id, row.person_id = team, (leaders[0] if leaders else person)
        return rows


def build(
    targets: Sequence[RegisterTarget],
    *,
    seed: int,
    today: dt.date,
    config: rules.RiskConfig = rules.DEFAULT_CONFIG,
    complete: Iterable[int] = (),
    post_holders: Mapping[int, int] | None = None,
    progress: ProgressFn | None = None,
) -> RegisterResult:
    """Write the registers of `targets` (deterministic for a seed and the same organisation rows).

    `post_holders` maps a post's org unit id to the person who holds the post tier of every point of
    that post's workshop (the demo's post workers)."""
    builder = RegisterBuilder(
        seed=seed, today=today, config=config, complete=complete, post_holders=post_holders, progress=progress
    )
    return builder.build(targets)


# --------------------------------------------------------------------------------------------
# Reset: delete the risk data of the demo county before its enterprises, people and units.


def _raw_delete(qs: models.QuerySet[Any]) -> int:
    """DELETE in one statement. The register models send post_save/post_delete signals (the
    revision counter), which would make `QuerySet.delete()` load and signal every row; the
    enterprises go away too, so there is no revision left to count."""
    return int(qs._raw_delete(qs.db))  # noqa: SLF001


def reset(county_code: str) -> dict[str, int]:
    """Delete every risk row of the enterprises and divisions of `county_code` (call inside a transaction)."""
    in_county = {"enterprise__division__code__startswith": county_code}
    on_point = {"risk_point__enterprise__division__code__startswith": county_code}
    counts: dict[str, int] = {}
    _raw_delete(CardConfirmation.objects.filter(**on_point))
    _raw_delete(RiskCard.objects.filter(**on_point))
    counts["risk_assessments"] = _raw_delete(
        RiskAssessment.objects.filter(
            hazard_factor__risk_point__enterprise__division__code__startswith=county_code
        )
    )
    counts["control_measures"] = _raw_delete(ControlMeasure.objects.filter(**on_point))
    counts["responsibilities"] = _raw_delete(ResponsibilityAssignment.objects.filter(**on_point))
    counts["hazard_factors"] = _raw_delete(HazardFactor.objects.filter(**on_point))
    counts["risk_points"] = _raw_delete(RiskPoint.objects.filter(**in_county))
    filings = RiskRegisterFiling.objects.filter(**in_county)
    _raw_delete(FilingTransition.objects.filter(filing__in=filings))
    _raw_delete(RiskRegisterFiling.departments.through.objects.filter(riskregisterfiling__in=filings))
    counts["filings"] = _raw_delete(filings)
    _raw_delete(SigningDelegation.objects.filter(**in_county))
    _raw_delete(RegisterRevision.objects.filter(**in_county))
    _raw_delete(EnterpriseSitePlan.objects.filter(**in_county))
    _raw_delete(RegionalRisk.objects.filter(division__code__startswith=county_code))
    return counts
