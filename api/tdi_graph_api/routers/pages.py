"""HTML pages and Linked Data: ``GET /id/{id}`` (the entity page for browsers; every RDF format
of ``/sparql`` by ``Accept``, negotiated by :mod:`tdi_graph.conneg`), ``GET /search`` and
``GET /queries``. Server-rendered Jinja2."""

from __future__ import annotations

from typing import Annotated, Any, get_args

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from tdi_graph import conneg, facts, queries
from tdi_graph.entities import jsonld, statements
from tdi_graph.namespaces import PREFIXES
from tdi_graph_api.routers.entities import EntityId, Graph, GraphDep, entity_answer
from tdi_graph_api.routers.search import SearchDep, SearchType
from tdi_graph_api.schemas import FastJSON, errors
from tdi_graph_api.templating import templates

router = APIRouter(tags=["pages"])

PAGE_SIZE = 20
ENTITY_FORMATS = conneg.formats("entity")  # HTML, then every RDF format /sparql serves


@router.get(
    "/id/{entity_id}",
    summary="Dereference an entity IRI",
    response_class=Response,
    responses={
        200: {
            "description": "The entity's page, or its description in RDF.",
            "content": {f.media_type: {} for f in ENTITY_FORMATS},
        },
        **errors(400, 404, 406, 422),
    },
)
async def dereference(
    request: Request,
    graph: GraphDep,
    entity_id: EntityId,
    format: Annotated[
        str | None,
        Query(
            description="Force a format: html, turtle, jsonld, ntriples, rdfxml, trig or nquads "
            "(else `Accept` decides)."
        ),
    ] = None,
) -> Response:
    """`https://w3id.org/tdi-graph/id/{id}` resolves here. Browsers get the HTML page; Linked
    Data clients get the entity's concise bounded description (its statements with the blank
    nodes of its evidence and periods, and the statements pointing to it) in Turtle, JSON-LD
    (context: `/context.jsonld`), N-Triples, RDF/XML, TriG or N-Quads, as `Accept` asks."""
    fmt = conneg.negotiate("entity", request.headers.get("accept"), format)
    kind = fmt.name
    iri = graph.registry.resolve(entity_id)
    headers = {"Vary": "Accept", "Link": _alternates(entity_id)}
    if kind == "html":
        context = entity_context(graph, entity_id)
        return templates.TemplateResponse(request, "entity.html", context, headers=headers)
    outgoing, incoming = statements(graph.store, iri)
    triples = outgoing + incoming
    media = fmt.content_type
    if kind == "jsonld":
        document = jsonld(triples, str(request.url_for("context")))
        return FastJSON(document, media_type=media, headers=headers)
    assert fmt.rdf is not None
    data: Any = triples
    if fmt.rdf.supports_datasets:
        data = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    body = ox.serialize(data, format=fmt.rdf, prefixes=dict(PREFIXES))
    return Response(body, media_type=media, headers=headers)


def _alternates(entity_id: str) -> str:
    return ", ".join(
        f'</id/{entity_id}?format={f.name}>; rel="alternate"; type="{f.media_type}"'
        for f in ENTITY_FORMATS
    )


def entity_context(graph: Graph, entity_id: str) -> dict[str, Any]:
    """What the entity page shows: the description, its facts, relations grouped by property."""
    store, registry = graph.store, graph.registry
    entity = entity_answer(graph, entity_id)
    iri, kind = entity["iri"], entity["type"]
    signatures: list[dict[str, Any]] = []
    commitments: list[dict[str, Any]] = []
    if kind in ("person", "organisation"):
        signatures = facts.signatures(store, registry, actor=iri)
        commitments = facts.commitments(store, registry, actor=iri)
    elif kind == "agreement":
        signatures = facts.signatures(store, registry, agreement=iri)
    elif kind == "event":
        signatures = facts.signatures(store, registry, event=iri)
    elif kind == "territory":
        signatures = facts.signatures(store, registry, territory=iri)
    elif kind == "programme":
        commitments = facts.commitments(store, registry, programme=iri)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for relation in entity["relations"]:
        key = (relation["direction"], relation["label"])
        groups.setdefault(key, []).append(relation["target"])
    return {
        "e": entity,
        "signatures": signatures,
        "commitments": commitments,
        "amount_total": facts.amount_total(commitments) if commitments else None,
        "out_groups": [(label, t) for (d, label), t in groups.items() if d == "out"],
        "in_groups": [(label, t) for (d, label), t in groups.items() if d == "in"],
    }


@router.get(
    "/search", response_class=HTMLResponse, summary="Search page", responses=errors(422, html=True)
)
async def search_page(
    request: Request,
    index: SearchDep,
    q: Annotated[str, Query(max_length=200, description="What to look for.")] = "",
    type: Annotated[SearchType | None, Query(description="Only this type.")] = None,
    page: Annotated[int, Query(ge=1, le=1000, description="Page of results.")] = 1,
) -> HTMLResponse:
    """The search form and its results, linked to the entity pages; with a type and no text,
    every entity of that type."""
    total, hits, offset = 0, [], (page - 1) * PAGE_SIZE
    if q.strip():
        total, hits = index.search(q, [type] if type else None, limit=PAGE_SIZE, offset=offset)
    elif type:
        total, hits = index.browse(type, limit=PAGE_SIZE, offset=offset)
    return templates.TemplateResponse(
        request,
        "search.html",
        {
            "q": q,
            "type": type or "",
            "hits": hits,
            "total": total,
            "page": page,
            "pages": (total + PAGE_SIZE - 1) // PAGE_SIZE,
            "types": get_args(SearchType),
        },
    )


@router.get("/queries", response_class=HTMLResponse, summary="Named queries page")
async def queries_page(request: Request) -> HTMLResponse:
    """The named queries of `queries/`, linked to their results in `/api/queries/{name}`."""
    catalogue = sorted(queries.catalogue().values(), key=lambda q: (q.tags[:1], q.name))
    return templates.TemplateResponse(request, "queries.html", {"queries": catalogue})
