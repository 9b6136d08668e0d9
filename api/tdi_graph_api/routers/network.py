"""The actor network: ``/api/network`` (JSON, GraphML, GEXF, PNG, SVG) and the ``/network`` page.

The network is built once per store and each export (drawings included) is computed once
per set of parameters, by :class:`tdi_graph.network.Views`, the one object this router keeps
on ``app.state`` (``tdi_network``).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from tdi_graph import network_options as options
from tdi_graph.namespaces import local_id
from tdi_graph_api.deps import Services, ServicesDep
from tdi_graph_api.templating import templates

if TYPE_CHECKING:
    from tdi_graph import network

router = APIRouter()

Format = Literal[options.FORMATS]  # type: ignore[valid-type]
Projection = Literal[options.PROJECTIONS]  # type: ignore[valid-type]
Metric = Literal[options.METRICS]  # type: ignore[valid-type]
_LOCK = threading.Lock()
_VIEWS_KEPT = 64


def views(request: Request, services: Services) -> network.Views:
    """The network views of the app's store (made on first use): up to 64 exports kept, at
    most the settings' ``api_cache_size`` (drawings weigh up to a few hundred kB each).
    networkx is imported then, not when the app starts."""
    from tdi_graph import network

    with _LOCK:
        found = getattr(request.app.state, "tdi_network", None)
        if found is None or found.store is not services.store:
            size = min(services.settings.answers_kept(), _VIEWS_KEPT)
            found = request.app.state.tdi_network = network.Views(
                services.store, size=size, registry=services.registry
            )
        return found


def _names(raw: str | None) -> tuple[str, ...]:
    """Comma-separated names, trimmed, without empties."""
    return tuple(part.strip() for part in (raw or "").split(",") if part.strip())


def _short_id(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    return local_id(raw) or raw


@router.get(
    "/api/network",
    tags=["network"],
    summary="The actor network",
    response_class=Response,
    responses={
        200: {
            "description": "Cytoscape.js JSON (nodes with type and metrics, edges with relation "
            "and sources: documents with their excerpts, or the reason a curated edge stands), "
            "GraphML, GEXF, or a PNG / SVG drawing",
            "content": {media: {} for media in options.MEDIA_TYPES.values()},
        },
        400: {"description": "unknown type, relation or projection; since after until"},
        404: {"description": "the focus is not a node of the network"},
        422: {"description": "malformed parameter (format, depth, date...)"},
    },
)
def get_network(
    request: Request,
    services: ServicesDep,
    format: Annotated[
        Format, Query(description="json (Cytoscape.js), graphml, gexf, png, svg")
    ] = "json",
    focus: Annotated[
        str | None, Query(max_length=300, description="a node id (or IRI): its ego network")
    ] = None,
    depth: Annotated[int, Query(ge=0, le=options.MAX_DEPTH, description="links from focus")] = 2,
    types: Annotated[
        str | None,
        Query(
            alias="type",
            description="node types, comma-separated: person, organisation, territory, "
            "event, agreement, programme, project, place (ontology/presentation.ttl)",
        ),
    ] = None,
    relation: Annotated[
        str | None, Query(description="edge relations, comma-separated (see /network)")
    ] = None,
    since: Annotated[
        dt.date | None, Query(description="edges dated on or after (YYYY-MM-DD)")
    ] = None,
    until: Annotated[dt.date | None, Query(description="edges dated on or before")] = None,
    projection: Annotated[
        Projection,
        Query(
            description="full, actors (co-signature, co-participation), "
            "agreements (actor-agreement bipartite), hierarchy (organisations)"
        ),
    ] = "full",
    metric: Annotated[Metric, Query(description="node size in drawings")] = "degree",
) -> Response:
    """The actor network, or a view of it: filters, projection, ego network of ``focus``."""
    data = views(request, services).export(
        format,
        projection=projection,
        types=_names(types),
        relations=_names(relation),
        since=since,
        until=until,
        focus=_short_id(focus),
        depth=depth,
        metric=metric,
    )
    headers = {}
    if format in ("graphml", "gexf"):
        headers["Content-Disposition"] = f'attachment; filename="tdi-network.{format}"'
    return Response(data, media_type=options.MEDIA_TYPES[format], headers=headers)


@router.get("/network", response_class=HTMLResponse, include_in_schema=False)
def network_page(
    request: Request,
    services: ServicesDep,
    focus: Annotated[str | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    """The interactive network page (Cytoscape.js, vendored)."""
    from tdi_graph import network

    shown = network.legend(views(request, services).graph())
    context = {
        "relations": shown["relations"],
        "types": shown["types"],
        "colours": shown["colours"],
        "metrics": options.METRICS,
        "projections": options.PROJECTIONS,
        "focus": _short_id(focus) or "",
    }
    return templates.TemplateResponse(request, "network.html", context)
