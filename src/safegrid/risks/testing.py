"""The risks app's part of the test world (see safegrid.testworld): enterprise B's register and town B's row.

Enterprise B gets a risk point with a hazard factor, an assessment, a control measure, the control tiers,
a published post card, a filing of its register waiting for its legal representative's signature, a
written signing delegation (with its letter), and a previewed re-import of its register export waiting
for confirmation; town B gets a regional-risk row with a decided level. Everything goes through the
services, so it is audited and scoped like real data.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safegrid.core.choices import Role
from safegrid.core.testing import SYSTEM, Leaks, make_user
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.models import ImportJob, OrgUnit, Person
from safegrid.risks.models import RegionalRisk

from .choices import ControlTier
from .documents.points_excel import export
from .models import CardKind
from .services import cards as card_services
from .services import delegation as delegation_services
from .services import filing as filing_services
from .services import points as services
from .services import regional as regional_services
from .services import register_import

if TYPE_CHECKING:
    from safegrid.testworld import World

POINT_NAME = "乙脚手架搭设作业区（测试标记）"
FACTOR_TEXT = "乙外架作业人员高处坠落（测试标记）"
MEASURE_TEXT = "乙外架安全带挂点每日检查（测试标记）"
CARD_TEXT = "乙架子工上架前系挂安全带（测试标记）"
REGIONAL_REASON = "乙镇街在建工程集中（测试标记）"
DELEGATION_NOTE = "乙法定代表人出差期间委托签署（测试标记）"
REGIONAL_YEAR = 2026
UPLOAD_NAME = "乙风险清单重新导入（测试标记）.xlsx"


def _previewed_upload(world: World) -> ImportJob:
    """Enterprise B's own re-import of its register export, previewed and waiting for confirmation."""
    content = export.build_export(world.user("ent_b"), world.ent_b)
    upload = register_import.register_import_start(
        actor=world.user("ent_b"), enterprise=world.ent_b, file_name=UPLOAD_NAME, content=content
    )
    register_import.register_preview_run(_Silent(), upload.pk)
    upload.refresh_from_db()
    return upload


class _Silent:
    def progress(self, done: int, total: int, message: str = "") -> None:
        return None


def extend_world(world: World) -> Leaks:
    ent_b = world.ent_b
    company = OrgUnit.objects.get(enterprise=ent_b, parent__isnull=True)
    units = {}
    unit = company
    for kind, name in (("workshop", "乙车间"), ("team", "乙班"), ("post", "架子工岗")):
        unit = ent_services.org_unit_create(
            actor=SYSTEM, enterprise=ent_b, parent=unit, data={"kind": kind, "name": name}
        )
        units[kind] = unit
    point = services.risk_point_create(
        actor=SYSTEM,
        enterprise=ent_b,
        data={"code": "RP-B1", "name": POINT_NAME, "type": "activity", "org_unit": units["workshop"]},
    )
    factor = services.hazard_factor_add(
        actor=SYSTEM,
        point=point,
        data={"method": "JHA", "step_no": 1, "description": FACTOR_TEXT, "category": "things"},
    )
    assessment = services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LS", inputs={"L": 3, "S": 4}
    )
    measure = services.measure_add(
        actor=SYSTEM,
        point=point,
        data={
            "kind": "institutional",
            "classify1": 3,
            "classify2": "3-1",
            "description": MEASURE_TEXT,
            "check_content": "特种作业证",
            "check_cycle": 1,
            "check_cycle_unit": "天",
            "responsible_post": units["post"],
            "hazard_factor": factor,
        },
    )
    worker = Person.objects.get(enterprise=ent_b)
    # on the post, so they may hold its workshop, team and post tiers (rules/tiers.py)
    worker = ent_services.person_update(actor=SYSTEM, person=worker, data={"org_unit": units["post"]})
    tiers = []
    for tier in ("workshop", "team", "post"):
        tiers.append(
            services.tier_assign(actor=SYSTEM, point=point, tier=tier, person=worker, org_unit=units[tier])
        )
    point.refresh_from_db()
    card = card_services.card_save(
        actor=SYSTEM, point=point, kind=CardKind.POST, data={"key_points": CARD_TEXT}
    )
    card_services.card_publish(actor=SYSTEM, point=point, kind=CardKind.POST)
    legal_b = make_user("legal_b", {"role": Role.LEGAL_REP, "enterprise": ent_b}, display_name="李乙")
    filing = filing_services.filing_compile(actor=world.user("ent_b"), enterprise=ent_b)
    filing = filing_services.filing_submit(actor=world.user("ent_b"), filing=filing)  # waits for 李乙
    today = timezone.localdate()
    delegation = delegation_services.delegation_create(
        actor=legal_b,
        enterprise=ent_b,
        delegate=world.user("ent_b"),
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
        document=SimpleUploadedFile("委托书.pdf", b"%PDF-1.4\n" + DELEGATION_NOTE.encode()),
        note=DELEGATION_NOTE,
    )
    regional_services.regional_propose(actor=SYSTEM, year=REGIONAL_YEAR)
    row = RegionalRisk.objects.get(year=REGIONAL_YEAR, division=world.town_b)
    regional_services.regional_adjust(
        actor=world.user("county_admin"), regional_risk=row, level=2, reason=REGIONAL_REASON
    )
    upload = _previewed_upload(world)
    # The upload is private to its uploader (even the county sees it not), so its id is walked but its
    # file name is no marker the walk could find; its preview rows carry the point's and factor's.
    leaks = Leaks(
        markers=[POINT_NAME, FACTOR_TEXT, MEASURE_TEXT, CARD_TEXT, DELEGATION_NOTE],
        area_markers=[REGIONAL_REASON],
    )
    for name, value in (
        ("point_id", point.pk),
        ("factor_id", factor.pk),
        ("assessment_id", assessment.pk),
        ("measure_id", measure.pk),
        ("card_id", card.pk),
        ("filing_id", filing.pk),
        ("delegation_id", delegation.pk),
        ("pk", delegation.pk),
        ("regional_id", row.pk),
        ("pk", point.pk),
        ("pk", filing.pk),
        ("pk", row.pk),
        ("pk", upload.pk),
    ):
        leaks.add_ids(name, value)
    leaks.add_ids("assignment_id", *(t.pk for t in tiers))
    # The words of `<str:…>` path parameters, so the walk reaches every real tier and card kind.
    leaks.add_ids("tier", *ControlTier.values)
    leaks.add_ids("kind", *CardKind.values)
    return leaks
