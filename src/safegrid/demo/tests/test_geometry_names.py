"""Pure tests of the demo geometry and name generators (no database)."""

from __future__ import annotations

import random
import re

import pytest
from shapely.geometry import Point, shape

from safegrid.demo import geometry, names


def test_county_outline_is_valid_and_around_huantai() -> None:
    outline = geometry.county_outline()
    assert outline.is_valid and not outline.is_empty
    minx, miny, maxx, maxy = outline.bounds
    assert 117.8 < minx < maxx < 118.2
    assert 36.8 < miny < maxy < 37.2


def test_divisions_csv_has_county_and_nine_towns() -> None:
    rows = geometry.read_divisions()
    assert [r.code for r in rows if r.level == "county"] == ["370321"]
    towns = [r for r in rows if r.level == "town"]
    assert len(towns) == 9
    assert all(re.fullmatch(r"370321\d{3}", r.code) and r.parent == "370321" for r in towns)
    assert {r.code for r in towns} == set(geometry.TOWN_SEEDS)


def test_town_cells_partition_the_outline() -> None:
    outline = geometry.county_outline()
    cells = geometry.town_cells(sorted(geometry.TOWN_SEEDS))
    assert len(cells) == 9
    total = 0.0
    for code, cell in cells.items():
        assert cell.is_valid and not cell.is_empty, code
        assert cell.difference(outline).area < 1e-6, code
        total += cell.area
    assert total == pytest.approx(outline.area, rel=1e-3)


def test_split_area_is_deterministic_and_covers_the_area() -> None:
    town = geometry.town_cells(sorted(geometry.TOWN_SEEDS))["370321001"]
    first = geometry.split_area(random.Random(5), town, 12)
    second = geometry.split_area(random.Random(5), town, 12)
    assert [c.wkt for c in first] == [c.wkt for c in second]
    assert sum(c.area for c in first) == pytest.approx(town.area, rel=1e-3)
    assert all(c.is_valid and not c.is_empty for c in first)


def test_geojson_is_rounded_to_five_decimals() -> None:
    data = geometry.to_geojson(geometry.county_outline())
    assert data["type"] in {"Polygon", "MultiPolygon"}
    ring = data["coordinates"][0] if data["type"] == "Polygon" else data["coordinates"][0][0]
    assert all(round(x, 5) == x and round(y, 5) == y for x, y in ring)
    assert shape(data).is_valid


def test_point_sampler_stays_inside() -> None:
    cell = geometry.town_cells(sorted(geometry.TOWN_SEEDS))["370321110"]
    sampler = geometry.PointSampler(cell)
    rng = random.Random(1)
    for _ in range(200):
        lon, lat = sampler.sample(rng)
        assert cell.contains(Point(lon, lat))


def test_person_names_and_phones() -> None:
    rng = random.Random(3)
    for _ in range(200):
        name = names.person_name(rng)
        assert 2 <= len(name) <= 3
        assert re.fullmatch(r"138\d{8}", names.phone(rng))


def test_village_and_enterprise_names_are_distinct() -> None:
    rng = random.Random(4)
    taken: set[str] = set()
    villages = names.village_names(rng, 150, 0.3, taken)
    assert len(set(villages)) == 150
    assert all(v.endswith(("村", "社区")) for v in villages)
    firms: set[str] = set()
    for i in range(2000):
        sector = list(names.SECTOR_NAME_TEMPLATES)[i % 10]
        names.enterprise_name(rng, sector, False, firms)
    assert len(firms) == 2000


def test_every_sector_has_names_and_an_org_spec() -> None:
    from safegrid.regions.choices import SECTORS

    for code, _label in SECTORS:
        assert names.SECTOR_NAME_TEMPLATES[code]
        spec = names.ORG_SPECS[code]
        assert spec.workshops and spec.teams and spec.posts
        assert code in names.INDUSTRY_BY_SECTOR
