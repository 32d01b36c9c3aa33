"""Data for the four-colour risk map (风险四色图), scoped to the user and built in constant queries.

Drill-down: county → town → village → enterprise → risk points. Every builder reads through the
scoping door (`restrict`/`get_scoped_or_404`), so a town officer's map never holds another town's
divisions or enterprises and an enterprise user only reaches their own enterprise.

Levels follow the seed: 1 重大 (red) is the most dangerous, so an enterprise's "highest" level is the
smallest number among its active risk points.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.urls import reverse

from safegrid.core.scoping import get_scoped_or_404, restrict, scope_for, scope_key
from safegrid.enterprises.models import Enterprise, EnterpriseSector
from safegrid.regions.models import Division

from ..models import RegionalRisk, RegisterRevision, RiskPoint
from ..permissions import can_edit_register
from .regional import site_plan_for

LEVEL_KEYS = ("1", "2", "3", "4", "none")
CHILD_LEVEL = {"county": "town", "town": "village"}


class MapRequestError(ValueError):
    """A filter value the map cannot use (answered as 400 with the message)."""


def _level_filter(value: str) -> int | None | str:
    """ "" → no filter, "1".."4" → that level, "none" → not assessed."""
    if value in ("", None):
        return ""
    if value == "none":
        return None
    if value in ("1", "2", "3", "4"):
        return int(value)
    raise MapRequestError("level")


def root_codes(user: Any) -> list[str]:
    """Where the user's map starts: the county for county/department users, else their own towns/villages."""
    scope = scope_for(user)
    if scope.everything or scope.all_divisions:
        counties = list(
            restrict(Division.objects.filter(level="county"), user)
            .order_by("code")
            .values_list("code", flat=True)
        )
        return counties
    codes = list(scope.division_codes) + list(scope.grid_division_codes)
    return sorted(set(codes))


def in_roots(code: str, roots: list[str]) -> bool:
    return any(code.startswith(root) for root in roots)


def divisions_payload(user: Any, code: str | None, year: int) -> dict[str, Any]:
    """One map level: the node, its breadcrumb, and its children as GeoJSON coloured by regional level.

    A node without children in scope (a village) is drawn as itself. Four queries whatever the size.
    """
    roots = root_codes(user)
    if not roots:
        raise MapRequestError("division")
    if not code:
        code = roots[0]
    if not in_roots(code, roots):
        # Out of the user's map (e.g. the county for a town officer): same answer as out of scope.
        raise LookupError(code)
    node = get_scoped_or_404(Division.objects.all(), user, pk=code)
    ancestors = [c for c in (code[:6], code[:9]) if len(c) < len(code) and in_roots(c, roots)]
    names = dict(restrict(Division.objects.filter(code__in=ancestors), user).values_list("code", "name"))
    path = [{"code": c, "name": names[c]} for c in ancestors if c in names]
    path.append({"code": node.code, "name": node.name})
    child_level = CHILD_LEVEL.get(node.level)
    shapes = restrict(Division.objects.all(), user)
    if child_level:
        shapes = shapes.filter(parent_id=node.code, level=child_level)
    else:
        shapes = shapes.filter(pk=node.code)
    rows = list(
        shapes.order_by("code").values(
            "code", "name", "level", "lat", "lon", "boundary", "boundary_illustrative"
        )
    )
    risks: dict[str, dict[str, Any]] = {
        r["division_id"]: dict(r)
        for r in restrict(
            RegionalRisk.objects.filter(year=year, division_id__in=[r["code"] for r in rows]), user
        ).values("division_id", "level", "proposed_level", "adjusted")
    }
    features: list[dict[str, Any]] = []
    regions: list[dict[str, Any]] = []
    illustrative = False
    for row in rows:
        risk: dict[str, Any] = risks.get(row["code"], {})
        regions.append(
            {
                "code": row["code"],
                "name": row["name"],
                "divisionLevel": row["level"],
                "level": risk.get("level"),
                "proposed": risk.get("proposed_level"),
                "adjusted": bool(risk.get("adjusted")),
                "lat": row["lat"],
                "lon": row["lon"],
                "hasChildren": row["level"] in CHILD_LEVEL,
            }
        )
        if row["boundary"]:
            illustrative = illustrative or row["boundary_illustrative"]
            geometry = row["boundary"]
            if isinstance(geometry, dict) and geometry.get("type") == "Feature":
                geometry = geometry.get("geometry")
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": row["code"], "name": row["name"]},
                    "geometry": geometry,
                }
            )
    return {
        "node": {"code": node.code, "name": node.name, "divisionLevel": node.level},
        "path": path,
        "year": year,
        "geojson": {"type": "FeatureCollection", "features": features},
        "regions": regions,
        "illustrative": illustrative,
        "outline": node.boundary if child_level and node.boundary else None,
    }


def _sector_q(sector: str) -> Q:
    return Q(Exists(EnterpriseSector.objects.filter(enterprise_id=OuterRef("pk"), sector__code=sector)))


COUNTER_FIELDS = (
    "register_revision__points_level1",
    "register_revision__points_level2",
    "register_revision__points_level3",
    "register_revision__points_level4",
    "register_revision__points_unrated",
)
ENTERPRISES_CACHE_SECONDS = 600


def register_stamp() -> str:
    """Changes whenever anything the enterprise layer shows may have changed, committed in any order:
    the register counters (their sum only grows), the enterprises (count, newest edit) and their sectors.
    Three aggregates over ~20,000-row tables: a few ms, against ~100 ms to rebuild the layer."""
    revisions = RegisterRevision.objects.aggregate(n=Count("pk"), s=Sum("revision"), m=Max("changed_at"))
    enterprises = Enterprise.objects.aggregate(n=Count("pk"), m=Max("updated_at"))
    sectors = EnterpriseSector.objects.aggregate(n=Count("pk"), m=Max("pk"))
    return "|".join(
        str(v)
        for v in (
            revisions["n"],
            revisions["s"],
            revisions["m"],
            enterprises["n"],
            enterprises["m"],
            sectors["n"],
            sectors["m"],
        )
    )


def _check_enterprises_request(user: Any, code: str, level: str) -> None:
    _level_filter(level)
    if not code or not in_roots(code, root_codes(user)):
        raise LookupError(code)


def enterprises_json(user: Any, code: str, sector: str = "", level: str = "") -> bytes:
    """`enterprises_payload` as compact JSON, cached per (user scope, request, register stamp).

    The key holds the scope digest, so users who may see different rows never share an entry, and the
    stamp, so any committed change to registers, enterprises or sectors makes a new key (old entries
    simply expire). Works the same with the per-process and the Redis cache.
    """
    _check_enterprises_request(user, code, level)
    raw = "\x1f".join((scope_key(user), code, sector, level, register_stamp()))
    key = "risks:map:enterprises:" + hashlib.sha256(raw.encode()).hexdigest()
    body: bytes | None = cache.get(key)
    if body is None:
        payload = enterprises_payload(user, code, sector=sector, level=level)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        cache.set(key, body, ENTERPRISES_CACHE_SECONDS)
    return body


def enterprises_payload(user: Any, code: str, sector: str = "", level: str = "") -> dict[str, Any]:
    """Enterprises inside a division (its subtree) as minimal rows, with counts per level.

    One query whatever the number of enterprises: the enterprises with the level and point counts kept
    on their register counter (`services.revision`). A user who also holds a workshop/team/post role
    sees only part of that enterprise's points, so for them the points are counted from the rows.
    """
    wanted = _level_filter(level)
    roots = root_codes(user)
    if not code or not in_roots(code, roots):
        raise LookupError(code)
    enterprises = restrict(Enterprise.objects.all(), user).filter(division__code__startswith=code)
    if sector:
        enterprises = enterprises.filter(_sector_q(sector))
    from_counters = not scope_for(user).unit_paths
    fields = ["pk", "name", "lat", "lon", "register_revision__risk_level"]
    rows = list(enterprises.order_by().values_list(*fields, *(COUNTER_FIELDS if from_counters else ())))
    enterprise_counts: Counter[str] = Counter()
    point_counts: Counter[str] = Counter()
    points: list[list[Any]] = []
    unplaced = 0
    for row in rows:
        pk, name, lat, lon, risk_level = row[:5]
        key = str(risk_level) if risk_level else "none"
        enterprise_counts[key] += 1
        if from_counters:
            for level_key, n in zip(LEVEL_KEYS, row[5:], strict=True):
                point_counts[level_key] += n or 0
        if lat is None or lon is None:
            unplaced += 1
            continue
        if wanted != "" and risk_level != wanted:
            continue
        points.append([pk, name, round(lat, 5), round(lon, 5), risk_level])  # 5 decimals ≈ 1 m
    if not from_counters:
        point_counts.update(_point_counts_from_rows(user, code, sector))
    return {
        "division": code,
        "fields": ["id", "name", "lat", "lon", "level"],
        "rows": points,
        "total": len(rows),
        "unplaced": unplaced,
        "counts": {
            "enterprises": {k: enterprise_counts.get(k, 0) for k in LEVEL_KEYS},
            "points": {k: point_counts.get(k, 0) for k in LEVEL_KEYS},
        },
    }


def _point_counts_from_rows(user: Any, code: str, sector: str) -> dict[str, int]:
    risk_points = restrict(RiskPoint.objects.filter(active=True), user).filter(
        enterprise__division__code__startswith=code
    )
    if sector:
        risk_points = risk_points.filter(
            Exists(
                EnterpriseSector.objects.filter(enterprise_id=OuterRef("enterprise_id"), sector__code=sector)
            )
        )
    return {
        (str(lvl) if lvl else "none"): n
        for lvl, n in risk_points.order_by()
        .values_list("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
    }


def points_payload(user: Any, enterprise_id: Any) -> dict[str, Any]:
    """One enterprise's active risk points, on its site plan when it has one (else by lat/lon)."""
    enterprise = get_scoped_or_404(Enterprise.objects.select_related("division"), user, pk=enterprise_id)
    rows = list(
        restrict(RiskPoint.objects.filter(enterprise=enterprise, active=True), user)
        .order_by("level", "code", "id")
        .values("pk", "code", "name", "level", "location", "lat", "lon", "plan_x", "plan_y")
    )
    plan = site_plan_for(user, enterprise.pk)
    division = enterprise.division
    roots = root_codes(user)
    path = []
    if roots:
        names = dict(
            restrict(
                Division.objects.filter(code__in=[division.code[:6], division.code[:9], division.code]), user
            ).values_list("code", "name")
        )
        path = [
            {"code": c, "name": names[c]}
            for c in sorted(names, key=len)
            if in_roots(c, roots) and len(c) in (6, 9, 12) and division.code.startswith(c)
        ]
    counts = Counter(str(r["level"]) if r["level"] else "none" for r in rows)
    can_place = plan is not None and can_edit_register(user, enterprise.pk)
    return {
        "enterprise": {
            "id": enterprise.pk,
            "name": enterprise.name,
            "lat": enterprise.lat,
            "lon": enterprise.lon,
            "division": division.code,
            "url": reverse("enterprises:enterprise_detail", args=[enterprise.pk]),
        },
        "path": path,
        "plan": (
            {
                "url": reverse("risks:map_site_plan_image", args=[enterprise.pk]),
                "width": plan.width,
                "height": plan.height,
            }
            if plan is not None
            else None
        ),
        "points": [
            {
                "id": r["pk"],
                "code": r["code"],
                "name": r["name"],
                "level": r["level"],
                "location": r["location"],
                "lat": r["lat"],
                "lon": r["lon"],
                "x": r["plan_x"],
                "y": r["plan_y"],
                "url": reverse("risks:point_detail", args=[r["pk"]]),
                "placeUrl": reverse("risks:map_point_place", args=[r["pk"]]) if can_place else None,
            }
            for r in rows
        ],
        "canPlace": can_place,
        "counts": {"points": {k: counts.get(k, 0) for k in LEVEL_KEYS}},
    }
