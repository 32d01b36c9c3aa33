"""Home pages are to-do lists: per role, the right to-dos with the right counts, each link landing on a list of
exactly those items, never another scope's items; the role's picture below; a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from safegrid.core import todos
from safegrid.core.testing import PASSWORD
from safegrid.hazards import inspections
from safegrid.hazards.choices import HazardStatus
from safegrid.hazards.tests.factories import hazard_in, reported
from safegrid.risks.services import filing as filing_services
from safegrid.risks.services import filing_reviewers as reviewer_services
from safegrid.risks.tests import factories as risk_factories
from safegrid.risks.tests.factories import make_measure, make_point
from safegrid.risks.tests.test_filing import complete_register
from safegrid.testworld import World, build_world

pytestmark = pytest.mark.django_db

# The to-do labels, as the home page shows them.
OVERDUE_HAZARDS = "隐患已超过整改期限"
TO_CONFIRM = "隐患待确认"
CHECKS_DUE = "检查任务待完成"
CERTS_EXPIRED = "证照已过期，需复审或更换"
UNASSESSED = "风险点未评估定级"
NO_MEASURES = "风险点缺少管控措施"
UNCONFIRMED = "告知卡尚无岗位人员确认"
MY_CARDS = "我的告知卡待确认"
TO_REVIEW = "一企一册备案待审核"
TO_SIGN = "一企一册待您签署"
RETURNED = "一企一册被监管部门退回，需修改后重新编制"
ALARMS = "监测报警待确认"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def home(login: Any, user: Any) -> tuple[Any, dict[str, todos.Todo]]:
    response = login(user).get(reverse("home"))
    assert response.status_code == 200
    found = {str(t.label): t for t in response.context["todos"]}
    assert len(found) == len(response.context["todos"]), "one to-do per kind of work"
    return response, found


def counts(found: dict[str, todos.Todo]) -> dict[str, int]:
    return {label: t.count for label, t in found.items()}


def follow(client: Any, todo: todos.Todo) -> Any:
    """Open the to-do's link: a list filtered to exactly its items (a list view's row count, or the rows)."""
    response = client.get(todo.url)
    assert response.status_code == 200, todo.url
    context = response.context
    if "paginator" in context:
        assert context["paginator"].count == todo.count, todo.url
    elif "mine" in context:  # 我的检查任务: due now and still within the grace period
        mine = context["mine"]
        shown = len(mine.overdue) if todo.urgency == todos.Urgency.OVERDUE else len(mine.due)
        assert shown == todo.count, todo.url
    elif "rows" in context:  # the card pages
        assert len(context["rows"]) == todo.count, todo.url
    return response


@pytest.fixture
def full_world() -> World:
    """The scope walk's world (town B's hazards, checks, filing…) plus town A's work of the day."""
    world = build_world(extensions=True)
    today = timezone.localdate()
    point = make_point(world)  # unassessed: the register keepers' to-do
    make_measure(world, point, check_content="液位正常", check_cycle=1, check_cycle_unit="天")
    inspections.occurrences_generate(day=today)  # one check due today for post_a's post
    reported(world)  # reported by the grid worker: the enterprise must confirm it
    hazard_in(world.ent_a, HazardStatus.RECTIFYING, deadline=today - dt.timedelta(days=3), title="甲超期隐患")
    return world


def test_county_admin_sees_every_town_and_the_county_picture(full_world: World, login: Any) -> None:
    response, found = home(login, full_world.user("county_admin"))
    # A's overdue hazard and town B's escalated major one; the expired certificate of A.
    assert counts(found)[OVERDUE_HAZARDS] == 2
    assert counts(found)[CERTS_EXPIRED] == 1
    assert TO_CONFIRM not in found and MY_CARDS not in found and CHECKS_DUE not in found
    assert list(found)[0] in (
        ALARMS,
        OVERDUE_HAZARDS,
        CERTS_EXPIRED,
    )  # overdue first (an unacknowledged alarm is)
    page = response.content.decode()
    assert "home-chart-data" in page and 'id="progress-town"' in page and 'id="progress-sector"' in page
    for todo in found.values():
        follow(login(full_world.user("county_admin")), todo)


def test_town_sees_its_own_items_and_enterprises_never_town_b(full_world: World, login: Any) -> None:
    response, found = home(login, full_world.user("town_a"))
    assert counts(found)[OVERDUE_HAZARDS] == 1  # not town B's
    assert counts(found)[CERTS_EXPIRED] == 1
    page = response.content.decode()
    assert "home-chart-data" not in page  # no county chart with one bar
    assert [r["name"] for r in response.context["villages"]] == ["甲村"]
    assert 'id="progress-village"' in page
    for marker in full_world.leak_markers(strict=True):
        assert marker not in page
    assert full_world.ent_b.name not in page and full_world.town_b.name not in page
    for todo in found.values():
        follow(login(full_world.user("town_a")), todo)


def test_sector_department_sees_its_sectors_only(full_world: World, login: Any) -> None:
    response, found = home(login, full_world.user("dept_chem"))
    assert counts(found)[OVERDUE_HAZARDS] == 1  # enterprise A (chemicals); B builds
    assert 'id="progress-town"' in response.content.decode()
    for marker in full_world.leak_markers(strict=False):
        assert marker not in response.content.decode()


def test_grid_worker_sees_the_enterprises_of_their_grid(full_world: World, login: Any) -> None:
    response, found = home(login, full_world.user("grid_a"))
    assert counts(found) == {CHECKS_DUE: 1, CERTS_EXPIRED: 1}  # no alarms: they go to enterprises, regulators
    page = response.content.decode()
    assert 'id="home-grid"' in page and full_world.ent_a.name in page
    assert full_world.ent_b.name not in page and "home-chart-data" not in page
    for todo in found.values():
        follow(login(full_world.user("grid_a")), todo)


def test_safety_manager_sees_the_register_gaps_hazards_checks_and_certificates(
    full_world: World, login: Any
) -> None:
    response, found = home(login, full_world.user("ent_a"))
    assert counts(found) == {
        ALARMS: 1,
        OVERDUE_HAZARDS: 1,
        CHECKS_DUE: 1,
        CERTS_EXPIRED: 1,
        TO_CONFIRM: 1,
        UNASSESSED: 1,
        UNCONFIRMED: 1,
    }
    urgencies = [t.urgency for t in response.context["todos"]]
    assert urgencies == sorted(urgencies)  # overdue, then today, then soon
    page = response.content.decode()
    assert 'id="risk-panel"' in page and 'id="home-hazards"' in page  # the register's state, their hazards
    assert reverse("enterprises:enterprise_detail", args=[full_world.ent_a.pk]) in page  # one click away
    for marker in full_world.leak_markers(strict=True):
        assert marker not in page
    for todo in found.values():
        follow(login(full_world.user("ent_a")), todo)


def test_a_register_without_measures_says_so(world: World, login: Any) -> None:
    make_point(world)
    _response, found = home(login, world.user("ent_a"))
    assert counts(found)[NO_MEASURES] == 1 and counts(found)[UNASSESSED] == 1
    follow(login(world.user("ent_a")), found[NO_MEASURES])


def test_post_worker_sees_their_cards_and_checks(full_world: World, login: Any) -> None:
    response, found = home(login, full_world.user("post_a"))
    assert counts(found) == {MY_CARDS: 1, CHECKS_DUE: 1, CERTS_EXPIRED: 1}
    page = response.content.decode()
    assert 'id="home-checks"' in page
    for marker in full_world.leak_markers(strict=True):
        assert marker not in page
    for todo in found.values():
        follow(login(full_world.user("post_a")), todo)


def test_nothing_to_do_says_so(world: World, login: Any) -> None:
    response, found = home(login, world.user("ent_b"))
    assert found == {}
    assert "今天没有待办" in response.content.decode()


def test_filings_reach_the_signer_the_reviewer_the_delegated_town_and_the_keepers(
    world: World, login: Any
) -> None:
    complete_register(world)
    filing = risk_factories.submitted(world)
    legal = risk_factories.legal_rep(world)
    _response, found = home(login, legal)
    assert counts(found)[TO_SIGN] == 1
    assert found[TO_SIGN].url == reverse("risks:filing_sign", args=[filing.pk])
    assert login(legal).get(found[TO_SIGN].url).status_code == 200
    assert TO_SIGN not in home(login, world.user("ent_a"))[1]  # the safety manager compiles, never signs

    filing = filing_services.filing_sign(actor=legal, filing=filing, password=PASSWORD)
    assert TO_SIGN not in home(login, legal)[1]
    # The chemicals department reviews by default; the county sees all; the town only reads.
    for username in ("county_admin", "dept_chem"):
        found = home(login, world.user(username))[1]
        assert counts(found)[TO_REVIEW] == 1
        follow(login(world.user(username)), found[TO_REVIEW])
    assert TO_REVIEW not in home(login, world.user("town_a"))[1]

    # The county delegates chemicals to the towns: town A reviews, the department no longer does.
    reviewer_services.filing_reviewers_save(
        actor=world.user("county_admin"), county_code="370321", choices={"hazardous_chemicals": "town"}
    )
    found = home(login, world.user("town_a"))[1]
    assert counts(found)[TO_REVIEW] == 1
    follow(login(world.user("town_a")), found[TO_REVIEW])
    assert TO_REVIEW not in home(login, world.user("dept_chem"))[1]
    assert TO_REVIEW not in home(login, world.user("town_b"))[1]

    filing_services.filing_return(actor=world.user("town_a"), filing=filing, comment="补充管控措施")
    found = home(login, world.user("ent_a"))[1]
    assert counts(found)[RETURNED] == 1
    assert found[RETURNED].url == reverse("risks:filing_detail", args=[filing.pk])
    assert TO_REVIEW not in home(login, world.user("town_a"))[1]


def test_regions_due_for_review_reach_the_county(world: World, login: Any) -> None:
    from safegrid.risks.models import RegionalRisk

    today = timezone.localdate()
    RegionalRisk.objects.create(
        division=world.town_a,
        year=today.year,
        level=1,
        proposed_level=1,
        next_review_on=today - dt.timedelta(days=2),
    )
    RegionalRisk.objects.create(
        division=world.town_b,
        year=today.year,
        level=2,
        proposed_level=2,
        next_review_on=today + dt.timedelta(days=5),
    )
    found = home(login, world.user("county_admin"))[1]
    assert counts(found)["区域风险复核已逾期"] == 1
    assert counts(found)["重大、较大风险区域即将到期复核"] == 1
    for todo in (found["区域风险复核已逾期"], found["重大、较大风险区域即将到期复核"]):
        follow(login(world.user("county_admin")), todo)
    assert "区域风险复核已逾期" not in home(login, world.user("town_a"))[1]  # towns do not set the level


def test_the_county_home_needs_a_bounded_number_of_queries(
    full_world: World, login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(full_world.user("county_admin"))
    client.get(reverse("home"))  # the session and the menu warmed up
    # A fixed number whatever the county's size: each app's to-do provider and panel costs a query or two
    # (majorhazards: commitments missing today, filings and deregistrations waiting for review; monitoring:
    # unacknowledged alarms, one SUM over the per-enterprise counters).
    with django_assert_max_num_queries(26):
        assert client.get(reverse("home")).status_code == 200


def test_the_area_picture_is_kept_per_scope_and_says_when_it_was_counted(
    full_world: World, login: Any, settings: Any, django_assert_max_num_queries: Any
) -> None:
    """County and town pictures are cached for the configured seconds per scope, roles and language; the
    to-dos stay live; another scope (town B) never gets town A's picture; enterprise pictures are not kept."""
    settings.SAFEGRID_HOME_PICTURE_SECONDS = 60
    county = login(full_world.user("county_admin"))
    first = county.get(reverse("home")).content.decode()
    assert "以上统计于" in first
    hazard_in(full_world.ent_a, status=HazardStatus.REPORTED)  # a new to-do for the county
    with django_assert_max_num_queries(15):  # the to-dos only: the picture comes from the cache
        again = county.get(reverse("home")).content.decode()
    picture = first[first.index("以上统计于") - 2000 : first.index("以上统计于")]
    assert picture in again

    town_pages = {}
    for name in ("town_a", "town_b"):
        town_pages[name] = login(full_world.user(name)).get(reverse("home")).content.decode()
    assert (
        full_world.town_a.name in town_pages["town_a"] and full_world.town_a.name not in town_pages["town_b"]
    )

    manager = login(full_world.user("ent_a")).get(reverse("home")).content.decode()
    assert "以上统计于" not in manager


def test_unacknowledged_alarms_reach_the_enterprise_and_the_county(full_world: World, login: Any) -> None:
    # the monitoring world: A's H alarm; B's HH alarm and its gas alarm cleared by an approved bypass;
    # B's zone's two event alarms (over the rated headcount, a motionless person)
    _response, found = home(login, full_world.user("ent_a"))
    assert counts(found)[ALARMS] == 1
    follow(login(full_world.user("ent_a")), found[ALARMS])
    _response, county = home(login, full_world.user("county_admin"))
    assert counts(county)[ALARMS] == 5
    follow(login(full_world.user("county_admin")), county[ALARMS])
