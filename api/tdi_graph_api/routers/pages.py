"""HTML pages and Linked Data: ``GET /id/{id}`` (the entity page for browsers; every RDF format
of ``/sparql`` by ``Accept``, negotiated by :mod:`tdi_graph.conneg`), and
``GET /search`` (the named queries' pages: :mod:`.query_pages`). Server-rendered Jinja2."""

from __future__ import annotations

from typing import Annotated, Any, get_args

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from tdi_graph import conneg, facts
from tdi_graph.entities import entity
from tdi_graph.namespaces import PREFIXES
from tdi_graph.search import Hit
from tdi_graph.view.linked_data import context_iri, jsonld, statements
from tdi_graph.view.money import money
from tdi_graph_api.deps import EntityId, SearchDep, SearchType, Services, ServicesDep
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
    services: ServicesDep,
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
    (context: `{TDI_BASE_URL}context.jsonld`, its IRI under the base, so that a saved document
    does not point at this server's host), N-Triples, RDF/XML, TriG or N-Quads, as `Accept` asks."""
    fmt = conneg.negotiate("entity", request.headers.get("accept"), format)
    kind = fmt.name
    iri = services.registry.resolve(entity_id)
    headers = {"Vary": "Accept", "Link": _alternates(entity_id)}
    if kind == "html":
        context = entity_context(services, iri)
        return templates.TemplateResponse(request, "entity.html", context, headers=headers)
    outgoing, incoming = statements(services.store, iri)
    triples = outgoing + incoming
    media = fmt.content_type
    if kind == "jsonld":
        document = jsonld(triples, context_iri(services.settings.base_url))
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


def entity_context(services: Services, iri: str) -> dict[str, Any]:
    """What the entity page shows: the description, its facts, relations grouped by property."""
    store, registry = services.store, services.registry
    answer = entity(store, registry, iri)
    kind = answer["type"]
    signatures: list[dict[str, Any]] = []
    commitments: list[dict[str, Any]] = []
    funds: dict[str, Any] | None = None
    if kind in ("person", "organisation"):
        signatures = facts.signatures(store, registry, actor=iri)
        commitments = facts.commitments(store, registry, actor=iri)
        funds = money(store, registry, actor=iri) if commitments else None
    elif kind == "agreement":
        signatures = facts.signatures(store, registry, agreement=iri)
    elif kind == "event":
        signatures = facts.signatures(store, registry, event=iri)
    elif kind == "territory":
        signatures = facts.signatures(store, registry, territory=iri)
    elif kind == "programme":
        commitments = facts.commitments(store, registry, programme=iri)
        funds = money(store, registry, programme=iri) if commitments else None
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for relation in answer["relations"]:
        key = (relation["direction"], relation["predicate"], relation["label"])
        groups.setdefault(key, []).append(relation["target"])
    return {
        "e": answer,
        "signatures": signatures,
        "commitments": commitments,
        "money": funds,
        "out_groups": [(p, label, t) for (d, p, label), t in groups.items() if d == "out"],
        "in_groups": [(p, label, t) for (d, p, label), t in groups.items() if d == "in"],
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
    total, offset = 0, (page - 1) * PAGE_SIZE
    hits: list[Hit] = []
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
