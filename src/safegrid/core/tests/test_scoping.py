import pytest

from safegrid.core.choices import Role
from safegrid.core.models import RoleAssignment
from safegrid.core.scoping import scope_for
from safegrid.core.testing import make_user
from safegrid.enterprises import selectors
from safegrid.regions import selectors as region_selectors

VISIBLE = {
    "county_admin": {"ent_a", "ent_b"},
    "town_a": {"ent_a"},
    "town_b": {"ent_b"},
    "grid_a": {"ent_a"},
    "ent_a": {"ent_a"},
    "ent_b": {"ent_b"},
    "dept_chem": {"ent_a"},
    "post_a": {"ent_a"},
    "outsider": set(),
}


@pytest.mark.parametrize(("username", "expected"), VISIBLE.items())
def test_enterprise_scope_per_role(world, username, expected):
    names = {"ent_a": world.ent_a.pk, "ent_b": world.ent_b.pk}
    got = set(selectors.enterprise_list(world.user(username)).values_list("pk", flat=True))
    assert got == {names[n] for n in expected}


def test_children_follow_their_enterprise(world):
    people = set(selectors.person_list(world.user("town_b")).values_list("enterprise_id", flat=True))
    assert people == {world.ent_b.pk}
    certs = set(selectors.certificate_list(world.user("ent_a")).values_list("enterprise_id", flat=True))
    assert certs == {world.ent_a.pk}


def test_post_user_sees_only_its_subtree(world):
    units = list(selectors.org_unit_list(world.user("post_a")).values_list("name", flat=True))
    assert units == ["反应釜操作岗"]
    assert list(selectors.person_list(world.user("post_a"))) == [world.person_a]


def test_divisions_and_grids(world):
    assert set(region_selectors.division_list(world.user("town_a")).values_list("code", flat=True)) == {
        "370321001",
        "370321001001",
    }
    assert list(region_selectors.grid_list(world.user("grid_a"))) == [world.grid_a]
    assert region_selectors.grid_list(world.user("ent_a")).count() == 0
    assert region_selectors.department_list(world.user("ent_a")).count() == 10
    assert region_selectors.grid_list(world.user("outsider")).count() == 0


def test_roles_per_enterprise_are_on_the_scope(world, django_assert_num_queries):
    user = make_user("two_hats", {"role": Role.SAFETY_MANAGER, "enterprise": world.ent_a})
    RoleAssignment.objects.create(user=user, role=Role.LEGAL_REP, enterprise=world.ent_b)
    user = type(user).objects.get(pk=user.pk)  # no cached scope
    scope = scope_for(user)
    with django_assert_num_queries(0):  # computed once, then read from the scope
        assert scope_for(user) is scope
        assert dict(scope.enterprise_roles) == {
            world.ent_a.pk: frozenset({Role.SAFETY_MANAGER}),
            world.ent_b.pk: frozenset({Role.LEGAL_REP}),
        }
        assert scope.has_role(Role.LEGAL_REP)
        assert scope.has_role(Role.SAFETY_MANAGER, Role.ENT_ADMIN, enterprise_id=world.ent_a.pk)
        assert not scope.has_role(Role.LEGAL_REP, enterprise_id=world.ent_a.pk)
        assert scope.enterprises_with({Role.SAFETY_MANAGER, Role.ENT_ADMIN}) == {world.ent_a.pk}
        assert not scope.is_county_admin
    assert scope_for(world.user("county_admin")).is_county_admin
    assert not scope_for(world.user("county_admin")).enterprise_roles
    assert scope_for(None).has_role(Role.COUNTY_ADMIN) is False
