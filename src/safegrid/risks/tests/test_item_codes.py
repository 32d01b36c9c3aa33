"""Stable codes of hazard factors and control measures, and retired (inactive) items left out of the
current register: level, lists, cards, book snapshot, API — and the migration's backfill."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safegrid.core.services import object_update
from safegrid.core.testing import SYSTEM
from safegrid.risks.choices import AssessmentKind, IdentificationMethod
from safegrid.risks.models import ControlMeasure, HazardFactor, ResponsibilityAssignment
from safegrid.risks.selectors import cards as card_selectors
from safegrid.risks.selectors import points as selectors
from safegrid.risks.services import filing
from safegrid.risks.services import points as services
from safegrid.testworld import World

from .factories import make_factor, make_measure, make_point

pytestmark = pytest.mark.django_db


def test_factors_and_measures_are_numbered_within_their_point(world: World) -> None:
    point = make_point(world)
    other = make_point(world, "RP-002")
    assert [make_factor(point, description=f"危险{n}").code for n in range(3)] == ["H01", "H02", "H03"]
    assert make_factor(other).code == "H01"
    assert make_measure(world, point).code == "M01"
    assert make_factor(point, code="WX-9", description="自编").code == "WX-9"
    with pytest.raises(ValidationError) as refused:
        make_factor(point, code="H02", description="重号")
    assert "已有这个编号" in refused.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as refused:
        make_measure(world, point, code="M 1")
    assert "code" in refused.value.message_dict


def test_a_retired_code_is_not_given_again(world: World) -> None:
    point = make_point(world)
    first = make_factor(point)
    object_update(actor=SYSTEM, obj=first, data={"active": False})
    assert make_factor(point, description="新的").code == "H02"


def _retire(obj: Any) -> None:
    object_update(actor=SYSTEM, obj=obj, data={"active": False})


def test_retired_items_leave_the_current_register(world: World, login: Any) -> None:
    point = make_point(world)
    major = make_factor(point, description="泄漏爆炸")
    minor = make_factor(point, description="高处坠落")
    services.assess(
        actor=SYSTEM,
        factor=major,
        kind=AssessmentKind.INITIAL,
        method="LEC",
        inputs={"L": 6, "E": 6, "C": 15},
    )
    services.assess(
        actor=SYSTEM, factor=minor, kind=AssessmentKind.INITIAL, method="LEC", inputs={"L": 3, "E": 6, "C": 7}
    )
    kept = make_measure(world, point, hazard_factor=minor, description="安全带")
    gone = make_measure(world, point, hazard_factor=major, description="联锁切断")
    tier = services.tier_assign(actor=SYSTEM, point=point, tier="post", person=world.person_a)
    point.refresh_from_db()
    assert point.level == 1

    _retire(major)
    _retire(gone)
    _retire(tier)
    services.risk_point_recompute_level(actor=SYSTEM, point=point)
    point.refresh_from_db()
    assert point.level == 3  # the retired factor no longer grades the point (LEC 3 × 6 × 7 = 126)

    detail = selectors.risk_point_detail(world.user("ent_a"), point.pk)
    assert [v.factor.pk for v in selectors.factor_views(detail)] == [minor.pk]
    assert [m.pk for m in detail.measures.all()] == [kept.pk]
    assert list(detail.tiers.all()) == [] and "post" in services.missing_tiers(detail)
    card = card_selectors.build_content(detail, None, "post")
    assert [h.description for h in card.hazards] == ["高处坠落"] and card.measures == ["安全带"]
    snapshot = filing.build_snapshot(world.ent_a, [detail], 1)
    assert [f["description"] for f in snapshot["points"][0]["factors"]] == ["高处坠落"]
    assert [m["description"] for m in snapshot["points"][0]["measures"]] == ["安全带"]

    client = login(world.user("ent_a"))
    html = client.get(reverse("risks:point_detail", args=[point.pk])).content.decode()
    assert 'data-testid="retired-items"' in html and "H01" in html and "联锁切断" in html
    rows = client.get(reverse("risks:point_list"), {"missing": "yes"}).content.decode()
    assert point.name in rows  # the retired post tier no longer counts as held
    # The measure form offers only factors in use.
    form = client.get(reverse("risks:measure_create", args=[point.pk])).content.decode()
    assert "高处坠落" in form and "泄漏爆炸" not in form


def test_assigning_a_retired_tier_revives_the_same_row(world: World) -> None:
    point = make_point(world)
    tier = services.tier_assign(actor=SYSTEM, point=point, tier="post", person=world.person_a)
    _retire(tier)
    again = services.tier_assign(actor=SYSTEM, point=point, tier="post", person=world.person_a)
    assert again.pk == tier.pk and again.active


def test_a_retired_jha_step_does_not_count_towards_ten(world: World) -> None:
    point = make_point(world, type="activity")
    steps = [
        make_factor(point, method=IdentificationMethod.JHA, step_no=n, description=f"步骤{n}")
        for n in range(1, 11)
    ]
    _retire(steps[-1])
    make_factor(point, method=IdentificationMethod.JHA, step_no=10, description="新的第十步")


def test_migration_backfill_numbers_each_point_in_register_order(world: World) -> None:
    migration = importlib.import_module("safegrid.risks.migrations.0010_item_codes_and_retired_flags")
    point = make_point(world, type="activity")
    second = make_point(world, "RP-002")
    jha = [
        make_factor(point, method=IdentificationMethod.JHA, step_no=n, description=f"步骤{n}") for n in (2, 1)
    ]
    scl = [make_factor(second, description=f"检查{n}") for n in range(3)]
    measures = [make_measure(world, second, description=f"措施{n}") for n in range(2)]
    for model in (HazardFactor, ControlMeasure):  # as before the migration: no codes yet
        for obj in model.objects.all():
            model.objects.filter(pk=obj.pk).update(code=f"x{obj.pk}")
    migration._number(HazardFactor, "H", ("step_no", "id"))
    migration._number(ControlMeasure, "M", ("id",))
    codes = dict(HazardFactor.objects.values_list("pk", "code"))
    assert [codes[f.pk] for f in jha] == ["H02", "H01"]  # by step: step 1 is H01
    assert [codes[f.pk] for f in scl] == ["H01", "H02", "H03"]
    assert [ControlMeasure.objects.get(pk=m.pk).code for m in measures] == ["M01", "M02"]
    assert ResponsibilityAssignment.objects.filter(active=False).count() == 0


def test_a_retired_tier_no_longer_puts_the_card_on_the_post_s_list(world: World) -> None:
    from safegrid.risks.selectors.cards import my_points

    point = make_point(world)  # hangs off the workshop; the post reaches it through its tier
    tier = services.tier_assign(
        actor=SYSTEM, point=point, tier="post", person=world.person_a, org_unit=world.post_a
    )
    assert point in my_points(world.user("post_a"))
    _retire(tier)
    assert point not in my_points(world.user("post_a"))
