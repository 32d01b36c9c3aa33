"""The map's open-major-hazards layer: registered with risks, scoped, on the map page's config."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from safegrid.hazards import testing
from safegrid.risks import map_layers
from safegrid.testworld import extend_world

pytestmark = pytest.mark.django_db
URL = "/hazards/map/major-hazards.json"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def full_world(world: Any) -> Any:
    return extend_world(world)


def test_the_layer_is_registered_for_the_map(world: Any, login: Any) -> None:
    keys = [layer["key"] for layer in map_layers.layers_for(world.user("county_admin"))]
    assert "major-hazards" in keys
    page = login(world.user("county_admin")).get(reverse("risks:map"))
    config = json.loads(
        page.content.decode().split('id="risk-map-config" type="application/json">')[1].split("</script>")[0]
    )
    layer = next(item for item in config["layers"] if item["key"] == "major-hazards")
    assert layer["url"] == URL
    assert 'name="layer" value="major-hazards"' in page.content.decode()
    assert map_layers.layers_for(world.user("outsider")) == []


def test_county_sees_the_overdue_listed_major_hazard_at_the_enterprise(full_world: Any, login: Any) -> None:
    data = login(full_world.user("county_admin")).get(URL, {"division": "370321"}).json()
    marker = next(m for m in data["markers"] if m["name"] == full_world.ent_b.name)
    assert (marker["lat"], marker["lon"]) == (full_world.ent_b.lat, full_world.ent_b.lon)
    text = "\n".join(marker["lines"])
    assert testing.MAJOR_TITLE in text and "逾期" in text and testing.DOCUMENT_NUMBER in text
    assert marker["url"].startswith("/hazards/")
    item = next(i for i in data["items"] if i["text"] == testing.MAJOR_TITLE)
    assert testing.DOCUMENT_NUMBER in item["note"]
    # general hazards are not on this layer
    assert testing.TITLE not in json.dumps(data, ensure_ascii=False)


def test_town_a_sees_nothing_of_town_b(full_world: Any, login: Any) -> None:
    client = login(full_world.user("town_a"))
    body = client.get(URL).content.decode()
    assert testing.MAJOR_TITLE not in body
    assert client.get(URL, {"division": "370321002"}).status_code == 404
    assert client.get(URL, {"division": "x'1"}).status_code == 404
    within = client.get(URL, {"division": "370321001"})
    assert within.status_code == 200 and testing.MAJOR_TITLE not in within.content.decode()


def test_town_b_sees_it_within_its_town(full_world: Any, login: Any) -> None:
    data = login(full_world.user("town_b")).get(URL, {"division": "370321002"}).json()
    assert [m["name"] for m in data["markers"]] == [full_world.ent_b.name]


def test_stats_of_the_world_are_scoped(full_world: Any, login: Any) -> None:
    county = login(full_world.user("county_admin")).get("/hazards/stats/", {"by": "enterprise"})
    names = [g.name for g in county.context["result"].groups]
    assert full_world.ent_b.name in names
    town_a = login(full_world.user("town_a")).get("/hazards/stats/", {"by": "enterprise"}).content.decode()
    assert full_world.ent_b.name not in town_a
