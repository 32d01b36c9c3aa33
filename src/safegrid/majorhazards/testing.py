"""The majorhazards app's part of the test world (see safegrid.testworld): one function per area.

sources (`_sources`): enterprise B's resident population and a graded tank farm with a substance line,
written by B's safety manager through the services (so the gradings and audit rows exist); the scope walk
checks none of it reaches a user of town A or the chemicals regulator (B is a construction firm).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from safegrid.core.testing import Leaks

from .models import Substance, UnitSubstance
from .models.sources import ship_substances
from .services import sources as source_services

if TYPE_CHECKING:
    from safegrid.testworld import World

UNIT_NAME = "乙液氨罐区（测试标记）"
UNIT_CODE = "B-MH-7c41"
LINE_NOTE = "乙液氨储罐2×50立方米（测试标记）"
POPULATION_BASIS = "乙村委会户籍登记（测试标记）"


def ship_reference_data() -> None:
    """Load again what migration 0002_grading ships (the GB 18218 substances): a transactional test (live
    server) empties every table when it ends, shipped rows included. Idempotent."""
    ship_substances()


def _sources(world: World) -> Leaks:
    ship_reference_data()
    actor = world.user("ent_b")
    source_services.population_set(
        actor=actor, enterprise=world.ent_b, people=60, basis=POPULATION_BASIS, counted_on=dt.date(2026, 1, 5)
    )
    ammonia = Substance.objects.get(name="氨", variant="")
    unit = source_services.unit_create(
        actor=actor,
        enterprise=world.ent_b,
        data={"code": UNIT_CODE, "name": UNIT_NAME, "kind": "tank_farm", "location": "乙厂区东侧"},
        lines=[source_services.LineIn(ammonia, Decimal("60"), Decimal("22.5"), LINE_NOTE)],
    )
    line = UnitSubstance.objects.get(unit=unit)
    leaks = Leaks(markers=[UNIT_NAME, UNIT_CODE, LINE_NOTE, POPULATION_BASIS])
    leaks.add_ids("hazard_unit_id", unit.pk)
    leaks.add_ids("pk", unit.pk, line.pk, *unit.gradings.values_list("pk", flat=True))
    return leaks


def extend_world(world: World) -> Leaks:
    leaks = Leaks()
    for part in (_sources(world),):
        leaks.markers.extend(part.markers)
        leaks.area_markers.extend(part.area_markers)
        for name, values in part.ids.items():
            leaks.add_ids(name, *values)
    return leaks
