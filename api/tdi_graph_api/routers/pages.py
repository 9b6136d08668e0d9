"""HTML pages and Linked Data: ``GET /id/{id}`` (the entity page for browsers; Turtle, JSON-LD
or N-Triples by ``Accept``), ``GET /search`` and ``GET /queries``. Server-rendered Jinja2."""

from __future__ import annotations

from typing import Annotated, Any, get_args

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from tdi_graph import facts, queries
from tdi_graph.entities import entity, jsonld, statements
from tdi_graph.errors import TdiError
from tdi_graph.namespaces import PREFIXES
from tdi_graph_api.deps import EntityId, SearchDep, SearchType, Services, ServicesDep
from tdi_graph_api.schemas import FastJSON, errors
from tdi_graph_api.templating import templates

router = APIRouter(tags=["pages"])

#: format -> (media type sent, media types that ask for it in ``Accept``), server preference
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "html": ("text/html; charset=utf-8", ("text/html", "application/xhtml+xml")),
    "turtle": ("text/turtle; charset=utf-8", ("text/turtle", "application/x-turtle")),
    "jsonld": ("application/ld+json", ("application/ld+json", "application/json")),
    "ntriples": ("application/n-triples", ("application/n-triples", "text/plain")),
}
PAGE_SIZE = 20


class NotAcceptable(TdiError):
    """No format the client accepts."""

    status = 406
    code = "not_acceptable"


def _matches(media: str) -> tuple[int, list[str]]:
    """How specific ``media`` is (2 exact, 1 ``type/*``, 0 ``*/*``) and the formats it fits."""
    if media == "*/*":
        return 0, list(FORMATS)
    if media.endswith("/*"):
        family = media[:-1]
        return 1, [n for n, (sent, _) in FORMATS.items() if sent.startswith(family)]
    return 2, [n for n, (_, ok) in FORMATS.items() if media in ok]


def negotiate(accept: str | None, wanted: str | None = None) -> str:
    """The format to answer in: ``wanted`` (``?format=``) if given, else the best for ``Accept``.

    >>> negotiate("text/turtle;q=0.9, application/ld+json")
    'jsonld'
    >>> negotiate("text/html,application/xml;q=0.9,*/*;q=0.8")
    'html'
    >>> negotiate(None)
    'html'
    """
    if wanted:
        if wanted not in FORMATS:
            raise NotAcceptable(f"format {wanted!r}: use one of {', '.join(FORMATS)}")
        return wanted
    best: dict[str, tuple[float, int]] = {}
    for part in (accept or "*/*").split(","):
        media, *params = (p.strip().lower() for p in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        specificity, names = _matches(media)
        for name in names:
            if best.get(name, (-1.0, -1))[1] < specificity:  # the most specific range rules
                best[name] = (quality, specificity)
    ranked = [(-q, list(FORMATS).index(n), n) for n, (q, _) in best.items() if q > 0]
    if not ranked:
        raise NotAcceptable(f"cannot answer {accept!r}: HTML, Turtle, JSON-LD or N-Triples")
    return min(ranked)[2]


@router.get(
    "/id/{entity_id}",
    summary="Dereference an entity IRI",
    response_class=Response,
    responses={
        200: {
            "description": "The entity's page, or its description in RDF.",
            "content": {
                "text/html": {},
                "text/turtle": {},
                "application/ld+json": {},
                "application/n-triples": {},
            },
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
            description="Force a format: html, turtle, jsonld or ntriples (else `Accept` decides)."
        ),
    ] = None,
) -> Response:
    """`https://w3id.org/tdi-graph/id/{id}` resolves here. Browsers get the HTML page; Linked
    Data clients get the entity's concise bounded description (its statements with the blank
    nodes of its evidence and periods, and the statements pointing to it) in Turtle, JSON-LD
    (context: `/context.jsonld`) or N-Triples, as `Accept` asks."""
    kind = negotiate(request.headers.get("accept"), format)
    iri = services.registry.resolve(entity_id)
    headers = {"Vary": "Accept", "Link": _alternates(entity_id)}
    if kind == "html":
        context = entity_context(services, iri)
        return templates.TemplateResponse(request, "entity.html", context, headers=headers)
    outgoing, incoming = statements(services.store, iri)
    triples = outgoing + incoming
    media = FORMATS[kind][0]
    if kind == "jsonld":
        document = jsonld(triples, str(request.url_for("context")))
        return FastJSON(document, media_type=media, headers=headers)
    rdf_format = ox.RdfFormat.TURTLE if kind == "turtle" else ox.RdfFormat.N_TRIPLES
    body = ox.serialize(triples, format=rdf_format, prefixes=dict(PREFIXES))
    return Response(body, media_type=media, headers=headers)


def _alternates(entity_id: str) -> str:
    return ", ".join(
        f'</id/{entity_id}?format={name}>; rel="alternate"; type="{media.split(";")[0]}"'
        for name, (media, _) in FORMATS.items()
    )


def entity_context(services: Services, iri: str) -> dict[str, Any]:
    """What the entity page shows: the description, its facts, relations grouped by property."""
    store, registry = services.store, services.registry
    answer = entity(store, registry, iri)
    kind = answer["type"]
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
    for relation in answer["relations"]:
        key = (relation["direction"], relation["label"])
        groups.setdefault(key, []).append(relation["target"])
    return {
        "e": answer,
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
