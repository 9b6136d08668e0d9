"""The map: the ``/map`` page and its GeoJSON (``/api/territories.geojson``,
``/api/communes.geojson``).

Each GeoJSON answer is computed once per store and phase, kept plain and gzipped in one
``cachetools`` cache, the one object this router keeps on ``app.state`` (``tdi_map``).
"""

from __future__ import annotations

import gzip
import threading
from typing import Annotated

from cachetools import LRUCache
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from tdi_graph_api.deps import Services, ServicesDep
from tdi_graph_api.templating import templates

router = APIRouter()

_GZIP_MIN = 1024
_LOCK = threading.Lock()
Phase = Annotated[int, Query(ge=1, le=2, description="1 (2018-2022) or 2 (2023-2027)")]


def _answer(request: Request, services: Services, kind: str, phase: int) -> Response:
    """The GeoJSON of ``kind`` (``territories``, ``communes``: ``geo.<kind>_geojson``),
    computed once, gzipped when the client accepts it. The map's geometry (shapely, numpy) is
    imported by its first answer, not when the app starts."""
    from tdi_graph import geo

    make = {"territories": geo.territories_geojson, "communes": geo.communes_geojson}[kind]
    store = services.store
    with _LOCK:
        cache = getattr(request.app.state, "tdi_map", None)
        if cache is None or cache[0] is not store:
            fresh: LRUCache[tuple[str, int], tuple[bytes, bytes]]
            fresh = LRUCache(maxsize=4)  # two kinds, two phases
            cache = request.app.state.tdi_map = (store, fresh)
        found = cache[1].get((kind, phase))
    if found is None:
        raw = geo.dumps(make(store, phase, services.registry))
        found = (raw, gzip.compress(raw, compresslevel=6))
        if services.settings.answer_cache:
            with _LOCK:
                cache[1][(kind, phase)] = found
    plain, packed = found
    headers = {"Cache-Control": "public, max-age=3600", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", "") and len(plain) > _GZIP_MIN:
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="application/geo+json", headers=headers)
    return Response(plain, media_type="application/geo+json", headers=headers)


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
def territories_geojson(request: Request, services: ServicesDep, phase: Phase = 1) -> Response:
    """Territories of a phase: id (``ti1-XXXX``), label, region, groupements, commune count,
    contract status (``signed``, ``contract`` or ``none``) and the documents that speak of them."""
    return _answer(request, services, "territories", phase)


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
def communes_geojson(request: Request, services: ServicesDep, phase: Phase = 1) -> Response:
    """Communes the sources mention, placed at the representative point of their territory."""
    return _answer(request, services, "communes", phase)


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, phase: Annotated[int, Query(ge=1, le=2)] = 1) -> HTMLResponse:
    """The map of the programme's territories (Leaflet, vendored, no tile server)."""
    return templates.TemplateResponse(request, "map.html", {"phase": phase})
