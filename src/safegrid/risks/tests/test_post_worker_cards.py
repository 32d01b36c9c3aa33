"""Post workers and their cards: a worker reaches the points where their post works, though the points
hang off the workshop (control tier, measure's responsible post, the card's post), confirms them, and
sees on "my cards" which are still to confirm. Nothing else of the enterprise opens up."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safegrid.core.choices import Role
from safegrid.core.testing import SYSTEM, make_user
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import OrgUnit
from safegrid.risks.choices import ControlTier
from safegrid.risks.models import CardKind, HazardFactor, RiskPoint
from safegrid.risks.selectors import cards as card_selectors
from safegrid.risks.selectors import points as selectors
from safegrid.risks.services import cards as card_services
from safegrid.risks.services import points as services
from safegrid.testworld import World

from .factories import make_factor, make_measure, make_point, workshop_a

pytestmark = pytest.mark.django_db


def _workshop_point(world: World, code: str, name: str) -> RiskPoint:
    """A point on the workshop (as the demo registers are), assessed, with no link to any post yet."""
    point = make_point(world, code, name=name, org_unit=workshop_a(world))
    factor = make_factor(point, description=f"{name}危险源")
    services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 3, "E": 6, "C": 15}
    )
    return RiskPoint.objects.get(pk=point.pk)


def _other_post(world: World) -> OrgUnit:
    team = OrgUnit.objects.get(enterprise=world.ent_a, kind=OrgUnitKind.TEAM)
    return ent_services.org_unit_create(
        actor=SYSTEM, enterprise=world.ent_a, parent=team, data={"kind": OrgUnitKind.POST, "name": "投料岗"}
    )


@pytest.fixture
def points(world: World) -> dict[str, RiskPoint]:
    by_tier = _workshop_point(world, "RP-T", "氯乙烯合成反应釜")
    services.tier_assign(
        actor=SYSTEM, point=by_tier, tier=ControlTier.POST, org_unit=world.post_a, person=world.person_a
    )
    by_card = _workshop_point(world, "RP-C", "液氯钢瓶库")
    card_services.card_save(actor=SYSTEM, point=by_card, kind=CardKind.POST, data={"post": world.post_a})
    by_measure = _workshop_point(world, "RP-M", "导热油炉")
    make_measure(world, by_measure)  # responsible post: post_a
    other = _other_post(world)
    elsewhere = _workshop_point(world, "RP-X", "危废暂存间")
    worker = ent_services.person_create(
        actor=SYSTEM, enterprise=world.ent_a, data={"name": "李投料", "org_unit": other}
    )
    services.tier_assign(actor=SYSTEM, point=elsewhere, tier=ControlTier.POST, org_unit=other, person=worker)
    return {"tier": by_tier, "card": by_card, "measure": by_measure, "elsewhere": elsewhere}


@pytest.mark.parametrize("link", ["tier", "card", "measure"])
def test_post_worker_reaches_a_workshop_point_linked_to_their_post(
    world: World, login: Any, points: dict[str, RiskPoint], link: str
) -> None:
    point = points[link]
    client = login(world.user("post_a"))
    response = client.get(reverse("risks:card_by_qr", kwargs={"token": point.qr_token}))
    assert response.status_code == 200
    assert "我已阅读并知晓" in response.content.decode()
    assert client.post(reverse("risks:card_confirm", kwargs={"token": point.qr_token})).status_code == 302
    assert card_selectors.latest_confirmation(world.user("post_a"), point, CardKind.POST) is not None


def test_points_of_other_posts_stay_out_of_reach(
    world: World, login: Any, points: dict[str, RiskPoint]
) -> None:
    """Not "open everything": the point of another post of the same workshop answers 404."""
    client = login(world.user("post_a"))
    elsewhere = points["elsewhere"]
    assert client.get(reverse("risks:card_by_qr", kwargs={"token": elsewhere.qr_token})).status_code == 404
    assert client.get(reverse("risks:point_detail", args=[elsewhere.pk])).status_code == 404
    visible = set(selectors.risk_point_list(world.user("post_a")).values_list("code", flat=True))
    assert visible == {"RP-T", "RP-C", "RP-M"}
    # The rows hanging off a point follow it, each listed once however many links it has.
    services.tier_assign(
        actor=SYSTEM,
        point=points["tier"],
        tier=ControlTier.TEAM,
        org_unit=world.post_a.parent,
        person=world.person_a,
    )
    factors = selectors.hazard_factor_list(world.user("post_a")).values_list("risk_point__code", flat=True)
    assert sorted(factors) == ["RP-C", "RP-M", "RP-T"]


def test_a_team_leader_reaches_the_points_of_the_posts_below(
    world: World, points: dict[str, RiskPoint]
) -> None:
    leader = make_user(
        "team_a", {"role": Role.UNIT_USER, "enterprise": world.ent_a, "org_unit": world.post_a.parent}
    )
    visible = set(selectors.risk_point_list(leader).values_list("code", flat=True))
    assert visible == {"RP-T", "RP-C", "RP-M", "RP-X"}


def test_my_cards_lists_what_is_left_to_confirm_first(
    world: World, login: Any, points: dict[str, RiskPoint]
) -> None:
    worker = world.user("post_a")
    card_services.card_confirm(actor=worker, point=points["tier"])
    card_services.card_confirm(actor=worker, point=points["card"])
    card_services.card_publish(actor=SYSTEM, point=points["card"], kind=CardKind.POST)  # changed since read
    rows = card_selectors.my_cards(worker)
    assert [(r.point.code, r.state) for r in rows] == [("RP-M", "todo"), ("RP-C", "again"), ("RP-T", "done")]

    response = login(worker).get(reverse("risks:my_cards"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "还有 2 张卡片待确认" in body
    assert body.index("导热油炉") < body.index("液氯钢瓶库") < body.index("氯乙烯合成反应釜")
    assert "卡片已更新，需重新确认" in body and "危废暂存间" not in body
    assert reverse("risks:card_by_qr", kwargs={"token": points["measure"].qr_token}) in body


def test_my_cards_counts_the_emergency_card_too(world: World, points: dict[str, RiskPoint]) -> None:
    worker = world.user("post_a")
    point = points["tier"]
    card_services.card_confirm(actor=worker, point=point)
    card_services.card_save(
        actor=SYSTEM, point=point, kind=CardKind.EMERGENCY, data={"steps": ["关闭进料阀", "撤离"]}
    )
    row = next(r for r in card_selectors.my_cards(worker) if r.point.pk == point.pk)
    assert row.state == "again"  # read the post card, not yet the new emergency card
    card_services.card_confirm(actor=worker, point=point, kind=CardKind.EMERGENCY)
    row = next(r for r in card_selectors.my_cards(worker) if r.point.pk == point.pk)
    assert row.state == "done"


def test_my_cards_reads_in_a_fixed_number_of_queries(world: World, points: dict[str, RiskPoint]) -> None:
    worker = world.user("post_a")
    card_selectors.my_cards(worker)  # warm the scope cache on the user
    with CaptureQueriesContext(connection) as few:
        card_selectors.my_cards(worker)
    for code in ("RP-T2", "RP-T3"):
        extra = _workshop_point(world, code, f"反应釜{code}")
        services.tier_assign(
            actor=SYSTEM, point=extra, tier=ControlTier.POST, org_unit=world.post_a, person=world.person_a
        )
    with CaptureQueriesContext(connection) as more:
        rows = card_selectors.my_cards(worker)
    assert len(rows) == 5 and len(more) == len(few)


def test_a_person_holding_a_tier_finds_that_card_among_theirs(
    world: World, points: dict[str, RiskPoint]
) -> None:
    """A safety manager recorded as the person of a tier (no post role) sees that point under my cards."""
    manager = world.user("ent_a")
    assert card_selectors.my_cards(manager) == []
    person = ent_services.person_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        data={"name": "安全员甲", "user": manager, "org_unit": workshop_a(world)},  # on the point's line
    )
    services.tier_assign(
        actor=SYSTEM,
        point=points["elsewhere"],
        tier=ControlTier.WORKSHOP,
        org_unit=workshop_a(world),
        person=person,
    )
    # The person now works in the workshop (the tier rule wants the holder on the point's line), so the
    # workshop's points are theirs too; the tier they hold brings RP-X.
    assert "RP-X" in [r.point.code for r in card_selectors.my_cards(manager)]


def test_post_worker_home_starts_with_my_cards(
    world: World, login: Any, points: dict[str, RiskPoint]
) -> None:
    """A post worker stays on `/`: its to-do list starts with the cards they have not confirmed yet."""
    response = login(world.user("post_a")).get("/")
    assert response.status_code == 200
    mine = {str(t.label): t for t in response.context["todos"]}["我的告知卡待确认"]
    assert mine.url == reverse("risks:my_cards") + "?show=todo"
    assert mine.count == len(card_selectors.my_cards(world.user("post_a")))


def test_grid_worker_is_told_the_card_is_read_only(
    world: World, login: Any, points: dict[str, RiskPoint]
) -> None:
    point = points["tier"]
    body = login(world.user("grid_a")).get(reverse("risks:card_by_qr", kwargs={"token": point.qr_token}))
    text = body.content.decode()
    assert "只读查看（网格员）" in text and "我已阅读并知晓" not in text
    page = login(world.user("grid_a")).get(reverse("risks:my_cards")).content.decode()
    assert "告知卡由企业岗位人员阅读确认" in page


def test_unlinked_factor_rows_stay_hidden(world: World, points: dict[str, RiskPoint]) -> None:
    hidden = HazardFactor.objects.get(risk_point=points["elsewhere"])
    with pytest.raises(Http404):
        selectors.hazard_factor_get(world.user("post_a"), hidden.pk)
