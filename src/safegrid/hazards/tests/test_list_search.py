"""The hazard list's search: by name, location or enterprise name, ignoring case, within the user's scope —
the same rows as the plain `icontains` lookups it replaces (selectors.search_q)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Q
from django.urls import reverse

from safegrid.hazards import selectors
from safegrid.hazards.choices import HazardStatus
from safegrid.hazards.models import HiddenHazard
from safegrid.hazards.tests.factories import hazard_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def hazards(world: Any) -> dict[str, HiddenHazard]:
    a, b = world.ent_a, world.ent_b
    return {
        "title": hazard_in(a, HazardStatus.REPORTED, title="消防通道堵塞", location="仓库东侧"),
        "location": hazard_in(a, HazardStatus.RECTIFYING, title="配电箱未上锁", location="消防泵房"),
        "latin": hazard_in(a, HazardStatus.CLOSED, title="LNG Tank 液位计失灵", location="罐区 T-101"),
        "other": hazard_in(a, HazardStatus.CLOSED, title="安全出口指示灯不亮", location="宿舍"),
        "town_b": hazard_in(b, HazardStatus.REPORTED, title="消防器材过期", location="车间"),
    }


def _icontains(term: str) -> Q:
    return Q(title__icontains=term) | Q(location__icontains=term) | Q(enterprise__name__icontains=term)


@pytest.mark.parametrize("term", ["消防", "lng", "LnG", "tank", "T-101", "防泵", "没有", "%", "_"])
def test_same_rows_as_icontains(hazards: dict[str, HiddenHazard], world: Any, term: str) -> None:
    for user in ("county_admin", "town_a", "ent_a"):
        rows = selectors.hazard_list(world.user(user))
        assert set(rows.filter(selectors.search_q(term))) == set(rows.filter(_icontains(term))), (term, user)


def test_enterprise_name_matches(hazards: dict[str, HiddenHazard], world: Any) -> None:
    name = world.ent_a.name
    found = set(HiddenHazard.objects.filter(selectors.search_q(name[1:3])))
    assert {hazards["title"], hazards["location"], hazards["latin"], hazards["other"]} <= found
    assert set(HiddenHazard.objects.filter(selectors.search_q(name.lower()))) >= {hazards["other"]}


def test_list_page_search_in_scope(hazards: dict[str, HiddenHazard], world: Any, login: Any) -> None:
    html = login(world.user("town_a")).get(reverse("hazards:list") + "?q=消防").content.decode()
    assert "消防通道堵塞" in html and "配电箱未上锁" in html  # by name, by location
    assert "消防器材过期" not in html  # town B's: out of scope
    assert "安全出口指示灯不亮" not in html
    latin = login(world.user("county_admin")).get(reverse("hazards:list") + "?q=lng").content.decode()
    assert "LNG Tank" in latin
