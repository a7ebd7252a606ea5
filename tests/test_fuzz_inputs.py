"""Hypothesis throws junk at every JSON endpoint and every Gradio handler: never a 5xx or an
unexpected exception, and nothing stored.

Both lists are found, not written down: the endpoints are the app's routes under ``/api/``
and the handlers are the functions of ``workbench.ui.handlers.*`` that take the Workbench,
so a new one is fuzzed without touching this file. Every example carries at least one bad
part (an id that names no row, text beyond its limit or with characters that cannot be
stored, NaN, infinity, a wrong type for the JSON API...), so a refusal is the only right
answer, and the database must be exactly as before.
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
import pkgutil

import sqlalchemy as sa
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from test_input_limits import site  # noqa: F401 - the shared store and app, one per backend

import workbench.ui.handlers
from workbench.store.models import Base
from workbench.workflow import limits
from workbench.workflow.errors import WorkbenchError

EXAMPLES = 20
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def snapshot(wb) -> dict:
    """Every row of every table but the sign-in bookkeeping: sessions (the clients signed in
    beforehand), and the attempts and throttle buckets a refused sign-in rightly counts."""
    with wb.store.engine.connect() as conn:
        return {table.name: sorted(map(tuple, conn.execute(sa.select(table))), key=repr)
                for table in Base.metadata.sorted_tables
                if table.name not in ("sessions", "login_attempts", "throttle_buckets")}


# --- junk -------------------------------------------------------------------------------

UNSTORABLE = ["\x00", "\ud800", "\udfff", "\x07", "\x1b", "\x7f", "\x9f"]
plausible_text = st.text(alphabet="안녕하세요 네. abc", max_size=12)
unstorable_text = st.builds(lambda head, bad, tail: head + bad + tail, plausible_text, st.sampled_from(UNSTORABLE),
                            plausible_text)
too_long_text = st.integers(limits.SEGMENT_TEXT + 1, 3 * limits.SEGMENT_TEXT).map(lambda n: "가" * n)
not_finite = st.sampled_from([math.nan, math.inf, -math.inf])
huge_int = st.one_of(st.integers(min_value=limits.DB_INT_MAX + 1, max_value=2**80),
                     st.integers(min_value=-(2**80), max_value=-1))
containers = st.one_of(st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))

BAD = {
    "str": st.one_of(unstorable_text, too_long_text, st.integers(), not_finite, containers),
    "int": st.one_of(huge_int, not_finite, st.floats(0.1, 0.9), plausible_text, containers),
    "float": st.one_of(not_finite, plausible_text, containers),
    # An id that cannot name a row: beyond the integer range, or in range but never used.
    "id": st.one_of(huge_int, st.just(0), st.integers(10**6, limits.DB_INT_MAX), not_finite, plausible_text),
}
# What Gradio's components can deliver to a handler: text boxes and pickers give text, number
# boxes and id pickers give numbers (or None). Wrong types are the JSON API's junk only.
HANDLER_BAD = {
    "str": st.one_of(unstorable_text, too_long_text),
    "int": st.one_of(huge_int, not_finite, st.floats(0.1, 0.9)),
    "float": not_finite,
    "id": st.one_of(huge_int, st.integers(10**6, limits.DB_INT_MAX), not_finite),
}
PLAUSIBLE = {
    "str": plausible_text,
    "int": st.integers(0, 3),
    "float": st.floats(0.0, 10.0),
    "bool": st.booleans(),
}


def kind_of(name: str, annotation) -> str:
    """``id``, ``str``, ``int``, ``float`` or ``bool`` for a parameter (annotations may be strings)."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    if name.endswith("_id"):
        return "id"
    for kind in ("bool", "float", "int", "str"):
        if kind in str(text):
            return kind
    return "str"


def real_ids(site) -> list[int]:
    """Ids that name rows the signed-in people can reach (segments and tasks of both tasks)."""
    segments = [s.id for s in site.wb.open_task(site.wb.actor("admin"), site.submitted).segments]
    return [site.editing, site.submitted, *[s.id for s in site.segments], *segments]


# --- every JSON endpoint ------------------------------------------------------------------


def api_routes(app) -> list[APIRoute]:
    """The app's endpoints under ``/api/``, including those of included routers (newer
    FastAPI keeps an included router as one entry of ``app.routes``)."""
    def walk(routes):
        for route in routes:
            if isinstance(route, APIRoute):
                yield route
            elif hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)

    return [r for r in walk(app.routes) if r.path.startswith("/api/")]


def body_fields(route: APIRoute) -> dict[str, str]:
    """The JSON body's fields and their kinds (a route with one pydantic body)."""
    fields = {}
    for param in route.dependant.body_params:
        model = param.field_info.annotation
        if inspect.isclass(model) and issubclass(model, BaseModel):
            fields |= {name: kind_of(name, f.annotation) for name, f in model.model_fields.items()}
        else:
            fields[param.name] = kind_of(param.name, model)
    return fields


def test_every_json_endpoint_refuses_junk_without_a_5xx_and_stores_nothing(site):  # noqa: F811
    routes = api_routes(site.app)
    assert len(routes) >= 13, [r.path for r in routes]
    ids = real_ids(site)
    clients = {"tina": site.tina, "rita": site.rita, "admin": site.admin}

    for route in routes:
        if route.dependant.path_params or body_fields(route):  # else nothing to send junk in (the claim)
            fuzz_route(site, route, ids, clients)()


def fuzz_route(site, route: APIRoute, ids: list[int], clients: dict):  # noqa: F811
    path_params = [p.name for p in route.dependant.path_params]
    fields = body_fields(route)
    method = sorted(route.methods)[0]

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        bad_part = data.draw(st.sampled_from([*(f"path:{p}" for p in path_params), *fields, *(["whole body"] if fields else [])]))
        path = route.path
        for name in path_params:
            value = data.draw(BAD["id"] if bad_part == f"path:{name}" else st.sampled_from(ids))
            path = path.replace("{" + name + "}", str(value))
        if bad_part == "whole body":
            body = data.draw(st.one_of(st.integers(), plausible_text, st.lists(st.integers(), max_size=2), st.none()))
        else:
            body = {name: data.draw(BAD[kind] if name == bad_part else PLAUSIBLE.get(kind, plausible_text))
                    for name, kind in fields.items() if name == bad_part or data.draw(st.booleans())}
        who = data.draw(st.sampled_from(sorted(clients)))
        before = snapshot(site.wb)
        # Python's json writes NaN and Infinity as bare words, and \ud800 escapes: both parse.
        content = json.dumps(body).encode() if fields else None
        response = clients[who].request(method, path, content=content, headers={"content-type": "application/json"})
        assert 400 <= response.status_code < 500, (who, method, path, body, response.status_code, response.text[:300])
        assert response.json()["detail"]
        assert snapshot(site.wb) == before, (who, method, path, body)

    return fuzz


# --- every Gradio handler -------------------------------------------------------------------


def handler_functions() -> list:
    """Every function of ``workbench.ui.handlers.*`` that takes something from the user
    besides the acting user, and either the Workbench or an id (e.g. the task frame's)."""
    found = []
    for info in pkgutil.iter_modules(workbench.ui.handlers.__path__):
        module = importlib.import_module(f"workbench.ui.handlers.{info.name}")
        for _, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__:
                continue
            params = list(inspect.signature(function).parameters.values())
            takes_input = [p for p in params if p.name not in ("wb", "actor")]
            if takes_input and (params[0].name == "wb" or any(p.name.endswith("_id") for p in params)):
                found.append(function)
    return found


def test_every_gradio_handler_refuses_junk_with_a_workbench_error_and_stores_nothing(site, tmp_path):  # noqa: F811
    handlers = handler_functions()
    assert len(handlers) >= 20, [h.__name__ for h in handlers]
    ids = real_ids(site)
    actors = [site.wb.actor(name) for name in ("tina", "rita", "admin")]
    upload = tmp_path / "clip.wav"
    upload.write_bytes(b"RIFF....WAVE")
    files = st.lists(st.sampled_from([upload, tmp_path / "missing.wav"]), max_size=2)

    for handler in handlers:
        fuzz_handler(site, handler, ids, actors, files)()


def fuzz_handler(site, handler, ids: list[int], actors: list, files):  # noqa: F811
    signature = inspect.signature(handler).parameters
    takes_wb, takes_actor = "wb" in signature, "actor" in signature
    # ``client`` is the server's own record of the peer address, never typed by a user.
    params = [p for p in signature.values() if p.name not in ("wb", "actor", "client")]
    kinds = {p.name: ("files" if "Path" in str(p.annotation) else kind_of(p.name, p.annotation)) for p in params}
    can_be_bad = [name for name, kind in kinds.items() if kind in HANDLER_BAD]

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        bad = data.draw(st.sampled_from(can_be_bad))
        values = {}
        for name, kind in kinds.items():
            if kind == "files":
                values[name] = data.draw(files)
            elif name == bad:
                values[name] = data.draw(HANDLER_BAD[kind])
            else:
                values[name] = data.draw(st.sampled_from(ids) if kind == "id" else PLAUSIBLE[kind])
        args = [data.draw(st.sampled_from(actors))] if takes_actor else []
        positional = [values[p.name] for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        keywords = {p.name: values[p.name] for p in params if p.kind is p.KEYWORD_ONLY}
        if "client" in signature:
            keywords["client"] = "127.0.0.1"
        before = snapshot(site.wb)
        try:
            handler(*([site.wb] if takes_wb else []), *args, *positional, **keywords)
        except WorkbenchError as error:
            assert str(error)
        assert snapshot(site.wb) == before, (handler.__name__, positional, keywords)

    return fuzz
