"""The scope sweep: every page and every API operation, requested by ten personas with
the ids of the nearest objects each must not reach, reads and writes. Out of scope
answers 404 or 403 (anonymous: the login page, or 401 from the API) and changes
nothing in the database; the persona in scope reads the same ids without a 404; no GET
changes anything. The expectations are in sweep_routes.py, the world in sweep_world.py.

A route without an expectation fails `test_every_route_has_an_expectation`; see
docs/architecture.md ("Scopes") for how to add one.
"""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cakap.api import api
from cakap.attendance.links import link_token
from cakap.core.tests import sweep_world
from cakap.core.tests.sweep_routes import (
    API,
    GROUP_LEVEL,
    PAGES,
    PROGRAMME_LEVEL,
    REFUSAL_LOG,
    ROUTES,
    RULES,
    SIGNED_IN,
    Lit,
    Ref,
    Route,
)
from cakap.core.tests.sweep_world import NOW, PERSONAS, SweepWorld

WRITE_WORDS = {"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "WITH", "TRUNCATE"}
TABLE_FILE = "cakap/core/tests/sweep_routes.py"


# ---------------------------------------------------------------- the routes


def _walk(resolver: URLResolver, prefix: str = "", ns: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{ns}:{entry.namespace}" if ns and entry.namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner or ns)
        elif isinstance(entry, URLPattern):
            name = f"{ns}:{entry.name}" if ns else str(entry.name)
            yield name, prefix + str(entry.pattern)


def url_patterns() -> list[tuple[str, str]]:
    """(name, pattern) of every URL pattern of the root resolver, nested ones included."""
    return list(_walk(get_resolver()))


def _api_path(pattern: str) -> str:
    """The pattern "api/v1/units/<unit_id>" as the schema spells it: "/api/v1/units/{unit_id}"."""
    return "/" + pattern.replace("<", "{").replace(">", "}")


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def page_names() -> set[str]:
    """Every named pattern outside the admin (checked as one group) and the API's
    operations (checked one by one from the schema)."""
    schema_paths = set(api.get_openapi_schema()["paths"])
    names = set()
    for name, pattern in url_patterns():
        if name.startswith("admin:"):
            continue
        if name.startswith("api:") and _api_path(pattern) in schema_paths:
            continue
        names.add(name)
    return names


def test_every_route_has_an_expectation():
    missing = sorted(page_names() - {r.key for r in PAGES}) + sorted(
        api_operations() - {r.key for r in API}
    )
    stale = sorted({r.key for r in PAGES} - page_names()) + sorted(
        {r.key for r in API} - api_operations()
    )
    assert not missing, (
        f"Routes without an expectation in the scope sweep: {missing}. Add one line each to "
        f"PAGES or API in {TABLE_FILE} (see docs/architecture.md, Scopes)."
    )
    assert not stale, f"Expectations in {TABLE_FILE} for routes that no longer exist: {stale}"


def test_every_rule_names_every_persona_and_kind():
    for name, rule in RULES.items():
        assert set(rule) == set(PERSONAS) - {"admin"}, name
    for route in ROUTES.values():
        assert (route.rule is None) != (route.gate is None), f"{route.key}: a rule or a gate"
        refs = [v.kind for v in route.data.values() if isinstance(v, Ref)]
        for kind in [*route.params.values(), *refs, *route.filters.values()]:
            if isinstance(kind, str):
                assert kind in PROGRAMME_LEVEL | GROUP_LEVEL | {"unit"}, (route.key, kind)


# ---------------------------------------------------------------- the world, once


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker) -> Iterator[SweepWorld]:
    """The sweep's world, built once in a transaction that the module rolls back; each
    test runs in a savepoint of it (pytest-django's `db`)."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        override_settings(
            PASSWORD_HASHERS=["conftest.FastArgon2PasswordHasher"], AXES_ENABLED=False
        ),
        transaction.atomic(),
    ):
        yield sweep_world.build()
        transaction.set_rollback(True)


@pytest.fixture
def frozen(sweep, db) -> SweepWorld:
    """The sweep's world, inside this test's savepoint, at NOW (the module travels)."""
    return sweep


# ---------------------------------------------------------------- one request


def _set_of(route: Route, persona: str, kind: str) -> str:
    if route.rule is None:
        return "A"
    code = RULES[route.rule][persona] if persona != "admin" else "AA"
    return code[0] if kind in PROGRAMME_LEVEL or kind == "unit" else code[1]


def _pk(world: SweepWorld, set_name: str, kind: str) -> int:
    if kind == "unit":
        return int(world.sets[set_name].objects["person"].unit_id)
    return world.sets[set_name].pk(kind)


def _resolve(
    world: SweepWorld, route: Route, persona: str, pure: str | None, variant: int = 0
) -> tuple[str, Any]:
    """The path and body of `route` for `persona`: its targets, or the ids of set `pure`."""

    def value(v: Any) -> Any:
        if isinstance(v, Lit):
            return v.value
        kind = v.kind if isinstance(v, Ref) else v
        return _pk(world, pure or _set_of(route, persona, kind), kind)

    chosen = route.params if variant == 0 else {**route.params, **route.variants[variant - 1]}
    params = {k: value(v) for k, v in chosen.items()}
    data = {k: value(v) if isinstance(v, Lit | Ref) else v for k, v in route.data.items()}
    if route.bad_token:
        params[route.bad_token[0]] = route.bad_token[1]
    if route.key.startswith(("GET /", "POST /", "PUT /", "PATCH /", "DELETE /")):
        return route.key.split()[1].format(**params), data
    return reverse(route.key, kwargs=params), data


@contextmanager
def _writes() -> Iterator[list[str]]:
    statements: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if word in WRITE_WORDS:
            statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield statements


def _changes(world: SweepWorld, statements: list[str]) -> list[str]:
    # Only a request that wrote something can have changed anything.
    return sweep_world.changes_since_built(world) if statements else []


def request(
    world: SweepWorld,
    route: Route,
    method: str,
    persona: str,
    pure: str | None = None,
    variant: int = 0,
    path: str | None = None,
) -> tuple[Any, list[str]]:
    """`persona` requests `route` with its targets (or set `pure`'s ids, or `path`):
    the response and the tables it changed."""
    resolved, data = _resolve(world, route, persona, pure, variant)
    path = path or resolved
    client = world.client(persona)
    is_api = path.startswith("/api/")
    with _writes() as statements:
        if method == "GET":
            response = client.get(path)
        elif is_api:
            response = client.generic(method, path, json.dumps(data), "application/json")
        else:
            response = client.generic(
                method, path, _form(data), "application/x-www-form-urlencoded"
            )
    return response, _changes(world, statements)


def _form(data: dict[str, Any]) -> str:
    return urlencode(data, doseq=True)


def _refusal_problem(route: Route, persona: str, response: Any, path: str) -> str | None:
    status = response.status_code
    if persona == "anonymous":
        if path.startswith("/api/"):
            return None if status == 401 else f"anonymous got {status}, not 401"
        location = response.get("Location", "")
        if status == 302 and location.startswith(resolve_url(settings.LOGIN_URL)):
            return None
        return f"anonymous got {status} {location}, not the login page"
    if status in route.refused or (status in (200, 400) and persona in route.logged):
        return None
    return f"{persona} got {status}, not one of {sorted(route.refused)}"


# ---------------------------------------------------------------- the cases


def _methods(route: Route) -> list[str]:
    return (["GET"] if route.get else []) + list(route.writes)


def _xfail_for(route: Route, method: str, persona: str, variant: int = 0) -> str | None:
    for x in route.xfail:
        if (
            method in x.methods
            and (x.personas is None or persona in x.personas)
            and (x.variant is None or x.variant == variant)
        ):
            return x.item
    return None


def _refused_personas(route: Route, method: str) -> list[str]:
    if route.everyone_gets:
        return list(PERSONAS)
    if route.gate is not None:
        return [p for p in PERSONAS if p not in route.gate]
    return [p for p in PERSONAS if p != "admin"]


def refusal_cases() -> Iterator[Any]:
    for route in ROUTES.values():
        for method in _methods(route):
            for variant in range(1 + len(route.variants)):
                name = f"{route.key} {method}" + (f" variant {variant}" if variant else "")
                plain: list[str] = []
                marked: list[str] = []
                for persona in _refused_personas(route, method):
                    item = _xfail_for(route, method, persona, variant)
                    (marked if item else plain).append(persona)
                if plain:
                    yield pytest.param(route.key, method, variant, tuple(plain), id=name)
                for persona in marked:
                    item = _xfail_for(route, method, persona, variant)
                    yield pytest.param(
                        route.key,
                        method,
                        variant,
                        (persona,),
                        id=f"{name} {persona}",
                        marks=pytest.mark.xfail(strict=True, reason=f"issue 9 item {item}"),
                    )


@pytest.mark.parametrize(("key", "method", "variant", "personas"), list(refusal_cases()))
def test_out_of_scope_is_refused_and_changes_nothing(frozen, key, method, variant, personas):
    route = ROUTES[key]
    problems = []
    for persona in personas:
        path, _data = _resolve(frozen, route, persona, None, variant)
        response, changed = request(frozen, route, method, persona, variant=variant)
        if route.everyone_gets:
            expected = route.everyone_gets
            if response.status_code not in expected:
                problems.append(f"{persona}: {response.status_code} not in {sorted(expected)}")
        else:
            problem = _refusal_problem(route, persona, response, path)
            if problem:
                problems.append(f"{path}: {problem}")
        if persona in route.logged:
            changed = [t for t in changed if t not in REFUSAL_LOG]
        if changed:
            problems.append(f"{persona} {method} {path} changed {changed}")
    assert not problems, "\n".join(problems)


def _pure_sets(route: Route) -> list[str]:
    if route.rule is None:
        return ["A"]
    used = set()
    for code in RULES[route.rule].values():
        for kind in route.params.values():
            if isinstance(kind, str):
                used.add(code[0] if kind in PROGRAMME_LEVEL else code[1])
    return sorted(used) or ["A"]


OWNERS = {"A": "participant", "B": "other_participant", "F": "f_participant"}


def _admitted(route: Route, pure: str) -> list[str]:
    if route.gate is not None:
        return sorted(route.gate)
    return [OWNERS[pure]] if route.rule == "OWN" else ["admin"]


def positive_cases() -> Iterator[Any]:
    for route in ROUTES.values():
        if not route.get or not route.positive or (route.everyone_gets and not route.bad_token):
            continue
        marks = []
        item = _xfail_for(route, "GET", "positive")
        if item:
            marks = [pytest.mark.xfail(strict=True, reason=f"issue 9 item {item}")]
        yield pytest.param(route.key, id=route.key, marks=marks)


TOKENS = {
    "programmes:ical-feed": lambda w: w.users["participant"].feed_token,
    "attendance:link-open": lambda w: link_token(w.sets["A"].objects["link"]),
}


@pytest.mark.parametrize("key", list(positive_cases()))
def test_in_scope_reads_and_no_get_changes_anything(frozen, key):
    route = ROUTES[key]
    problems = []
    for pure in _pure_sets(route):
        for persona in _admitted(route, pure):
            if route.bad_token and route.key not in TOKENS:
                continue
            path = None
            if route.bad_token:
                params = {k: v.value for k, v in route.params.items() if isinstance(v, Lit)}
                params[route.bad_token[0]] = TOKENS[route.key](frozen)
                path = reverse(route.key, kwargs=params)
            response, changed = request(frozen, route, "GET", persona, pure, path=path)
            status = response.status_code
            if status in (403, 404) or status >= 500:
                problems.append(f"{persona} read set {pure}: {status}")
            if changed:
                problems.append(f"{persona} GET set {pure} changed {changed}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- API list filters


def filter_cases() -> Iterator[Any]:
    for route in API:
        for name, kind in route.filters.items():
            yield pytest.param(route.key, name, kind, id=f"{route.key}?{name}")


def _count(body: Any) -> int:
    return int(body["count"]) if isinstance(body, dict) else len(body)


@pytest.mark.parametrize(("key", "name", "kind"), list(filter_cases()))
def test_list_filtered_by_an_out_of_scope_id_is_empty(frozen, key, name, kind):
    """A list filtered by the id of an object out of scope answers an empty list (or
    404/422), never that object's rows; the admin's list by the same id is not empty."""
    route = ROUTES[key]
    base = route.key.split()[1]
    problems = []
    for persona in sorted(SIGNED_IN):
        code = RULES["SEE"][persona] if persona != "admin" else None
        sets = [code[0] if kind in PROGRAMME_LEVEL else code[1]] if code else ["A", "B", "F"]
        for set_name in sets:
            pk = _pk(frozen, set_name, kind)
            response = frozen.client(persona).get(base, {name: pk})
            if persona == "admin":
                if response.status_code != 200 or _count(response.json()) == 0:
                    problems.append(f"admin {name}={pk}: {response.status_code} empty")
            elif response.status_code == 200:
                if _count(response.json()):
                    problems.append(f"{persona} {name}={pk} lists {_count(response.json())}")
            elif response.status_code not in (404, 422):
                problems.append(f"{persona} {name}={pk}: {response.status_code}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the admin site


def test_admin_site_is_for_staff_only(frozen):
    """Every admin page: anyone but staff is sent to the admin's login (or gets 404 from
    the catch-all); the admin opens every page that names no object."""
    login = reverse("admin:login")
    problems = []
    patterns = [(n, p) for n, p in url_patterns() if n.startswith("admin:")]
    assert patterns
    for name, pattern in patterns:
        # Signing in and out of the admin is for anyone, as on the site's own pages.
        if name in ("admin:login", "admin:logout"):
            continue
        path = "/" + _sample_path(pattern)
        for persona in ("organiser", "participant", "leader", "anonymous"):
            response = frozen.client(persona).get(path)
            ok = response.status_code == 404 or (
                response.status_code == 302 and response["Location"].startswith(login)
            )
            if not ok:
                problems.append(f"{persona} {path}: {response.status_code}")
        if "<" not in pattern and "(?P" not in pattern:
            with _writes() as statements:
                response = frozen.client("admin").get(path)
            # 403: a page the admin site offers nobody (adding a record by hand).
            if response.status_code not in (200, 403):
                problems.append(f"admin {path}: {response.status_code}")
            if _changes(frozen, statements):
                problems.append(f"admin GET {path} changed something")
    assert not problems, "\n".join(problems)


def _sample_path(pattern: str) -> str:
    path = re.sub(r"<[^>]+>", "1", pattern)
    path = re.sub(r"\(\?P<app_label>[^)]*\)", "programmes", path)
    path = re.sub(r"\(\?P<url>\.\*\)", "nothing-here/", path)
    return path.replace("^", "").replace("$", "")
