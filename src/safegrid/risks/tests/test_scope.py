"""Who sees which risk data through the selectors (out of scope = 404), and the register's query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from safegrid.core.testing import SYSTEM
from safegrid.risks.choices import IdentificationMethod
from safegrid.risks.selectors import points as selectors
from safegrid.risks.services import points as services

from .factories import make_factor, make_measure, make_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(world):
    point = make_point(world)
    factor = make_factor(point)
    services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 6, "E": 6, "C": 15}
    )
    measure = make_measure(world, point, hazard_factor=factor)
    assignment = services.tier_assign(actor=SYSTEM, point=point, tier="post", person=world.person_a)
    point.refresh_from_db()
    return point, factor, measure, assignment


LISTS = [
    (selectors.risk_point_list, 0),
    (selectors.hazard_factor_list, 1),
    (selectors.assessment_list, None),
    (selectors.measure_list, 2),
    (selectors.assignment_list, 3),
]
GETS = [
    (selectors.risk_point_get, 0),
    (selectors.hazard_factor_get, 1),
    (selectors.measure_get, 2),
    (selectors.assignment_get, 3),
]


@pytest.mark.parametrize("username", ["ent_a", "town_a", "dept_chem", "county_admin", "grid_a"])
def test_those_in_scope_see_ent_a_risks(world, graded, username) -> None:
    user = world.user(username)
    point = graded[0]
    for list_selector, _ in LISTS:
        assert list_selector(user).count() == 1, list_selector.__name__
    for get_selector, index in GETS:
        assert get_selector(user, graded[index].pk).pk == graded[index].pk
    assert selectors.risk_point_by_qr(user, point.qr_token) == point
    enterprise, points = selectors.register(user, world.ent_a.pk)
    assert enterprise == world.ent_a and points == [point]


@pytest.mark.parametrize("username", ["ent_b", "town_b", "outsider"])
def test_others_cannot_see_ent_a_risks(world, graded, username) -> None:
    user = world.user(username)
    for list_selector, _ in LISTS:
        assert not list_selector(user).exists(), list_selector.__name__
    for get_selector, index in GETS:
        with pytest.raises(Http404):
            get_selector(user, graded[index].pk)
    with pytest.raises(Http404):
        selectors.risk_point_by_qr(user, graded[0].qr_token)
    with pytest.raises(Http404):
        selectors.register(user, world.ent_a.pk)


def test_post_user_sees_points_placed_in_their_subtree_or_linked_to_it(world, graded) -> None:
    # The point belongs to the workshop, above the post user's unit, but its measure is checked by their
    # post: theirs to see (see test_post_worker_cards.py for tiers and cards).
    post_user = world.user("post_a")
    assert list(selectors.risk_point_list(post_user)) == [graded[0]]
    unlinked = make_point(world, code="RP-WS")
    at_post = make_point(world, code="RP-POST", org_unit=world.post_a)
    assert list(selectors.risk_point_list(post_user)) == [graded[0], at_post]
    assert unlinked not in selectors.risk_point_list(post_user)


def test_register_loads_in_constant_queries(world) -> None:
    def build(n: int) -> None:
        for i in range(n):
            point = make_point(world, code=f"RP-{i:03d}-{n}")
            for step in (1, 2):
                factor = make_factor(point, method=IdentificationMethod.JHA, step_no=step)
                services.assess(
                    actor=SYSTEM, factor=factor, kind="initial", method="LS", inputs={"L": 3, "S": 4}
                )
                services.assess(
                    actor=SYSTEM, factor=factor, kind="residual", method="LS", inputs={"L": 2, "S": 4}
                )
                make_measure(world, point, hazard_factor=factor)
            services.tier_assign(actor=SYSTEM, point=point, tier="post", person=world.person_a)

    user = world.user("ent_a")
    selectors.risk_point_list(user).exists()  # the user's scope is computed once and cached

    def walk() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _, points = selectors.register(user, world.ent_a.pk)
            for point in points:
                for view in selectors.factor_views(point):
                    assert view.initial is not None and view.residual is not None
                    assert view.level == 4
                    str(view.initial.assessed_by)
                for measure in point.measures.all():
                    str(measure.responsible_post.name)
                for assignment in point.tiers.all():
                    str(assignment.person.name)
                services.missing_tiers(point)
        return len(ctx.captured_queries)

    build(2)
    few = walk()
    build(5)
    many = walk()
    assert few == many
    assert many <= 9
