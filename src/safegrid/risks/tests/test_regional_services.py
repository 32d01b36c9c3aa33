"""Regional risk services: the yearly proposal, the adjustment by county users, the command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.enterprises.models import Enterprise
from safegrid.risks.choices import RiskPointType
from safegrid.risks.models import RegionalRisk, RiskPoint, RiskSettings
from safegrid.risks.rules import regional as rr
from safegrid.risks.selectors import regional as regional_selectors
from safegrid.risks.services import points as services
from safegrid.risks.services import regional as regional_services
from safegrid.risks.tests.factories import make_factor
from safegrid.testworld import World

LS_FOR_LEVEL = {1: {"L": 5, "S": 5}, 2: {"L": 4, "S": 4}, 3: {"L": 3, "S": 3}, 4: {"L": 2, "S": 2}}
YEAR = 2026


def graded_point(enterprise: Enterprise, code: str, level: int, **data: Any) -> RiskPoint:
    point = services.risk_point_create(
        actor=SYSTEM,
        enterprise=enterprise,
        data={"code": code, "name": f"风险点{code}", "type": RiskPointType.FACILITY, **data},
    )
    factor = make_factor(point)
    services.assess(actor=SYSTEM, factor=factor, kind="initial", method="LS", inputs=LS_FOR_LEVEL[level])
    point.refresh_from_db()
    assert point.level == level
    return point


def rows(year: int = YEAR) -> dict[str, RegionalRisk]:
    return {r.division_id: r for r in RegionalRisk.objects.filter(year=year)}


@pytest.mark.django_db
def test_propose_colours_the_tiny_world(world: World) -> None:
    graded_point(world.ent_a, "RP-1", 1)
    graded_point(world.ent_a, "RP-2", 3)
    result = regional_services.regional_propose(actor=SYSTEM, year=YEAR)
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    found = rows()
    assert set(found) == {world.town_a.pk, world.village_a.pk, world.town_b.pk, world.village_b.pk}
    for code in (world.town_a.pk, world.village_a.pk):
        # one level-1 enterprise over the base floor of 5: index 0.2, over the orange threshold 0.18
        assert (found[code].proposed_level, found[code].level) == (2, 2)
        basis = found[code].proposal_basis
        assert (basis["rule"], basis["index"], basis["base"]) == ("index_orange", "0.2", 5)
        assert basis["enterprises"] == {"1": 1, "2": 0, "3": 0, "4": 0}
        assert found[code].method_version == "REGIONAL/2"
        assert found[code].next_review_on == rr.next_review(2, timezone.localdate())  # quarterly
    for code in (world.town_b.pk, world.village_b.pk):
        assert (found[code].proposed_level, found[code].level) == (4, 4)
        assert found[code].proposal_basis["rule"] == "no_data"
        assert found[code].proposal_basis["unassessed"] == 1
        assert found[code].next_review_on == rr.next_review(4, timezone.localdate())  # yearly
    assert AuditEntry.objects.filter(object_type="risks.regionalrisk", action="create").count() == 4


@pytest.mark.django_db
def test_propose_uses_the_county_configuration(world: World) -> None:
    graded_point(world.ent_a, "RP-1", 1)
    regional_services.regional_settings_save(
        actor=world.user("county_admin"), county_code=world.county.pk, data={"regional_min_base": 1}
    )
    regional_services.regional_propose(actor=SYSTEM, year=YEAR)
    town_a = rows()[world.town_a.pk]
    assert (town_a.level, town_a.proposal_basis["index"], town_a.proposal_basis["min_base"]) == (1, "1", 1)
    assert town_a.next_review_on == rr.next_review(1, timezone.localdate())  # red: quarterly


@pytest.mark.django_db
def test_a_registered_term_source_is_rolled_up_and_recorded(world: World) -> None:
    regional_services.register_term_source(
        rr.ExtraTerm.MAJOR_HAZARD_SOURCES, lambda: {world.ent_a.division_id: 2}
    )
    try:
        regional_services.regional_propose(actor=SYSTEM, year=YEAR)
    finally:
        regional_services.unregister_term_source(rr.ExtraTerm.MAJOR_HAZARD_SOURCES)
    found = rows()
    for code in (world.town_a.pk, world.village_a.pk):
        terms = found[code].proposal_basis["terms"]
        assert terms == {"major_hazard_sources": {"count": 2, "weight": "0"}, "accidents": None}
        assert found[code].level == 4  # weight 0 until the county configures one
    assert found[world.town_b.pk].proposal_basis["terms"]["major_hazard_sources"] == {
        "count": 0,
        "weight": "0",
    }


@pytest.mark.django_db
def test_propose_ignores_inactive_points_and_closed_enterprises(world: World) -> None:
    point = graded_point(world.ent_a, "RP-1", 1)
    graded_point(world.ent_b, "RP-B", 2)
    services.risk_point_deactivate(actor=SYSTEM, point=point)
    Enterprise.objects.filter(pk=world.ent_b.pk).update(status="closed")
    regional_services.regional_propose(actor=SYSTEM, year=YEAR)
    found = rows()
    assert found[world.town_a.pk].level == 4 and found[world.town_a.pk].proposal_basis["rule"] == "no_data"
    town_b = found[world.town_b.pk].proposal_basis
    assert (town_b["rule"], town_b["assessed"], town_b["unassessed"]) == (
        "no_data",
        0,
        0,
    )  # closed: not counted


@pytest.mark.django_db
def test_propose_reads_levels_in_one_query(world: World) -> None:
    graded_point(world.ent_a, "RP-1", 2)
    with CaptureQueriesContext(connection) as ctx:
        regional_selectors.enterprise_level_counts()
    assert len(ctx.captured_queries) == 1


@pytest.mark.django_db
def test_rerun_updates_proposals_but_keeps_a_decided_level(world: World) -> None:
    regional_services.regional_propose(actor=SYSTEM, year=YEAR)
    county_admin = world.user("county_admin")
    decided = regional_services.regional_adjust(
        actor=county_admin, regional_risk=rows()[world.town_b.pk], level=2, reason="辖区内有在建重点工程"
    )
    graded_point(world.ent_a, "RP-1", 1)  # index 1 / base floor 5 = 0.2: orange
    graded_point(world.ent_b, "RP-B", 3)  # 0.2 / 5 = 0.04: blue
    result = regional_services.regional_propose(actor=SYSTEM, year=YEAR)
    assert (result.created, result.updated, result.unchanged) == (0, 4, 0)
    found = rows()
    assert (found[world.town_a.pk].proposed_level, found[world.town_a.pk].level) == (2, 2)
    town_b = found[world.town_b.pk]
    assert (town_b.proposed_level, town_b.level, town_b.adjusted) == (4, 2, True)
    assert town_b.reason == "辖区内有在建重点工程" and town_b.decided_by == county_admin
    assert town_b.decided_at == decided.decided_at
    again = regional_services.regional_propose(actor=SYSTEM, year=YEAR)
    assert (again.updated, again.unchanged) == (0, 4)


@pytest.mark.django_db
def test_regional_settings_are_saved_audited_and_checked(world: World) -> None:
    admin = world.user("county_admin")
    data = {"regional_red": Decimal("0.6"), "regional_orange": Decimal("0.3")}
    saved = regional_services.regional_settings_save(actor=admin, county_code=world.county.pk, data=data)
    assert saved.regional_config().thresholds == (Decimal("0.6"), Decimal("0.3"), rr.DEFAULT_THRESHOLDS[2])
    entry = AuditEntry.objects.filter(object_type="risks.risksettings").latest("id")
    assert entry.actor == admin and entry.action == "create"
    regional_services.regional_settings_save(
        actor=admin, county_code=world.county.pk, data={"regional_yellow": Decimal("0.12")}
    )
    entry = AuditEntry.objects.filter(object_type="risks.risksettings").latest("id")
    assert entry.action == "update" and set(entry.after) == {"regional_yellow"}
    assert RiskSettings.objects.get(county=world.county).regional_yellow == Decimal("0.12")
    with pytest.raises(ValidationError) as exc:
        regional_services.regional_settings_save(
            actor=admin, county_code=world.county.pk, data={"regional_orange": Decimal("0.7")}
        )
    assert "regional_red" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        regional_services.regional_settings_save(
            actor=admin, county_code=world.county.pk, data={"regional_weight_large": Decimal("2")}
        )
    assert "regional_weight_major" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        regional_services.regional_settings_save(
            actor=admin, county_code=world.county.pk, data={"lec_major": Decimal("1000")}
        )
    assert "lec_major" in exc.value.message_dict
    with pytest.raises(ValidationError):
        regional_services.regional_settings_save(actor=admin, county_code=world.town_a.pk, data={})
    assert RiskSettings.objects.get(county=world.county).regional_orange == Decimal("0.3")


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["town_a", "grid_a", "dept_chem", "ent_a", "outsider"])
def test_only_the_county_admin_configures_regional_risk(world: World, username: str) -> None:
    with pytest.raises(PermissionDenied):
        regional_services.regional_settings_save(
            actor=world.user(username), county_code=world.county.pk, data={"regional_min_base": 1}
        )
    assert not RiskSettings.objects.exists()


@pytest.mark.django_db
def test_adjust_requires_a_reason(world: World) -> None:
    regional_services.regional_propose(actor=SYSTEM, year=YEAR)
    row = rows()[world.town_a.pk]
    with pytest.raises(ValidationError) as exc:
        regional_services.regional_adjust(
            actor=world.user("county_admin"), regional_risk=row, level=2, reason="  "
        )
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        regional_services.regional_adjust(
            actor=world.user("county_admin"), regional_risk=row, level=5, reason="x"
        )
    assert "level" in exc.value.message_dict
    row.refresh_from_db()
    assert (row.level, row.adjusted) == (4, False)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["town_a", "dept_chem", "ent_a", "grid_a", "outsider"])
def test_adjust_and_propose_need_a_county_role(world: World, username: str) -> None:
    regional_services.regional_propose(actor=SYSTEM, year=YEAR)
    row = rows()[world.town_a.pk]
    with pytest.raises(PermissionDenied):
        regional_services.regional_adjust(
            actor=world.user(username), regional_risk=row, level=1, reason="理由"
        )
    with pytest.raises(PermissionDenied):
        regional_services.regional_propose(actor=world.user(username), year=YEAR)


@pytest.mark.django_db
def test_adjust_is_stored_audited_and_sets_the_review(world: World) -> None:
    regional_services.regional_propose(actor=SYSTEM, year=YEAR)
    row = rows()[world.village_b.pk]
    user = world.user("county_admin")
    changed = regional_services.regional_adjust(
        actor=user, regional_risk=row, level="1", reason="发生较大事故"
    )
    assert (changed.level, changed.proposed_level, changed.adjusted) == (1, 4, True)
    assert changed.decided_by == user and changed.reason == "发生较大事故"
    today = timezone.localdate()
    assert changed.next_review_on == rr.add_months(today, 3)
    entry = AuditEntry.objects.filter(object_type="risks.regionalrisk", action="update").latest("id")
    assert entry.actor == user and entry.after["level"] == 1 and entry.before["level"] == 4
    assert entry.division_code == world.village_b.pk
    yellow = regional_services.regional_adjust(actor=user, regional_risk=changed, level=3, reason="整改完成")
    assert yellow.next_review_on == rr.add_months(today, 12)
    assert yellow.next_review_on - today >= dt.timedelta(days=365)


@pytest.mark.django_db
def test_command_runs_the_yearly_proposal(world: World) -> None:
    graded_point(world.ent_a, "RP-1", 1)
    out = StringIO()
    call_command("regional_risk", "propose", "--year", "2027", stdout=out)
    assert "新建 4" in out.getvalue() and "REGIONAL/2" in out.getvalue()
    assert rows(2027)[world.town_a.pk].level == 2
    entry = AuditEntry.objects.filter(object_type="risks.regionalrisk").latest("id")
    assert entry.actor_label == "system:regional_risk"
