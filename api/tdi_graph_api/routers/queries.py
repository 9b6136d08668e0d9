"""The named-query library: ``GET /api/queries`` and ``GET /api/queries/{name}``.

Parameters are validated and bound by :mod:`tdi_graph.queries` (never by string formatting); the
query runs in the SPARQL worker pool, under the same time limit as ``/sparql``. Answers are pages
(``limit`` at most 1000 rows) with the ``total``, so the row cap of ``/sparql`` does not apply.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request

from tdi_graph import queries
from tdi_graph.errors import BadRequest
from tdi_graph.rdftypes import value_of
from tdi_graph.sparql import QueryRequest
from tdi_graph.view.resolve import resolve
from tdi_graph_api.deps import ServicesDep
from tdi_graph_api.schemas import MAX_OFFSET

router = APIRouter(tags=["queries"])

DEFAULT_LIMIT, MAX_LIMIT = 50, 1000


def _paging(request: Request) -> tuple[dict[str, str], int, int]:
    """The query's parameter values, and ``limit`` / ``offset``; 400 when malformed."""
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in values:
            raise BadRequest(f"parameter {key!r} is given more than once")
        values[key] = value
    paging = {}
    for key, bottom, default, top in (
        ("limit", 1, DEFAULT_LIMIT, MAX_LIMIT),
        ("offset", 0, 0, MAX_OFFSET),
    ):
        raw = values.pop(key, None)
        bounds = f"an integer between {bottom} and {top}"
        if raw is not None and not re.fullmatch(r"\s*[+-]?[0-9]{1,12}\s*", raw):
            raise BadRequest(f"{key} must be {bounds}, not {raw[:20]!r}")
        number = default if raw is None else int(raw)
        if not bottom <= number <= top:
            raise BadRequest(f"{key} must be {bounds}, not {number}")
        paging[key] = number
    return values, paging["limit"], paging["offset"]


def describe(named: queries.NamedQuery) -> dict[str, Any]:
    """The header of a named query, as JSON."""
    return {
        "name": named.name,
        "summary": named.summary,
        "summary_fr": named.summary_fr,
        "description": named.description,
        "kind": named.kind,
        "tags": list(named.tags),
        "params": [
            {
                "name": p.name,
                "type": p.type,
                "description": p.description,
                "default": p.default,
                "required": p.required,
                "class": p.cls,
            }
            for p in named.params
        ],
        "url": f"/api/queries/{named.name}",
    }


@router.get("/api/queries", summary="The named queries of queries/")
def list_queries(request: Request) -> dict[str, Any]:
    """Every named query with its header: summary, description, parameters, tags."""
    filters, limit, offset = _paging(request)
    tag = filters.pop("tag", None)
    if filters:
        raise BadRequest(
            f"unknown parameter(s): {', '.join(sorted(filters))} (use tag, limit, offset)"
        )
    items = [describe(q) for q in queries.catalogue().values() if tag is None or tag in q.tags]
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
    }


@router.get(
    "/api/queries/{name}",
    summary="Run a named query",
    responses={
        400: {"description": "Unknown, repeated or malformed parameter"},
        404: {"description": "No such named query"},
        503: {"description": "The query ran past the time limit and was stopped"},
    },
)
async def run_named(name: str, request: Request, services: ServicesDep) -> dict[str, Any]:
    """Run the query with its parameters (`?agreement=contrat-ti-nord-franche-comte`; defaults for
    the others) and answer its rows as plain values: `{"variables", "items", "total"}`. An
    entity parameter takes an id, a CURIE, an IRI, a name (`commune=Cholet`) or a code (INSEE
    `49099`, SIREN); an unknown entity is a 404, a value that is no id nor a known name (or
    names several entities) a 400, never an empty answer."""
    named = queries.get_query(name)
    values, limit, offset = _paging(request)
    for param in named.params:  # names and codes resolve to ids; unknown values are errors
        raw = values.get(param.name)
        if param.type == "iri" and raw and raw.strip():
            values[param.name] = resolve(
                raw,
                registry=services.registry,
                index=services.search,
                store=services.store,
                cls=param.cls,
                name=f"parameter {param.name!r}:",
            )
    try:
        bindings = named.bindings(values)
    except ValueError as exc:  # pyoxigraph refusing a full IRI (e.g. "http://x/a>")
        raise BadRequest(f"query {name!r}: {exc}") from None
    settings = services.settings
    text, substitutions = named.prepared(bindings, services.store)
    answer = await services.run_query(
        QueryRequest(
            text,
            substitutions=tuple((var.value, term) for var, term in substitutions.items()),
            allow_service=settings.allow_service,
            rows=(limit, offset),
        ),
        client=request.client.host if request.client else None,
    )
    data = answer.data or {}
    return {
        "name": named.name,
        "params": {var.value: value_of(term) for var, term in bindings.items()},
        **data,
        "limit": limit,
        "offset": offset,
    }
