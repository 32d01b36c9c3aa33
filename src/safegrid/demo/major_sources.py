"""The demo county's GB 18218 identification units at its hazardous-chemicals enterprises, through the
majorhazards services (population, units, substance lines; every grading recorded and audited).

Tank farms of LPG, liquid ammonia, methanol and benzene, reactor production units and a calcium-carbide
warehouse, with design maximum quantities chosen so the mix is realistic for a chemical county: most
sources grade 3–4, a few grade 2, one grade 1, and some units below the threshold (not major). Some grade
1–2 units lack a required facility (an independent SIS, the emergency cut-off in service), so the gap list
has entries. The set is the same at every scale (`MAX_ENTERPRISES` enterprises at most): a county has tens
of major hazard sources, not thousands, and each unit is a few service calls.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from safegrid.core.audit import SystemActor
from safegrid.enterprises.models import Enterprise
from safegrid.majorhazards.models import HazardUnit, SitePopulation, Substance, UnitGrading, UnitSubstance
from safegrid.majorhazards.models.sources import ship_substances
from safegrid.majorhazards.services import sources as services

ACTOR = SystemActor("demo")
MAX_ENTERPRISES = 18


@dataclass(frozen=True)
class UnitPlan:
    code: str
    name: str
    kind: str
    lines: tuple[tuple[str, str, str], ...]  # (substance name, design maximum t, stock on hand t)
    facilities: tuple[str, ...] = ()  # the facilities in place (HazardUnit field names)
    location: str = ""


ALL = ("esd_in_place", "sis_in_place", "cutoff_in_place", "video_in_place")

# Populations within 500 m of the plant boundary (α 0.5 … 2.0), one per enterprise in order. With PLANS this
# gives: one grade 1 (the first chlor-alkali plant), two grade 2, about seven grade 3, the rest grade 4 or
# not major.
POPULATIONS = (120, 35, 12, 60, 0, 45, 240, 28, 12, 150, 60, 80, 40, 20, 100, 8, 5, 30)
BASES = ("村委会户籍登记", "镇街人口台账", "安全评价报告周边环境调查", "现场入户调查")

# Each enterprise gets one of these sets (cycled); the grades noted assume the population it is paired with.
PLANS: tuple[tuple[UnitPlan, ...], ...] = (
    (  # chlor-alkali: 100 t chlorine (S 20, Σβq/Q 80): 120 people → R 160, grade 1; its cut-off is not in service
        UnitPlan(
            "CL-01",
            "液氯储罐区",
            "tank_farm",
            (("氯", "100", "62"),),
            ("esd_in_place", "sis_in_place"),
            "液氯储罐及汽化区",
        ),
        UnitPlan(
            "CL-02",
            "氯化氢合成装置",
            "production",
            (("氢", "2", "1.2"), ("氯化氢", "30", "18")),
            ALL,
            "合成车间",
        ),
    ),
    (  # a gas station depot: LPG spheres (2 × 200 m³)
        UnitPlan("LPG-01", "液化石油气球罐区", "tank_farm", (("液化石油气", "180", "95"),), ALL, "罐区东侧"),
    ),
    (  # a fertiliser plant: liquid ammonia
        UnitPlan(
            "NH3-01", "液氨罐区", "tank_farm", (("氨", "150", "88"),), ("esd_in_place",), "罐区北侧防火堤内"
        ),
        UnitPlan(
            "SYN-01", "合成氨装置", "production", (("氨", "12", "8"), ("氢", "3", "2")), ALL, "合成工段"
        ),
    ),
    (  # a methanol plant
        UnitPlan("ME-01", "甲醇罐区", "tank_farm", (("甲醇", "4000", "2600"),), ALL, "成品罐区"),
        UnitPlan(
            "ME-02", "甲醇合成装置", "production", (("甲醇", "420", "300"), ("氢", "6", "4")), ALL, "合成车间"
        ),
    ),
    (  # an aromatics plant
        UnitPlan("BZ-01", "苯罐区", "tank_farm", (("苯", "900", "540"),), ALL, "中间罐区"),
        UnitPlan("TOL-01", "甲苯储罐区", "tank_farm", (("甲苯", "150", "70"),), (), "西侧罐区"),
    ),
    (  # a carbide and PVC plant
        UnitPlan("CC-01", "电石库", "warehouse", (("电石", "600", "320"),), (), "原料库"),
        UnitPlan(
            "VCM-01",
            "氯乙烯聚合装置",
            "production",
            (("氯乙烯", "120", "80"),),
            ("esd_in_place",),
            "聚合车间",
        ),
    ),
    (  # a solvent trader: below the threshold
        UnitPlan(
            "WH-01",
            "溶剂仓库",
            "warehouse",
            (("丙酮", "120", "60"), ("乙酸乙酯", "150", "80")),
            (),
            "甲类仓库",
        ),
    ),
    (  # an LPG bottling station
        UnitPlan("LPG-02", "液化石油气储罐区", "tank_farm", (("液化石油气", "60", "30"),), ALL, "储罐区"),
    ),
)


def _q(value: str) -> Decimal:
    return Decimal(value)


def _near(coordinate: float | None, rng: random.Random) -> Decimal | None:
    """A unit's coordinate: within about 100 m of its enterprise's point."""
    if coordinate is None:
        return None
    return (Decimal(str(coordinate)) + Decimal(rng.randint(-9, 9)) / 10000).quantize(Decimal("0.000001"))


def build(*, enterprises: Sequence[Enterprise], seed: int, today: dt.date) -> Counter[str]:
    """Units, lines and populations for the first hazardous-chemicals enterprises of the demo county."""
    rng = random.Random(seed + 18218)
    ids = [e.pk for e in enterprises]
    chemical = list(
        Enterprise.objects.filter(pk__in=ids, sectors__code="hazardous_chemicals")
        .distinct()
        .order_by("pk")[:MAX_ENTERPRISES]
    )
    if not Substance.objects.filter(shipped=True).exists():
        ship_substances()  # migration 0002_grading ships them; a flushed test database has lost them
    substances = {(s.name, s.variant): s for s in Substance.objects.filter(shipped=True)}
    counts: Counter[str] = Counter()
    for i, enterprise in enumerate(chemical):
        services.population_set(
            actor=ACTOR,
            enterprise=enterprise,
            people=POPULATIONS[i % len(POPULATIONS)],
            basis=BASES[i % len(BASES)],
            # counted before the build date, and never after the real today (the service refuses a future count)
            counted_on=min(today, timezone.localdate()) - dt.timedelta(days=rng.randint(30, 400)),
        )
        for plan in PLANS[i % len(PLANS)]:
            lat = _near(enterprise.lat, rng)
            lon = _near(enterprise.lon, rng)
            data = {
                "code": plan.code,
                "name": plan.name,
                "kind": plan.kind,
                "location": plan.location,
                "latitude": lat,
                "longitude": lon,
                **dict.fromkeys(plan.facilities, True),
            }
            if "esd_in_place" in plan.facilities:
                data["esd_note"] = "DCS联锁，紧急停车按钮设于控制室"
            lines = [
                services.LineIn(substances[(name, "")], _q(q), _q(stock), "") for name, q, stock in plan.lines
            ]
            unit = services.unit_create(actor=ACTOR, enterprise=enterprise, data=data, lines=lines)
            counts["units"] += 1
            counts["lines"] += len(lines)
            counts[f"grade_{unit.grade}" if unit.is_major else "not_major"] += 1
            counts["gaps"] += unit.requirement_gaps
    counts["enterprises"] = len(chemical)
    return counts


def _delete(qs: QuerySet[Any]) -> int:
    _total, per_model = qs.delete()
    return int(per_model.get(qs.model._meta.label, 0))


def reset(county_code: str) -> dict[str, int]:
    """Delete the county's gradings, substance lines, units and populations (before the enterprises)."""
    where = {"unit__enterprise__division__code__startswith": county_code}
    _delete(UnitGrading.objects.filter(**where))
    _delete(UnitSubstance.objects.filter(**where))
    counts = {
        "hazard_units": _delete(HazardUnit.objects.filter(enterprise__division__code__startswith=county_code))
    }
    _delete(SitePopulation.objects.filter(enterprise__division__code__startswith=county_code))
    return counts
