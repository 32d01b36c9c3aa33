"""Test helpers for walking the API: every route with its method, and a way to fill its path.

    for route in api_routes():
        for url in route.urls(path_values_for(world.ent_b, world.town_b)):
            client.generic(route.method, url, ...)

Routes come from the OpenAPI document of the live NinjaAPI, so a router added later is walked
without anyone listing it. Path parameters are filled by name: `code` (and any `*_code`/`division`)
with division codes; `<model>_id` with the ids of that model's rows that belong to the given
enterprise (any model with a `scope_rule`, matched by name: `person_id` → Person, `org_unit_id` →
OrgUnit, `risk_point_id` → RiskPoint, …); `grid_id` with the given grids.
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


def _param_model(name: str) -> type[models.Model] | None:
    """`person_id` → Person, `org_unit_id` → OrgUnit (by model name without underscores)."""
    if not name.endswith("_id"):
        return None
    wanted = name[: -len("_id")].replace("_", "")
    for model in apps.get_models():
        if model._meta.model_name == wanted and hasattr(model, "scope_rule"):
            return model
    return None


def path_values_for(
    enterprise: Any, *divisions: Any, params: Iterable[str] | None = None
) -> dict[str, list[str]]:
    """Candidate path values: objects of `enterprise` (by model), `divisions` codes, their grids.

    `params` limits the work to those parameter names (default: every parameter of every route).
    """
    names = set(params) if params is not None else {p for r in api_routes() for p in r.params}
    codes = sorted({d.code for d in divisions} | {enterprise.division_id})
    values: dict[str, list[str]] = {}
    for name in names:
        if name == "code" or name == "division" or name.endswith("_code"):
            values[name] = codes
            continue
        if name == "grid_id":
            from safegrid.regions.models import Grid

            grids = Grid.objects.filter(division__code__in=codes) | Grid.objects.filter(pk=enterprise.grid_id)
            values[name] = sorted({str(pk) for pk in grids.values_list("pk", flat=True)})
            continue
        model = _param_model(name)
        lookup = _enterprise_lookup(model) if model is not None else None
        if model is None or lookup is None:
            continue
        rows = model._default_manager.filter(**{lookup: enterprise.pk}).order_by("pk")
        values[name] = [str(pk) for pk in rows.values_list("pk", flat=True)[:5]]
    return values
