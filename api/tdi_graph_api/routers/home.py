"""The home page: what the graph holds, the latest events, the way in (search, queries,
network, map, SPARQL, API)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tdi_graph import facts
from tdi_graph.search import SEARCH_TYPES
from tdi_graph_api.deps import ServicesDep
from tdi_graph_api.templating import templates

router = APIRouter(tags=["pages"])
LATEST_EVENTS = 5


@router.get("/", response_class=HTMLResponse, summary="Home page")
async def home(request: Request, services: ServicesDep) -> HTMLResponse:
    """What the graph holds (entities by type, signatures, source documents), the latest
    events, and links to search, queries, network, map, SPARQL and the API."""
    counts = services.registry.counts()
    dated = [e for e in facts.events(services.store, services.registry) if e["start"]]
    documents = sorted(
        services.registry.documents.values(), key=lambda d: (d["date"] or "", d["id"])
    )
    return templates.TemplateResponse(
        request,
        "home.html",
        {
            "counts": [(t, counts.get(t, 0)) for t in SEARCH_TYPES],
            "signatures": counts.get("signature", 0),
            "events": sorted(dated, key=lambda e: e["start"], reverse=True)[:LATEST_EVENTS],
            "documents": documents,
        },
    )
