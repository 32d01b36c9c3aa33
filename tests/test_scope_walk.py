"""The shared scope test: walk every registered URL and API route as users who must not see town B.

Nobody has to remember to add a new page here: the walker enumerates Django's URL resolver and the API's
OpenAPI document, fills every path parameter with the ids of town B's objects (those it finds by scope
rule, plus the ids every app's world extension reports: `<app>/testing.py: extend_world(world) -> Leaks`,
collected by `safegrid.testworld.extend_world`), and fails when a response
shows town B's data to a user of town A, enterprise A, a grid of town A, the chemicals regulator (for a
building-construction enterprise) or an outsider, or when an unsafe request changes anything of town B.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from safegrid.apiroot.testing import path_values_for
from safegrid.core.models import AuditEntry
from safegrid.testworld import build_world, extend_world

# Users who must never see enterprise B, with whether they may see town B's divisions/grids (regulators do).
WATCHERS = {
    "town_a": False,
    "grid_a": False,
    "ent_a": False,
    "post_a": False,
    "outsider": False,
    "dept_chem": True,
}
SKIP_PREFIXES = ("static/", "media/", "i18n/", "api/v1/")  # the API is walked through its OpenAPI document
PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


@pytest.fixture(scope="module")
def walk_world(module_db, django_db_blocker):
    """The base world plus every app's world extension (data for enterprise B and town B), built once for
    the module; each test runs in a savepoint inside the module's transaction (conftest `module_db`)."""
    with django_db_blocker.unblock():
        return extend_world(build_world())


@pytest.fixture
def world(walk_world, db):
    return walk_world


def _patterns(resolvers: list, prefix: str = "") -> Iterator[str]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _b_objects(world) -> dict[str, list[str]]:
    """Candidate values for path parameters: the ids of everything that belongs to town B / enterprise B.

    "int" pools the ids of every model (a `<int:pk>` names no model); a parameter the world extensions
    name (`point_id`, `filing_id`, …) and `enterprise`/`enterprise_id` get only their own values, so a
    town-B id never lands on a town-A object of another model by coincidence."""
    from django.apps import apps

    ids: set[str] = set()
    tokens: set[str] = set()
    for model in apps.get_models():
        rule = getattr(model, "scope_rule", None)
        if rule is None or type(rule).__name__ != "ByEnterprise":
            continue
        field = "pk" if rule.enterprise == "" else f"{rule.enterprise}_id"
        rows = model.objects.filter(**{field: world.ent_b.pk})
        ids.update(str(pk) for pk in rows.values_list("pk", flat=True))
        token_fields = [f.name for f in model._meta.concrete_fields if f.name.endswith("token")]
        for name in token_fields:
            tokens.update(str(v) for v in rows.values_list(name, flat=True))
    ids.add(str(world.grid_b.pk))
    extra = world.leak_ids()
    uuids = set(extra.pop("uuid", []))
    for values in extra.values():
        ids.update(v for v in values if v.isdigit())
    codes = {world.town_b.code, world.village_b.code}
    named = {f"name:{n}": sorted(set(v)) for n, v in extra.items() if n != "pk"}
    named["name:enterprise"] = named["name:enterprise_id"] = [str(world.ent_b.pk)]
    return {
        **named,
        "int": sorted(ids, key=int),
        "code": sorted(codes),
        "token": sorted(tokens) or ["missing"],
        "uuid": sorted(uuids) or ["00000000-0000-0000-0000-000000000000"],
    }


def _fill(pattern: str, candidates: dict[str, list[str]]) -> list[str]:
    params = list(PARAM.finditer(pattern))
    if not params:
        return [pattern]
    choices = []
    for match in params:
        name, conv = match["name"], match["conv"] or "str"
        if f"name:{name}" in candidates:
            choices.append(candidates[f"name:{name}"])
        elif "token" in name:
            choices.append(candidates["token"])
        elif conv == "uuid" or name == "uuid":
            choices.append(candidates["uuid"])
        elif name in {"code", "division"} or (conv == "str" and "code" in name):
            choices.append(candidates["code"])
        elif conv in {"int", "str", "slug", "path"}:
            choices.append(candidates["int"])
        else:
            choices.append(candidates["int"])
    urls = []
    for combo in itertools.product(*choices):
        url = pattern
        for match, value in zip(params, combo, strict=True):
            url = url.replace(match.group(0), value, 1)
        urls.append(url)
    return urls[:120]


def _markers(world, strict: bool) -> list[str]:
    enterprise_markers = [world.ent_b.name, world.ent_b.uscc, "赵架子工", "T-B-0001"]
    area_markers = [world.village_b.name, world.grid_b.name, world.town_b.name]
    return enterprise_markers + ([] if not strict else area_markers) + world.leak_markers(strict=strict)


def _body(response) -> str:
    """The response's text (streamed files, e.g. a filed book's PDF, read whole)."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="ignore")


def _unseen_state(user) -> dict:
    """What an out-of-scope request must not change: everything the user cannot read — the audit
    entries (sign-ins aside) and the rows of every scoped model (enterprise B's register, town B's job
    and notification, …). The user's own objects may change (an empty POST may be valid for them)."""
    from django.apps import apps

    from safegrid.core.scoping import restrict
    from safegrid.core.selectors import audit_entry_list

    audits = AuditEntry.objects.exclude(action__in=["login", "login_failed"])
    state = {"audit": audits.exclude(pk__in=audit_entry_list(user).values("pk")).count()}
    for model in apps.get_models():
        if getattr(model, "scope_rule", None) is None:
            continue
        manager = model._default_manager
        unseen = manager.exclude(pk__in=restrict(manager.all(), user).values("pk"))
        state[model._meta.label] = list(unseen.order_by("pk").values())
    return state


def _changed(before: dict, after: dict) -> list[str]:
    return [key for key in before if before[key] != after[key]]


def _web_urls(world) -> list[str]:
    candidates = _b_objects(world)
    urls: list[str] = []
    for pattern in _patterns(get_resolver().url_patterns):
        clean = pattern.lstrip("^").rstrip("$")
        if clean.startswith(SKIP_PREFIXES) or clean in {"healthz", "readyz"}:
            continue
        urls.extend("/" + url for url in _fill(clean, candidates))
    return urls


@pytest.mark.django_db
def test_walker_sees_pages_and_routes(world, client):
    """Sanity: the walker finds the pages, and the county does see town B through them."""
    urls = _web_urls(world)
    assert len(urls) > 20
    client.force_login(world.user("county_admin"), backend="django.contrib.auth.backends.ModelBackend")
    shown = 0
    markers = set(world.leak_markers(strict=True))
    seen: set[str] = set()
    for url in urls:
        response = client.get(url)
        body = _body(response) if response.status_code == 200 else ""
        if world.ent_b.name in body:
            shown += 1
        seen.update(m for m in markers if m in body)
    assert shown >= 3, "the county should see enterprise B on several pages"
    # The walk reaches the data the world extensions added (risk register, regional row, the job).
    risks = world.leaks["risks"]
    assert set(risks.markers + risks.area_markers + world.leaks["jobs"].markers) <= seen


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(WATCHERS))
def test_no_web_page_leaks_town_b(world, client, username):
    client.force_login(world.user(username), backend="django.contrib.auth.backends.ModelBackend")
    markers = _markers(world, strict=not WATCHERS[username])
    before = _unseen_state(world.user(username))
    leaks = []
    for url in _web_urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code >= 500:
                leaks.append(f"{method.upper()} {url} -> {response.status_code}")
                continue
            if response.get("Content-Type", "").startswith(("text/", "application/json")):
                body = _body(response)
                seen = [m for m in markers if m in body]
                if seen:
                    leaks.append(f"{method.upper()} {url} shows {seen}")
            elif response.status_code == 200 and method == "get" and re.search(r"/\d+/", url):
                leaks.append(f"GET {url} -> 200 {response.get('Content-Type')}")
    assert leaks == []
    assert _changed(before, _unseen_state(world.user(username))) == [], "an out-of-scope write landed"


def _api_routes(client) -> list[tuple[str, str, str]]:
    """(method, path, query): a required `enterprise` query parameter is given enterprise B's id."""
    spec = client.get("/api/v1/openapi.json").json()
    routes = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "patch", "put", "delete"}:
                query = {
                    p["name"]
                    for p in operation.get("parameters", [])
                    if p.get("in") == "query" and p.get("required")
                }
                routes.append((method, path, "?enterprise={ent_b}" if "enterprise" in query else ""))
    return routes


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(WATCHERS))
def test_no_api_route_leaks_town_b(world, client, username):
    from safegrid.core import tokens

    routes = _api_routes(client)
    assert len(routes) > 10
    token = tokens.token_issue(actor=world.user(username), user=world.user(username), name="walk")[0]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    candidates = _b_objects(world)
    # `<model>_id` parameters get that model's enterprise-B rows (not the pooled ids of every model).
    by_model = path_values_for(world.ent_b, world.town_b, world.village_b)
    candidates.update({f"name:{n}": v for n, v in by_model.items() if f"name:{n}" not in candidates})
    markers = _markers(world, strict=not WATCHERS[username])
    before = _unseen_state(world.user(username))
    leaks = []
    for method, path, query in routes:
        if path.rstrip("/").endswith("/auth/token"):
            continue
        api_pattern = re.sub(r"\{(\w+)\}", r"<\1>", path)
        for filled in _fill(api_pattern, candidates):
            url = filled + query.format(ent_b=world.ent_b.pk)
            if method == "get":
                response = client.get(url, **headers)
            else:
                response = getattr(client, method)(url, data={}, content_type="application/json", **headers)
            if response.status_code >= 500:
                leaks.append(f"{method.upper()} {url} -> {response.status_code}")
                continue
            body = _body(response)
            seen = [m for m in markers if m in body]
            if seen:
                leaks.append(f"{method.upper()} {url} shows {seen}")
            if method != "get" and response.status_code < 300 and "{" in path:
                leaks.append(f"{method.upper()} {url} -> {response.status_code} on a town-B object")
    assert leaks == []
    assert _changed(before, _unseen_state(world.user(username))) == [], "an out-of-scope write landed"
