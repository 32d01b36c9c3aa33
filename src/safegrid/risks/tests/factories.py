"""Small builders for risk tests, written through the services (so they are audited like real data)."""

from __future__ import annotations

from typing import Any

from safegrid.core.choices import Role
from safegrid.core.models import User
from safegrid.core.testing import PASSWORD, SYSTEM, make_user
from safegrid.enterprises.models import OrgUnit
from safegrid.risks.choices import (
    Classify1,
    HazardCategory,
    IdentificationMethod,
    MeasureKind,
    RiskPointType,
)
from safegrid.risks.models import ControlMeasure, HazardFactor, RiskPoint, RiskRegisterFiling
from safegrid.risks.services import points as services
from safegrid.testworld import World


def workshop_a(world: World) -> OrgUnit:
    return OrgUnit.objects.get(enterprise=world.ent_a, name="合成车间")


def make_point(world: World, code: str = "RP-001", **data: Any) -> RiskPoint:
    values: dict[str, Any] = {
        "code": code,
        "name": "氯乙烯合成反应釜",
        "type": RiskPointType.FACILITY,
        "org_unit": workshop_a(world),
        "location": "合成车间一楼",
    }
    values.update(data)
    return services.risk_point_create(actor=SYSTEM, enterprise=world.ent_a, data=values)


def make_factor(point: RiskPoint, **data: Any) -> HazardFactor:
    values: dict[str, Any] = {
        "method": IdentificationMethod.SCL,
        "description": "反应釜超温超压",
        "category": HazardCategory.THINGS,
        "accident_types": ["17", "08"],
        "consequences": "容器爆炸、火灾",
        "existing_controls": "温度压力联锁",
    }
    values.update(data)
    return services.hazard_factor_add(actor=SYSTEM, point=point, data=values)


def make_measure(world: World, point: RiskPoint, **data: Any) -> ControlMeasure:
    values: dict[str, Any] = {
        "kind": MeasureKind.AUTOMATION,
        "classify1": Classify1.ENGINEERING,
        "classify2": "1-4",
        "description": "反应釜温度、压力高高联锁切断进料",
        "check_content": "联锁投用状态、仪表示值是否正常",
        "check_cycle": 2,
        "check_cycle_unit": "小时",
        "responsible_post": world.post_a,
    }
    values.update(data)
    return services.measure_add(actor=SYSTEM, point=point, data=values)


def render_books() -> int:
    """Run the queued book-rendering jobs through the job runner, as a worker would; returns how many ran."""
    from safegrid.jobs import runner
    from safegrid.jobs.models import Job

    queued = Job.objects.filter(kind="risks.render_filing_book", status="queued").order_by("id")
    uuids = [str(u) for u in queued.values_list("uuid", flat=True)]
    for uuid in uuids:
        runner.execute(uuid)
    return len(uuids)


def legal_rep(world: World) -> User:
    """ent_a's legal representative's own account (张甲, as the enterprise registers them)."""
    found = User.objects.filter(username="legal_a").first()
    return found or make_user(
        "legal_a", {"role": Role.LEGAL_REP, "enterprise": world.ent_a}, display_name="张甲"
    )


def submitted(world: World) -> RiskRegisterFiling:
    """ent_a's register compiled and submitted for signature by the safety manager (ent_a)."""
    from safegrid.risks.services import filing as filing_services

    legal_rep(world)
    compiler = world.user("ent_a")
    filing = filing_services.filing_compile(actor=compiler, enterprise=world.ent_a)
    return filing_services.filing_submit(actor=compiler, filing=filing)


def filed(world: World) -> RiskRegisterFiling:
    """ent_a's register compiled, submitted, signed by the legal representative (which files it)."""
    from safegrid.risks.services import filing as filing_services

    return filing_services.filing_sign(actor=legal_rep(world), filing=submitted(world), password=PASSWORD)
