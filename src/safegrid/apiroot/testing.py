"""Test helpers for walking the API: every route with its method, and a way to fill its path.

    for route in api_routes():
        for url in route.urls(path_values_for(world.ent_b, world.town_b)):
            client.generic(route.method, url, ...)

Routes come from the OpenAPI document of the live NinjaAPI, so a router added later is walked
without anyone listing it. Path parameters are filled by name: `code` (and any `*_code`/`division`)
with division codes; `<model>_id` with the ids of that model's rows that belong to the given
enterprise (any model with a `scope_rule`, matched by name: `person_id` → Person, `org_unit_id` →
OrgUnit, `risk_point_id` → RiskPoint, …); `grid_id` with the given grids; `profile` with the national-format
targets.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models

PATH_PARAM = re.compile(r"\{(\w+)\}")
METHODS = ("get", "post", "put", "patch", "delete")
UNSAFE_METHODS = frozenset({"post", "put", "patch", "delete"})


@dataclass(frozen=True)
class ApiRoute:
    method: str  # lower case: get, post, put, patch, delete
    path: str  # OpenAPI template, e.g. "/api/v1/enterprises/{enterprise_id}"
    operation_id: str
    params: tuple[str, ...]  # path parameter names, in order

    @property
    def is_unsafe(self) -> bool:
        return self.method in UNSAFE_METHODS

    def url(self, **values: Any) -> str:
        """The path with every parameter replaced; KeyError names a parameter without a value."""
        return PATH_PARAM.sub(lambda m: str(values[m.group(1)]), self.path)

    def urls(self, candidates: Mapping[str, Sequence[Any]], limit: int = 50) -> list[str]:
        """Every combination of candidate values for the path parameters (at most `limit`)."""
        if not self.params:
            return [self.path]
        choices = [list(candidates.get(name, ())) for name in self.params]
        if any(not c for c in choices):
            missing = [n for n, c in zip(self.params, choices, strict=True) if not c]
            raise KeyError(f"no candidate values for path parameter(s) {missing} of {self.path}")
        combos = itertools.islice(itertools.product(*choices), limit)
        return [self.url(**dict(zip(self.params, combo, strict=True))) for combo in combos]


def api_routes(api: Any = None) -> list[ApiRoute]:
    """Every operation of the API, in document order."""
    if api is None:
        from .api import api as default_api

        api = default_api
    schema = api.get_openapi_schema()
    routes = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            routes.append(
                ApiRoute(
                    method=method,
                    path=path,
                    operation_id=str(operation.get("operationId", "")),
                    params=tuple(PATH_PARAM.findall(path)),
                )
            )
    return routes


def _enterprise_lookup(model: type[models.Model]) -> str | None:
    rule = getattr(model, "scope_rule", None)
    if rule is None or type(rule).__name__ != "ByEnterprise":
        return None
    return "pk" if rule.enterprise == "" else rule.enterprise


def _param_models(name: str, path: str) -> list[type[models.Model]]:
    """Scoped models a `<name>_id` parameter refers to: `person_id` → Person, `org_unit_id` → OrgUnit;
    a shortened name matches by suffix (`point_id` → RiskPoint), preferring the app named in the path."""
    if not name.endswith("_id"):
        return []
    wanted = name[: -len("_id")].replace("_", "")
    scoped = [m for m in apps.get_models() if _enterprise_lookup(m) is not None]
    exact = [m for m in scoped if m._meta.model_name == wanted]
    if exact:
        return exact
    suffixed = [m for m in scoped if str(m._meta.model_name).endswith(wanted)]
    segments = set(path.strip("/").split("/"))
    in_app = [m for m in suffixed if m._meta.app_label in segments]
    return in_app or suffixed


def path_values_for(
    enterprise: Any, *divisions: Any, routes: Iterable[ApiRoute] | None = None
) -> dict[str, list[str]]:
    """Candidate path values for `routes` (default: all): rows of `enterprise`, codes of `divisions`.

    `code`/`division`/`*_code` get the division codes (plus the enterprise's own division);
    `grid_id` the grids in those divisions and the enterprise's grid; `<model>_id` up to five ids of
    that model's rows belonging to the enterprise. A parameter no rule knows gets no values, and
    `ApiRoute.urls` then raises KeyError naming it, so a new kind of parameter cannot go unwalked.
    """
    from safegrid.regions.models import Grid

    codes = sorted({d.code for d in divisions} | {enterprise.division_id})
    values: dict[str, set[str]] = {}
    for route in api_routes() if routes is None else routes:
        for name in route.params:
            bucket = values.setdefault(name, set())
            if name in {"code", "division"} or name.endswith("_code"):
                bucket.update(codes)
            elif name == "profile":  # a national-format target (hazards.national)
                from safegrid.hazards.national.profiles import profiles

                bucket.update(profiles())
            elif name == "grid_id":
                grids = Grid.objects.filter(division__code__in=codes).values_list("pk", flat=True)
                bucket.update(str(pk) for pk in grids)
                if enterprise.grid_id:
                    bucket.add(str(enterprise.grid_id))
            else:
                for model in _param_models(name, route.path):
                    lookup = _enterprise_lookup(model)
                    assert lookup is not None  # _param_models only returns enterprise-scoped models
                    rows = model._default_manager.filter(**{lookup: enterprise.pk}).order_by("pk")
                    bucket.update(str(pk) for pk in rows.values_list("pk", flat=True)[:5])
    return {name: sorted(found) for name, found in values.items() if found}
