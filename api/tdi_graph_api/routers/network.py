"""The actor network (``/api/network``, ``/network``) and the map (``/map``, GeoJSON routes).

The network is built once per store and kept on ``app.state``; each filtered view and each
GeoJSON answer is cached too (the store does not change while the app serves it).
"""

from __future__ import annotations

import datetime as dt
import gzip
import threading
from collections import OrderedDict
from typing import Annotated, Any, Literal

import networkx as nx
import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from tdi_graph import geo, network
from tdi_graph.namespaces import local_id
from tdi_graph_api.deps import StoreDep
from tdi_graph_api.templating import templates

router = APIRouter()

Format = Literal["json", "graphml", "gexf", "png", "svg"]
Projection = Literal["full", "actors", "agreements", "hierarchy"]
Metric = Literal["degree", "weighted_degree", "betweenness", "pagerank"]
_VIEWS_KEPT = 64
_GZIP_MIN = 1024


class _Cache:
    """What the routes computed for one store: the network, its views, the GeoJSON."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.lock = threading.Lock()
        self.graph: nx.MultiDiGraph | None = None
        self.views: OrderedDict[tuple, bytes] = OrderedDict()
        self.geojson: dict[tuple[str, int], tuple[bytes, bytes]] = {}

    def network(self) -> nx.MultiDiGraph:
        with self.lock:
            if self.graph is None:
                self.graph = network.build(self.store)
            return self.graph

    def view(self, key: tuple, make: Any) -> bytes:
        with self.lock:
            if key in self.views:
                self.views.move_to_end(key)
                return self.views[key]
        data = make()
        with self.lock:
            self.views[key] = data
            while len(self.views) > _VIEWS_KEPT:
                self.views.popitem(last=False)
        return data

    def geo(self, kind: str, phase: int, make: Any) -> tuple[bytes, bytes]:
        with self.lock:
            if (kind, phase) not in self.geojson:
                raw = geo.dumps(make(self.store, phase))
                self.geojson[(kind, phase)] = (raw, gzip.compress(raw, compresslevel=6))
            return self.geojson[(kind, phase)]


_CACHE_LOCK = threading.Lock()


def _cache(request: Request, store: ox.Store) -> _Cache:
    with _CACHE_LOCK:
        cache = getattr(request.app.state, "tdi_network_cache", None)
        if cache is None or cache.store is not store:
            cache = _Cache(store)
            request.app.state.tdi_network_cache = cache
        return cache


def _names(raw: str | None) -> tuple[str, ...]:
    """Comma-separated names, trimmed, without empties, sorted (a stable cache key)."""
    return tuple(sorted({part.strip() for part in (raw or "").split(",") if part.strip()}))


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
            "and sources), GraphML, GEXF, or a PNG / SVG drawing",
            "content": {media: {} for media in network.MEDIA_TYPES.values()},
        },
        400: {"description": "unknown type, relation or projection; since after until"},
        404: {"description": "the focus is not a node of the network"},
        422: {"description": "malformed parameter (format, depth, date...)"},
    },
)
def get_network(
    request: Request,
    store: StoreDep,
    format: Annotated[
        Format, Query(description="json (Cytoscape.js), graphml, gexf, png, svg")
    ] = "json",
    focus: Annotated[
        str | None, Query(max_length=300, description="a node id (or IRI): its ego network")
    ] = None,
    depth: Annotated[int, Query(ge=0, le=network.MAX_DEPTH, description="links from focus")] = 2,
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
    cache = _cache(request, store)
    key = (
        format,
        _short_id(focus),
        depth,
        _names(types),
        _names(relation),
        since,
        until,
        projection,
        metric if format in ("png", "svg") else "",
    )

    def make() -> bytes:
        graph = network.view(
            cache.network(),
            projection=projection,
            types=key[3],
            relations=key[4],
            since=since,
            until=until,
            focus=key[1],
            depth=depth,
        )
        return network.export(graph, format, metric=metric)

    data = cache.view(key, make)
    headers = {}
    if format in ("graphml", "gexf"):
        headers["Content-Disposition"] = f'attachment; filename="tdi-network.{format}"'
    return Response(data, media_type=network.MEDIA_TYPES[format], headers=headers)


def _geojson(request: Request, raw: tuple[bytes, bytes]) -> Response:
    plain, packed = raw
    headers = {"Cache-Control": "public, max-age=3600", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", "") and len(plain) > _GZIP_MIN:
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="application/geo+json", headers=headers)
    return Response(plain, media_type="application/geo+json", headers=headers)


Phase = Annotated[int, Query(ge=1, le=2, description="1 (2018-2022) or 2 (2023-2027)")]


@router.get(
    "/api/territories.geojson",
    tags=["map"],
    summary="The programme's territories as GeoJSON",
    response_class=Response,
    responses={
        200: {
            "content": {"application/geo+json": {}},
            "description": "a FeatureCollection, simplified geometries",
        }
    },
)
def territories_geojson(request: Request, store: StoreDep, phase: Phase = 1) -> Response:
    """Territories of a phase: id (``ti1-XXXX``), label, region, groupements, commune count,
    contract status (``signed``, ``contract`` or ``none``) and the documents that speak of them."""
    return _geojson(
        request, _cache(request, store).geo("territories", phase, geo.territories_geojson)
    )


@router.get(
    "/api/communes.geojson",
    tags=["map"],
    summary="The communes of the sources as points",
    response_class=Response,
    responses={
        200: {
            "content": {"application/geo+json": {}},
            "description": "a FeatureCollection of points (null when not placed)",
        }
    },
)
def communes_geojson(request: Request, store: StoreDep, phase: Phase = 1) -> Response:
    """Communes the sources mention, placed at the representative point of their territory."""
    return _geojson(request, _cache(request, store).geo("communes", phase, geo.communes_geojson))


@router.get("/network", response_class=HTMLResponse, include_in_schema=False)
def network_page(
    request: Request,
    store: StoreDep,
    focus: Annotated[str | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    """The interactive network page (Cytoscape.js, vendored)."""
    shown = network.legend(_cache(request, store).network())
    context = {
        "relations": shown["relations"],
        "types": shown["types"],
        "colours": shown["colours"],
        "metrics": network.METRICS,
        "projections": network.PROJECTIONS,
        "focus": _short_id(focus) or "",
    }
    return templates.TemplateResponse(request, "network.html", context)


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, phase: Annotated[int, Query(ge=1, le=2)] = 1) -> HTMLResponse:
    """The map of the programme's territories (Leaflet, vendored, no tile server)."""
    return templates.TemplateResponse(request, "map.html", {"phase": phase})
