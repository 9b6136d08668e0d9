"""``/.well-known/void``: the dataset described in VoID and DCAT, with the store's own counts."""

from __future__ import annotations

import json

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from tdi_graph import void
from tdi_graph.dump import MANIFEST, latest
from tdi_graph_api.deps import ServicesDep

router = APIRouter(tags=["dataset"])
FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _format(accept: str) -> ox.RdfFormat:
    """The first RDF format ``Accept`` names, else Turtle."""
    for item in accept.split(","):
        media = item.split(";")[0].strip().lower()
        if media in FORMATS:
            return FORMATS[media]
    return ox.RdfFormat.TURTLE


@router.get(
    "/.well-known/void",
    summary="The dataset's VoID and DCAT description",
    responses={200: {"content": {m: {} for m in FORMATS}}},
)
async def dataset_description(request: Request, services: ServicesDep) -> Response:
    """Triples, entities, classes and properties (with a partition each), the named graphs,
    the Wikidata linkset and the INSEE and SIREN identifiers, licences, sources, the SPARQL
    endpoint and the dumps. Turtle, or JSON-LD, N-Triples or RDF/XML by `Accept`."""
    public = (services.settings.public_url or str(request.base_url)).rstrip("/")
    folder = latest(services.settings.dumps_dir)
    manifest = json.loads((folder / MANIFEST).read_text()) if folder else None
    triples = void.describe(services.store, public, manifest, services.dataset_counts)
    fmt = _format(request.headers.get("accept", ""))
    return Response(void.serialize(triples, fmt), media_type=fmt.media_type)
