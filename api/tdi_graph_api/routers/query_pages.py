"""The named queries for people who don't write SPARQL: ``GET /queries`` (the list, linked to
the forms) and ``GET /queries/{name}`` (a form built from the query's parameters, its result
table, and the CSV and JSON links of the same answer in ``/api/queries/{name}``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tdi_graph import queries
from tdi_graph.errors import TdiError
from tdi_graph_api.deps import ServicesDep
from tdi_graph_api.routers.queries import run_named
from tdi_graph_api.templating import templates

router = APIRouter(tags=["pages"])

ID_PREFIX = "https://w3id.org/tdi-graph/id/"
#: the entity search type that suggests values for a parameter of this class
SUGGEST = {"tdi:Commune": "place", "tdi:Region": "place"}
FIELD_TYPES = {"date": "date", "integer": "number", "decimal": "number"}


@router.get("/queries", response_class=HTMLResponse, summary="Named queries page")
async def queries_page(request: Request) -> HTMLResponse:
    """The named queries of `queries/`, each linked to its form `/queries/{name}`."""
    catalogue = sorted(queries.catalogue().values(), key=lambda q: (q.tags[:1], q.name))
    return templates.TemplateResponse(request, "queries.html", {"queries": catalogue})


def _fields(named: queries.NamedQuery, given: dict[str, str]) -> list[dict[str, Any]]:
    """One form field per parameter: its value, its example, how to suggest values."""
    return [
        {
            "name": p.name,
            "label": p.description or p.name,
            "type": p.type,
            "input": FIELD_TYPES.get(p.type, "text"),
            "required": p.required,
            "value": given.get(p.name, "" if p.required else (p.default or "")),
            "example": p.default or "",
            "suggest": p.type == "iri",
            "suggest_type": SUGGEST.get(p.cls or "", ""),
        }
        for p in named.params
    ]


def _cell(value: Any, services: Any) -> dict[str, Any]:
    """A result value for the table: an entity of the graph is a link with its label."""
    if isinstance(value, str) and value.startswith(ID_PREFIX):
        ref = services.registry.ref(value) if services.registry.knows(value) else None
        local = value.removeprefix(ID_PREFIX)
        return {"href": f"/id/{local}", "text": ref["label"] if ref else local}
    if isinstance(value, str) and value.startswith(("http://", "https://")) and " " not in value:
        local = value.rsplit("#", 1)[-1] if "#" in value else value.rstrip("/").rsplit("/", 1)[-1]
        return {"text": local or value, "title": value}  # an ontology term: its local name
    return {"text": "" if value is None else str(value)}


@router.get("/queries/{name}", response_class=HTMLResponse, summary="A named query's form")
async def query_form(name: str, request: Request, services: ServicesDep) -> HTMLResponse:
    """The form of the query's parameters (entity fields suggest names from the search), and,
    once submitted (or straight away for a query without required parameter), its results
    with links to the same answer in CSV and JSON."""
    named = queries.get_query(name)
    given = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")}
    submitted = bool(request.query_params) or not any(p.required for p in named.params)
    context: dict[str, Any] = {
        "query": named,
        "fields": _fields(named, given),
        "example": urlencode(named.example()),
        "submitted": submitted,
    }
    status = 200
    if submitted:
        filled = {k: v for k, v in request.query_params.multi_items() if v != ""}
        api = f"/api/queries/{name}" + (f"?{urlencode(filled)}" if filled else "")
        try:
            filled_request = Request({**request.scope, "query_string": urlencode(filled).encode()})
            answer = await run_named(name, filled_request, services)
        except TdiError as exc:
            status, context["error"] = exc.status, exc.message
        else:
            variables = answer.get("variables") or sorted(
                {k for r in answer.get("items", []) for k in r}
            )
            context.update(
                answer=answer,
                variables=variables,
                rows=[
                    [_cell(r.get(v), services) for v in variables] for r in answer.get("items", [])
                ],
                csv_url=api + ("&" if filled else "?") + "format=csv",
                json_url=api,
                pager=_pager(name, filled, answer),
            )
    return templates.TemplateResponse(request, "query_form.html", context, status_code=status)


def _pager(name: str, filled: dict[str, str], answer: dict[str, Any]) -> dict[str, str]:
    """Links to the previous and next pages of the results."""
    limit, offset, total = answer.get("limit", 50), answer.get("offset", 0), answer.get("total", 0)
    base = {k: v for k, v in filled.items() if k not in ("limit", "offset")}
    links = {}
    if offset > 0:
        links["prev"] = f"/queries/{name}?" + urlencode({**base, "offset": max(0, offset - limit)})
    if offset + limit < total:
        links["next"] = f"/queries/{name}?" + urlencode({**base, "offset": offset + limit})
    return links
