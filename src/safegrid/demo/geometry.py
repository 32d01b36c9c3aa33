"""Geometry for the demo county: the real county outline and illustrative inner boundaries.

Only the county outline is real (public MIT data in `data/`). Town, village and grid boundaries
are a deterministic Voronoi split of the outline, marked `boundary_illustrative=True` where stored.
Coordinates are rounded to 5 decimals (about 1 m) so the stored GeoJSON stays small; every point
the demo places is tested against the rounded polygon that is actually stored.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import Polygon
from shapely.ops import nearest_points
from shapely.prepared import prep

DATA_DIR = Path(__file__).resolve().parent / "data"
COUNTY_GEOJSON = DATA_DIR / "huantai-county-370321.geojson"
DIVISIONS_CSV = DATA_DIR / "huantai-divisions.csv"
PRECISION = 1e-5  # grid size for rounding: 5 decimals

# Approximate town centres (lon, lat) used only as Voronoi seeds; the resulting town boundaries are
# illustrative. A seed outside the outline is moved to the nearest point inside it.
TOWN_SEEDS: dict[str, tuple[float, float]] = {
    "370321001": (118.095, 36.955),  # 索镇街道 (county seat)
    "370321002": (118.145, 36.975),  # 少海街道
    "370321101": (117.985, 37.060),  # 起凤镇
    "370321103": (117.915, 37.020),  # 田庄镇
    "370321104": (118.035, 37.005),  # 荆家镇
    "370321105": (117.885, 36.975),  # 马桥镇
    "370321107": (118.030, 36.935),  # 新城镇
    "370321109": (118.140, 36.905),  # 唐山镇
    "370321110": (118.070, 36.885),  # 果里镇
}


@dataclass(frozen=True)
class DivisionRow:
    code: str
    name: str
    level: str
    parent: str


def read_divisions() -> list[DivisionRow]:
    """The county and its nine towns, from the bundled CSV."""
    with DIVISIONS_CSV.open(encoding="utf-8", newline="") as fh:
        return [DivisionRow(r["code"], r["name"], r["level"], r["parent"]) for r in csv.DictReader(fh)]


def round_geometry(geom: BaseGeometry) -> BaseGeometry:
    """Snap to 5 decimals and repair, keeping only the areal part."""
    snapped = shapely.set_precision(shapely.make_valid(geom), PRECISION)
    if not snapped.is_valid:
        snapped = shapely.make_valid(snapped)
    if snapped.geom_type == "GeometryCollection":
        polys = [g for g in shapely.get_parts(snapped) if g.geom_type in ("Polygon", "MultiPolygon")]
        snapped = shapely.unary_union(polys)
    return snapped


@cache
def county_outline() -> BaseGeometry:
    """The real outline of 桓台县, repaired (the source ring self-touches) and rounded."""
    data = json.loads(COUNTY_GEOJSON.read_text(encoding="utf-8"))
    return round_geometry(shape(data["features"][0]["geometry"]))


def to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """A GeoJSON geometry dict with coordinates rounded to 5 decimals (lists, not tuples)."""
    return json.loads(json.dumps(mapping(geom)), parse_float=lambda s: round(float(s), 5))


def inside_point(geom: BaseGeometry) -> Point:
    """The centroid when it lies inside the shape, else a point guaranteed inside it."""
    centroid = geom.centroid
    return centroid if geom.contains(centroid) else geom.representative_point()


def _seed_inside(geom: BaseGeometry, lon: float, lat: float) -> Point:
    point = Point(lon, lat)
    if geom.contains(point):
        return point
    nearest = nearest_points(geom.buffer(-0.002), point)[0]
    return nearest if geom.contains(nearest) else inside_point(geom)


def random_points(rng: random.Random, geom: BaseGeometry, count: int) -> list[Point]:
    """`count` points strictly inside `geom` by rejection sampling, rounded to 5 decimals."""
    minx, miny, maxx, maxy = geom.bounds
    prepared = prep(geom)
    points: list[Point] = []
    attempts = 0
    while len(points) < count:
        attempts += 1
        if attempts > 1000 * (count + 1):
            raise RuntimeError("could not place points inside the polygon")
        point = Point(round(rng.uniform(minx, maxx), 5), round(rng.uniform(miny, maxy), 5))
        if prepared.contains(point):
            points.append(point)
    return points


def voronoi_split(geom: BaseGeometry, seeds: list[Point]) -> list[BaseGeometry]:
    """Cells of a Voronoi split of `geom` around `seeds` (same order), clipped and rounded.

    A single seed returns the shape itself. Each cell contains its seed.
    """
    if len(seeds) == 1:
        return [geom]
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=geom.envelope.buffer(0.05), ordered=True)
    result: list[BaseGeometry] = []
    for cell in shapely.get_parts(cells):
        clipped = round_geometry(cell.intersection(geom))
        result.append(clipped)
    return result


def town_cells(codes: list[str]) -> dict[str, BaseGeometry]:
    """Illustrative town boundaries: a Voronoi split of the real outline around fixed town seeds."""
    outline = county_outline()
    seeds = [_seed_inside(outline, *TOWN_SEEDS[code]) for code in codes]
    return dict(zip(codes, voronoi_split(outline, seeds), strict=True))


def split_area(rng: random.Random, geom: BaseGeometry, count: int) -> list[BaseGeometry]:
    """Split an area into `count` illustrative cells around random interior seeds.

    Seeds are spread with two rounds of Lloyd relaxation so the cells are of similar size. Cells
    that come out empty (possible only for slivers) are dropped by the caller's check.
    """
    seeds = random_points(rng, geom, count)
    for _ in range(2):
        cells = voronoi_split(geom, seeds)
        seeds = [
            inside_point(cell) if not cell.is_empty else seed for cell, seed in zip(cells, seeds, strict=True)
        ]
        seeds = [Point(round(p.x, 5), round(p.y, 5)) for p in seeds]
    return voronoi_split(geom, seeds)


def largest_polygon(geom: BaseGeometry) -> Polygon:
    if isinstance(geom, Polygon):
        return geom
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon)]
    return max(parts, key=lambda p: p.area)


class PointSampler:
    """Random points strictly inside one polygon, for placing many enterprises quickly."""

    def __init__(self, geom: BaseGeometry) -> None:
        self.geom = geom
        self.bounds = geom.bounds
        self.prepared = prep(geom)

    def sample(self, rng: random.Random) -> tuple[float, float]:
        minx, miny, maxx, maxy = self.bounds
        for _ in range(10_000):
            lon = round(rng.uniform(minx, maxx), 5)
            lat = round(rng.uniform(miny, maxy), 5)
            if self.prepared.contains(Point(lon, lat)):
                return lon, lat
        point = inside_point(self.geom)
        return round(point.x, 5), round(point.y, 5)
