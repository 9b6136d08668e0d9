"""HTML pages and Linked Data: ``GET /id/{id}`` (the entity page for browsers; every RDF format
of ``/sparql`` by ``Accept``, negotiated by :mod:`tdi_graph.conneg`), and
``GET /search`` (the named queries' pages: :mod:`.query_pages`). Server-rendered Jinja2."""

from __future__ import annotations

from typing import Annotated, Any, get_args

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from tdi_graph import conneg, facts, texts
from tdi_graph.entities import entity
from tdi_graph.namespaces import PREFIXES
from tdi_graph.search import Hit
from tdi_graph.view.ids import local_id
from tdi_graph.view.linked_data import context_iri, jsonld, statements
from tdi_graph.view.money import money
from tdi_graph.view.rows import select
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
    related = [
        e
        for e in facts.events(store, registry)
        if (e["place"] and e["place"]["id"] == answer["id"])
        or any(r["id"] == answer["id"] for r in (*e["participants"], *e["organizers"]))
    ]
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
        "events": related,
        "summary": _summary(answer, signatures, commitments, related),
        **(_document(services, iri, answer["id"]) if answer.get("document") else {}),
    }


def _document(services: Services, iri: str, ident: str) -> dict[str, Any]:
    """A document page's own text with each fact's excerpt marked, and its editorial notes
    (contradictions, corrections) from the curation graph."""
    registry = services.registry
    facts_here = registry.described_by.get(iri, [])
    excerpts = [
        (local_id(subject) or subject, s["excerpt"])
        for subject in facts_here
        for s in registry.evidence.get(subject, [])
        if s["id"] == ident and s["excerpt"]
    ]
    text = texts.read(services.store_dir, ident)
    paragraphs, marked, missing = texts.marked(text, excerpts) if text else ([], set(), [])
    notes: dict[str, dict[str, Any]] = {}
    for row in select(services.store, "api-document-notes", document=ident):
        note = row.iri("note")
        if note is None:
            continue
        entry = notes.setdefault(
            note,
            {
                "ref": registry.ref(note),
                "kind": row.text("kind"),
                "label": row.text("label"),
                "comment": row.text("comment"),
                "printed": row.text("printed"),
                "corrected": row.text("corrected"),
                "excerpts": [],
            },
        )
        if (excerpt := row.text("excerpt")) and excerpt not in entry["excerpts"]:
            entry["excerpts"].append(excerpt)
    labels = {local_id(s) or s: registry.label(s) for s in facts_here}
    return {
        "text": paragraphs,
        "has_text": text is not None,
        "fact_labels": labels,
        "marked": marked,
        "unmarked": missing,
        "notes": list(notes.values()),
    }


def _summary(
    answer: dict[str, Any],
    signatures: list[dict[str, Any]],
    commitments: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> dict[str, Any]:
    """The figures the page opens with: facts by kind, documents, first and last dates."""
    documents = {d["id"] for d in answer.get("mentioned_in") or ()}
    documents |= {s["id"] for s in answer.get("sources") or ()}
    dates = sorted(
        d
        for d in (
            *(s.get("date") for s in signatures),
            *(e.get("start") for e in events),
        )
        if d
    )
    return {
        "counts": [
            ("signatures", len(signatures)),  # named by t("summary.<kind>[s]")
            ("commitments", len(commitments)),
            ("events", len(events)),
            ("sources", len(documents)),
        ],
        "first": dates[0][:10] if dates else None,
        "last": dates[-1][:10] if dates else None,
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
