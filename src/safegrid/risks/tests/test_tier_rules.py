"""The tier consistency rule (rules/tiers.py) by table, and the service that applies it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from safegrid.core.testing import SYSTEM
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import OrgUnit
from safegrid.risks.choices import ControlTier
from safegrid.risks.rules.tiers import Unit, check_tier
from safegrid.risks.services import points as services

from .factories import make_point, workshop_a

# company 1 ─┬─ 合成车间 2 ─┬─ 甲班 3 ─┬─ 反应釜操作岗 4
#            │              │          └─ 进料岗 5
#            │              └─ 乙班 6 ─── 反应釜操作岗 7
#            └─ 聚合车间 8 ─── 乙班 9 ─── 反应釜操作岗 10
COMPANY = Unit(1, "company", "甲化工", "00000001/")
SYNTH = Unit(2, "workshop", "合成车间", "00000001/00000002/")
SYNTH_A = Unit(3, "team", "甲班", "00000001/00000002/00000003/")
SYNTH_A_REACTOR = Unit(4, "post", "反应釜操作岗", "00000001/00000002/00000003/00000004/")
SYNTH_A_FEED = Unit(5, "post", "进料岗", "00000001/00000002/00000003/00000005/")
SYNTH_B = Unit(6, "team", "乙班", "00000001/00000002/00000006/")
SYNTH_B_REACTOR = Unit(7, "post", "反应釜操作岗", "00000001/00000002/00000006/00000007/")
POLY = Unit(8, "workshop", "聚合车间", "00000001/00000008/")
POLY_B = Unit(9, "team", "乙班", "00000001/00000008/00000009/")
POLY_B_REACTOR = Unit(10, "post", "反应釜操作岗", "00000001/00000008/00000009/00000010/")
UNITS = {u.pk: u for u in (COMPANY, SYNTH, SYNTH_A, SYNTH_A_REACTOR, SYNTH_A_FEED, SYNTH_B, SYNTH_B_REACTOR,
                           POLY, POLY_B, POLY_B_REACTOR)}  # fmt: skip


def line(unit: Unit | None) -> list[Unit]:
    """A unit and its ancestors, as the service reads them from the path."""
    if unit is None:
        return []
    return [UNITS[int(part)] for part in unit.path.split("/") if part]


OK = None


@pytest.mark.parametrize(
    ("tier", "point", "unit", "person", "field", "words"),
    [
        # the tier's unit on the point's line, the person inside it
        ("workshop", SYNTH, SYNTH, SYNTH, OK, ""),
        ("workshop", SYNTH_A_REACTOR, SYNTH, SYNTH_A_REACTOR, OK, ""),  # a technician on a post of it
        ("team", SYNTH, SYNTH_A, SYNTH_A, OK, ""),
        ("team", SYNTH_A_REACTOR, SYNTH_A, SYNTH_A_FEED, OK, ""),  # the team leader sits on another post
        ("post", SYNTH, SYNTH_A_REACTOR, SYNTH_A_REACTOR, OK, ""),
        ("post", SYNTH_A_REACTOR, SYNTH_A_REACTOR, SYNTH_A_REACTOR, OK, ""),
        ("company", SYNTH_A_REACTOR, COMPANY, SYNTH_B, OK, ""),  # anyone of the enterprise
        ("company", SYNTH, COMPANY, None, OK, ""),
        ("workshop", None, POLY, POLY_B_REACTOR, OK, ""),  # a point not placed: kinds only
        # a workshop tier accepted on another workshop (found in use)
        (
            "workshop",
            SYNTH,
            POLY,
            POLY,
            "org_unit",
            "「聚合车间」与风险点所属的「合成车间」不在同一条管理线上",
        ),
        ("workshop", SYNTH_A_REACTOR, POLY, POLY, "org_unit", "不在同一条管理线上"),
        ("team", SYNTH_A_REACTOR, SYNTH_B, SYNTH_B, "org_unit", "「乙班」与风险点所属的「反应釜操作岗」"),
        ("post", SYNTH_A_REACTOR, SYNTH_B_REACTOR, SYNTH_B_REACTOR, "org_unit", "不在同一条管理线上"),
        ("post", SYNTH, POLY_B_REACTOR, POLY_B_REACTOR, "org_unit", "不在同一条管理线上"),
        # a person from another post (found in use), team, workshop
        (
            "post",
            SYNTH,
            SYNTH_A_REACTOR,
            SYNTH_A_FEED,
            "person",
            "属于「进料岗」，不属于岗位级责任单位「反应釜操作岗」",
        ),
        ("post", SYNTH, SYNTH_A_REACTOR, SYNTH_A, "person", "不属于岗位级责任单位"),  # the team above it
        ("team", SYNTH, SYNTH_A, SYNTH_B_REACTOR, "person", "不属于班组级责任单位「甲班」"),
        ("workshop", SYNTH, SYNTH, POLY_B_REACTOR, "person", "不属于车间级责任单位「合成车间」"),
        ("workshop", SYNTH, SYNTH, COMPANY, "person", "属于「甲化工」"),  # above the workshop
        ("team", SYNTH, SYNTH_A, None, "person", "未登记所在单位"),
        # a unit of the wrong kind
        (
            "workshop",
            SYNTH,
            SYNTH_A,
            SYNTH_A,
            "org_unit",
            "「甲班」是班组，车间级管控的责任单位须为车间/部门",
        ),
        ("post", SYNTH, SYNTH_A, SYNTH_A, "org_unit", "岗位级管控的责任单位须为岗位"),
        ("company", SYNTH, SYNTH, SYNTH, "org_unit", "须为公司"),
        ("board", SYNTH, SYNTH, SYNTH, "tier", "管控层级须为"),
    ],
)
def test_check_tier(tier, point, unit, person, field, words) -> None:
    check = check_tier(tier, point_unit=point, unit=unit, person_name="王五", person_line=line(person))
    if field is OK:
        assert check.ok, check.problems
    else:
        assert field in check.problems, check.problems
        assert words in check.problems[field]


@pytest.mark.parametrize(
    ("tier", "person", "unit", "field"),
    [
        # without a unit the tier takes the unit of its kind on the person's line
        ("workshop", SYNTH_A_REACTOR, SYNTH, None),
        ("team", SYNTH_A_REACTOR, SYNTH_A, None),
        ("post", SYNTH_A_REACTOR, SYNTH_A_REACTOR, None),
        ("company", SYNTH_A_REACTOR, COMPANY, None),
        ("company", None, None, None),  # nobody's unit needed at company level
        # nothing of that kind on the person's line: ask for the unit
        ("post", SYNTH_A, None, "org_unit"),
        ("team", None, None, "org_unit"),
    ],
)
def test_a_tier_without_a_unit_takes_it_from_the_person(tier, person, unit, field) -> None:
    check = check_tier(tier, point_unit=SYNTH, unit=None, person_name="王五", person_line=line(person))
    assert check.unit == unit
    assert (field in check.problems) if field else check.ok


def test_the_person_s_line_is_on_the_point_s_line_when_the_unit_is_taken_from_it() -> None:
    check = check_tier("workshop", point_unit=SYNTH, unit=None, person_name="王五", person_line=line(POLY_B))
    assert check.unit == POLY
    assert "不在同一条管理线上" in check.problems["org_unit"]


# ---- the service -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_refuses_a_workshop_and_a_person_off_the_point_s_line(world) -> None:
    point = make_point(world)  # in 合成车间
    company = OrgUnit.objects.get(enterprise=world.ent_a, parent__isnull=True)
    other = ent_services.org_unit_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        parent=company,
        data={"kind": OrgUnitKind.WORKSHOP, "name": "聚合车间"},
    )
    stranger = ent_services.person_create(
        actor=SYSTEM, enterprise=world.ent_a, data={"name": "钱聚合", "org_unit": other}
    )
    with pytest.raises(ValidationError) as refused:
        services.tier_assign(
            actor=SYSTEM, point=point, tier=ControlTier.WORKSHOP, person=stranger, org_unit=other
        )
    assert (
        "「聚合车间」与风险点所属的「合成车间」不在同一条管理线上"
        in refused.value.message_dict["org_unit"][0]
    )
    with pytest.raises(ValidationError) as refused:
        services.tier_assign(
            actor=SYSTEM, point=point, tier=ControlTier.POST, person=stranger, org_unit=world.post_a
        )
    assert "不属于岗位级责任单位「反应釜操作岗」" in refused.value.message_dict["person"][0]
    assert not point.tiers.exists()
    # the right ones pass; without a unit the tier takes the workshop on the person's line
    held = services.tier_assign(actor=SYSTEM, point=point, tier=ControlTier.WORKSHOP, person=world.person_a)
    assert held.org_unit == workshop_a(world)
    held = services.tier_assign(
        actor=SYSTEM, point=point, tier=ControlTier.POST, person=world.person_a, org_unit=world.post_a
    )
    assert held.person == world.person_a


@pytest.mark.django_db
def test_every_tier_of_the_demo_county_is_on_its_point_s_line() -> None:
    """The demo writes tiers in bulk (not through the service): it must obey the same rule."""
    from safegrid.demo import builders
    from safegrid.risks.models import ResponsibilityAssignment

    builders.build(enterprises=60, seed=11, until="risk_registers")
    tiers = ResponsibilityAssignment.objects.select_related(
        "risk_point__org_unit", "org_unit", "person__org_unit"
    )
    problems = []
    for held in tiers:
        check = check_tier(
            held.tier,
            point_unit=services._unit(held.risk_point.org_unit),
            unit=services._unit(held.org_unit),
            person_name=held.person.name,
            person_line=services._line(held.person.org_unit),
        )
        problems += [f"{held.risk_point.code} {held.tier}: {p}" for p in check.problems.values()]
    assert len(tiers) > 500
    assert problems == []


# ---- the pages: paths in the drop-downs, only the point's line offered, the reason shown -------------


def _second_workshop(world):
    """聚合车间 / 乙班 / 反应釜操作岗 beside 合成车间 / 甲班 / 反应釜操作岗, with a worker."""
    company = OrgUnit.objects.get(enterprise=world.ent_a, parent__isnull=True)
    poly = ent_services.org_unit_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        parent=company,
        data={"kind": OrgUnitKind.WORKSHOP, "name": "聚合车间"},
    )
    team = ent_services.org_unit_create(
        actor=SYSTEM, enterprise=world.ent_a, parent=poly, data={"kind": OrgUnitKind.TEAM, "name": "乙班"}
    )
    post = ent_services.org_unit_create(
        actor=SYSTEM,
        enterprise=world.ent_a,
        parent=team,
        data={"kind": OrgUnitKind.POST, "name": "反应釜操作岗"},
    )
    person = ent_services.person_create(
        actor=SYSTEM, enterprise=world.ent_a, data={"name": "钱聚合", "org_unit": post, "job_title": "操作工"}
    )
    return poly, post, person


@pytest.mark.django_db
def test_drop_downs_show_paths_and_the_tier_form_offers_the_point_s_line(world, login) -> None:
    from django.urls import reverse

    poly, poly_post, stranger = _second_workshop(world)
    point = make_point(world)  # in 合成车间
    client = login(world.user("ent_a"))
    page = client.get(reverse("risks:measure_create", args=[point.pk]))
    options = [label for _value, label in page.context["form"].fields["responsible_post"].choices]
    assert "合成车间 / 甲班 / 反应釜操作岗" in options and "聚合车间 / 乙班 / 反应釜操作岗" in options

    url = reverse("risks:tier_assign", args=[point.pk, "post"])
    form = client.get(url).context["form"]
    assert [label for _v, label in form.fields["org_unit"].choices][1:] == ["合成车间 / 甲班 / 反应釜操作岗"]
    assert [label for _v, label in form.fields["person"].choices][1:] == [
        "王操作 · 操作工（合成车间 / 甲班 / 反应釜操作岗）"
    ]
    # the other workshop's post is not offered; posted by hand it is refused and nothing is saved
    refused = client.post(url, {"person": world.person_a.pk, "org_unit": poly_post.pk})
    assert refused.status_code == 200 and refused.context["form"].errors["org_unit"]
    assert not point.tiers.exists()
    workshop_url = reverse("risks:tier_assign", args=[point.pk, "workshop"])
    assert [u.name for u in client.get(workshop_url).context["form"].fields["org_unit"].queryset] == [
        "合成车间"
    ]
    assert client.post(url, {"person": world.person_a.pk, "org_unit": world.post_a.pk}).status_code == 302
