"""The demo county's monitoring points (监测点位) on its graded major hazard units, through the monitoring
services (each point created with its limits and audited).

Per unit, by kind and by its main substance: a tank farm gets 2–4 tanks (codes `T101-LT-01`), each with a
liquid level in m whose LL/L/H/HH follow the tank's height (5 %, 10 %, 85 %, 90 %), a temperature, and a
pressure for pressurised storage (LPG, liquid ammonia, liquid chlorine, vinyl chloride); a production unit
its reactor temperature and pressure (the process's operating window) and an oxygen analyser in the
analyser room; a warehouse its temperature. Every unit with a flammable substance gets combustible gas
detectors at 25/50 %LEL (GB/T 50493-2019 defaults), one with a toxic substance toxic gas detectors at 100 %/
200 % of the occupational exposure limit (GBZ 2.1 mg/m³ converted to ppm at 25 °C). Process limits carry a
version and the enterprise's process control limits document as source. Each unit's points sit in the
enterprise's risk point that fits it (`pick_risk_point`: same name, else a tank/warehouse/plant risk point,
preferring the unit's substance), so a shutdown of that risk point pauses their alarms. The first two enterprises' first
unit also gets a video channel and a personnel positioning zone (event sources). Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from safegrid.core.audit import SystemActor
from safegrid.majorhazards.models import HazardUnit
from safegrid.monitoring.models import LimitChange, MonitoringPoint
from safegrid.monitoring.services import events as event_services
from safegrid.monitoring.services import points as services
from safegrid.monitoring.services import risk_index as risk_index_services
from safegrid.risks.choices import RiskPointType
from safegrid.risks.models import RiskPoint

ACTOR = SystemActor("demo")


@dataclass(frozen=True)
class Substance:
    formula: str = ""  # for point codes
    flammable: bool = False
    oel_mg_m3: float | None = None  # GBZ 2.1-2019 MAC or PC-TWA
    molar_mass: float | None = None
    tank_height_m: float = 12.0
    pressure: tuple[float, float] | None = None  # storage pressure H/HH in MPa (pressurised storage)
    storage_temp: tuple[float, float] = (35.0, 40.0)  # H/HH in ℃


SUBSTANCES: dict[str, Substance] = {
    "液化石油气": Substance(
        "LPG", flammable=True, tank_height_m=7.1, pressure=(1.4, 1.6), storage_temp=(40.0, 45.0)
    ),
    "氨": Substance(
        "NH3", flammable=True, oel_mg_m3=20, molar_mass=17.03, tank_height_m=7.1, pressure=(1.6, 1.8)
    ),
    "氯": Substance("CL2", oel_mg_m3=1, molar_mass=70.9, tank_height_m=3.0, pressure=(1.0, 1.2)),
    "氯化氢": Substance("HCL", oel_mg_m3=7.5, molar_mass=36.46),
    "氢": Substance("H2", flammable=True),
    "甲醇": Substance("CH3OH", flammable=True, oel_mg_m3=25, molar_mass=32.04, tank_height_m=16.0),
    "苯": Substance("C6H6", flammable=True, oel_mg_m3=6, molar_mass=78.11, tank_height_m=14.0),
    "甲苯": Substance("C7H8", flammable=True, oel_mg_m3=50, molar_mass=92.14, tank_height_m=12.0),
    "电石": Substance("C2H2", flammable=True),  # acetylene from moisture
    "氯乙烯": Substance(
        "VCM", flammable=True, oel_mg_m3=10, molar_mass=62.5, tank_height_m=8.0, pressure=(0.6, 0.7)
    ),
    "丙酮": Substance("ACETONE", flammable=True, oel_mg_m3=300, molar_mass=58.08),
    "乙酸乙酯": Substance("ETAC", flammable=True, oel_mg_m3=200, molar_mass=88.11),
}
# Reactor operating windows by main substance: temperature (L, H, HH, rate ℃/min), pressure (L, H, HH) MPa.
REACTORS: dict[str, tuple[tuple[float, float, float, float], tuple[float, float, float]]] = {
    "甲醇": ((210.0, 275.0, 285.0, 5.0), (4.5, 8.0, 8.5)),
    "氨": ((380.0, 500.0, 520.0, 8.0), (12.0, 25.0, 27.0)),
    "氯化氢": ((120.0, 450.0, 500.0, 20.0), (0.02, 0.08, 0.1)),
    "氯乙烯": ((50.0, 62.0, 65.0, 1.0), (0.6, 1.2, 1.35)),
}
DEFAULT_REACTOR = ((20.0, 150.0, 180.0, 5.0), (0.1, 1.0, 1.2))


def oel_ppm(s: Substance) -> float | None:
    if s.oel_mg_m3 is None or s.molar_mass is None:
        return None
    return round(s.oel_mg_m3 * 24.45 / s.molar_mass, 2)


def _limits(version: str, source: str, ll: Any, l: Any, h: Any, hh: Any, **extra: Any) -> dict[str, Any]:  # noqa: E741
    return {"ll": ll, "l": l, "h": h, "hh": hh, "limits_version": version, "limits_source": source, **extra}


class _Unit:
    def __init__(self, unit: HazardUnit, index: int, rng: random.Random, year: int) -> None:
        self.unit, self.index, self.rng = unit, index, rng
        lines = list(unit.lines.select_related("substance").order_by("-design_quantity", "pk"))
        self.names = [line.substance.name for line in lines]
        self.main = SUBSTANCES.get(self.names[0], Substance()) if self.names else Substance()
        self.version = f"V{rng.randint(1, 4)}"
        self.source = f"{unit.name}工艺控制指标（{year - rng.randint(0, 2)}版）"
        self.points: list[dict[str, Any]] = []

    def add(self, code: str, name: str, kind: str, location: str, **values: Any) -> None:
        self.points.append(
            {"code": code, "name": name, "kind": kind, "unit": self.unit, "location": location, **values}
        )

    def tanks(self) -> None:
        n = self.rng.randint(2, 4)
        for k in range(1, n + 1):
            tank = f"T{self.index}{k:02d}"
            height = round(self.main.tank_height_m * self.rng.uniform(0.95, 1.05), 1)
            self.add(
                f"{tank}-LT-01",
                f"{tank}储罐液位",
                "level",
                f"{self.unit.name}{tank}",
                measure_unit="m",
                deadband=0.02,
                rate_limit=round(height * 0.02, 2),
                **_limits(self.version, self.source, round(height * 0.05, 2), round(height * 0.10, 2), round(height * 0.85, 2),
                          round(height * 0.90, 2)),
            )  # fmt: skip
            th, thh = self.main.storage_temp
            self.add(
                f"{tank}-TT-01",
                f"{tank}储罐温度",
                "temperature",
                f"{self.unit.name}{tank}",
                deadband=0.5,
                **_limits(self.version, self.source, None, None, th, thh),
            )
            if self.main.pressure is not None:
                ph, phh = self.main.pressure
                self.add(
                    f"{tank}-PT-01",
                    f"{tank}储罐压力",
                    "pressure",
                    f"{self.unit.name}{tank}",
                    deadband=0.01,
                    **_limits(self.version, self.source, None, 0.05, ph, phh),
                )

    def reactor(self) -> None:
        reactor = f"R{self.index}01"
        (tl, th, thh, rate), (pl, ph, phh) = REACTORS.get(
            self.names[0] if self.names else "", DEFAULT_REACTOR
        )
        where = f"{self.unit.name}{reactor}"
        self.add(f"{reactor}-TT-01", f"{reactor}反应温度", "temperature", where, deadband=1.0, rate_limit=rate,
                 **_limits(self.version, self.source, None, tl, th, thh))  # fmt: skip
        self.add(f"{reactor}-PT-01", f"{reactor}反应压力", "pressure", where, deadband=round(ph * 0.01, 3),
                 **_limits(self.version, self.source, None, pl, ph, phh))  # fmt: skip
        self.add(f"{self.unit.code}-AT-O2", "分析小屋氧含量", "oxygen", f"{self.unit.name}分析小屋")

    def warehouse(self) -> None:
        self.add(f"{self.unit.code}-TT-01", "库房温度", "temperature", self.unit.name, deadband=0.5,
                 **_limits(self.version, self.source, None, None, 30.0, 35.0))  # fmt: skip

    def detectors(self) -> None:
        flammable = any(SUBSTANCES.get(n, Substance()).flammable for n in self.names)
        if flammable:
            for k in range(1, self.rng.randint(2, 4) + 1):
                self.add(f"{self.unit.code}-GC-{k:02d}", f"可燃气体探测器{k}号", "gas_combustible",
                         f"{self.unit.name}{k}号检测点")  # fmt: skip
        for name in self.names:
            substance = SUBSTANCES.get(name, Substance())
            ppm = oel_ppm(substance)
            if ppm is None:
                continue
            for k in range(1, 3):
                self.add(f"{self.unit.code}-GT-{substance.formula}-{k}", f"{name}有毒气体探测器{k}号", "gas_toxic",
                         f"{self.unit.name}{k}号检测点", oel_ppm=ppm)  # fmt: skip


# The risk point (风险分析单元) a unit's sensors sit in, by the unit's kind: words of its name, best first.
RISK_POINT_WORDS: dict[str, tuple[str, ...]] = {
    "tank_farm": ("储罐", "罐区"),
    "warehouse": ("仓库", "库"),
}
PLANT_WORDS = ("反应", "装置", "精馏", "车间")


def pick_risk_point(unit_name: str, unit_kind: str, candidates: Sequence[tuple[int, str]]) -> int | None:
    """The enterprise's risk point that fits a major hazard unit: the same name; else one named by the
    words of the unit's kind, preferring one sharing a word (the substance) with the unit's name."""
    for pk, name in candidates:
        if name == unit_name:
            return pk
    words = RISK_POINT_WORDS.get(unit_kind, PLANT_WORDS)
    fitting = [(pk, name) for pk, name in candidates if any(w in name for w in words)]
    for pk, name in fitting:
        stem = name
        for w in (*words, "区"):
            stem = stem.replace(w, "")
        if len(stem) >= 2 and stem in unit_name:
            return pk
    return fitting[0][0] if fitting else None


def build(*, county_code: str, seed: int, year: int) -> Counter[str]:
    """Points for every graded major hazard unit of the county (not deregistered ones' points are active)."""
    rng = random.Random(seed + 6)
    units = list(
        HazardUnit.objects.filter(
            enterprise__division__code__startswith=county_code, is_major=True, grade__isnull=False
        )
        .select_related("enterprise")
        .order_by("enterprise_id", "code", "pk")
    )
    counts: Counter[str] = Counter()
    per_enterprise: Counter[int] = Counter()
    placed: dict[int, RiskPoint | None] = {}  # unit -> the risk point its points sit in
    risk_points: dict[int, list[RiskPoint]] = defaultdict(list)
    for rp in RiskPoint.objects.filter(
        enterprise_id__in={u.enterprise_id for u in units}, active=True, type=RiskPointType.FACILITY
    ).order_by("code", "pk"):
        risk_points[rp.enterprise_id].append(rp)
    for unit in units:
        per_enterprise[unit.enterprise_id] += 1
        plan = _Unit(unit, per_enterprise[unit.enterprise_id], rng, year)
        if unit.kind == "tank_farm":
            plan.tanks()
        elif unit.kind == "warehouse":
            plan.warehouse()
        else:
            plan.reactor()
        plan.detectors()
        candidates = {rp.pk: rp for rp in risk_points[unit.enterprise_id]}
        picked = pick_risk_point(unit.name, unit.kind, [(pk, rp.name) for pk, rp in candidates.items()])
        risk_point = candidates.get(picked) if picked is not None else None
        placed[unit.pk] = risk_point
        counts["units_with_risk_point"] += risk_point is not None
        for data in plan.points:
            data["risk_point"] = risk_point
            point = services.point_create(actor=ACTOR, enterprise=unit.enterprise, data=data)
            counts["points"] += 1
            counts[point.kind] += 1
        counts["units"] += 1
    counts["enterprises"] = len(per_enterprise)
    counts.update(_event_sources(units, placed))
    # The dynamic risk index from what the county now holds (the worker refreshes it every 5 minutes), so a
    # fresh demo's index page and map layer are not empty until the first run.
    counts["risk_index"] = risk_index_services.risk_index_recompute(actor=ACTOR).enterprises
    return counts


EVENT_SOURCE_ENTERPRISES = 2


def _event_sources(units: list[HazardUnit], placed: dict[int, RiskPoint | None]) -> Counter[str]:
    """A video channel and a positioning zone (rated headcount, longest stay, motionless threshold) on the
    first major hazard unit of the first enterprises, so `safegrid simulate` has events to send; they sit
    in the unit's risk point, as its sensors do."""
    counts: Counter[str] = Counter()
    seen: set[int] = set()
    for unit in units:
        if unit.enterprise_id in seen:
            continue
        seen.add(unit.enterprise_id)
        for data in (
            {"kind": "video", "code": f"{unit.code}-CAM-01", "name": f"{unit.name}1号视频通道"},
            {
                "kind": "zone",
                "code": f"{unit.code}-ZONE-01",
                "name": f"{unit.name}人员定位区域",
                "rated_headcount": 6,
                "max_stay_minutes": 30,
                "motionless_seconds": 120,
            },
        ):
            settings = {"limits_version": "V1", "limits_source": f"{unit.name}视频监控与人员定位设置"}
            event_services.event_source_create(
                actor=ACTOR,
                enterprise=unit.enterprise,
                data={
                    **data,
                    **settings,
                    "unit": unit,
                    "location": unit.name,
                    "risk_point": placed.get(unit.pk),
                },
            )
            counts["points"] += 1
            counts[str(data["kind"])] += 1
        if len(seen) >= EVENT_SOURCE_ENTERPRISES:
            break
    return counts


def _delete(qs: QuerySet[Any]) -> int:
    _total, per_model = qs.delete()
    return int(per_model.get(qs.model._meta.label, 0))


def reset(county_code: str) -> dict[str, int]:
    """Delete the county's limit changes and points (before the units and enterprises they point at)."""
    where = {"enterprise__division__code__startswith": county_code}
    _delete(LimitChange.objects.filter(point__enterprise__division__code__startswith=county_code))
    return {"monitoring_points": _delete(MonitoringPoint.objects.filter(**where))}
