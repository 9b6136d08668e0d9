"""``/reconcile``: the W3C Entity Reconciliation Service API (0.2), for OpenRefine.

The manifest (``GET /reconcile``), batched queries (``queries=``, by GET or form POST), data
extension (``extend=``), suggest for entities, types and properties, previews and property
proposals. The answers come from :class:`tdi_graph.reconcile.Reconciler`.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse

from tdi_graph import __version__
from tdi_graph.errors import BadRequest, NotFound
from tdi_graph.reconcile import PROPERTIES, TYPES, Reconciler
from tdi_graph_api.deps import ServicesDep, services_of
from tdi_graph_api.schemas import FastJSON, errors
from tdi_graph_api.templating import templates

router = APIRouter(tags=["reconciliation"], responses=errors(400, 422))
DEFAULT_TYPES = ("organisation", "person", "territory", "place")


async def get_reconciler(services: ServicesDep) -> Reconciler:
    """The app's :class:`Reconciler`."""
    return services.reconciler


ReconcilerDep = Annotated[Reconciler, Depends(get_reconciler)]


def _json(raw: str, name: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"{name!r} is not valid JSON: {exc}") from None


def _base(request: Request) -> str:
    """The public root of the service (``TDI_PUBLIC_URL``, else the URL the client used)."""
    public = services_of(request.app).settings.public_url
    return (public or str(request.base_url)).rstrip("/")


def manifest(base: str) -> dict[str, Any]:
    """The service manifest: what OpenRefine reads when the service is added."""
    return {
        "versions": ["0.2"],
        "name": "tdi-graph (Territoires d'industrie)",
        "identifierSpace": "https://w3id.org/tdi-graph/id/",
        "schemaSpace": "https://w3id.org/tdi-graph/ontology#",
        "serviceVersion": __version__,
        "documentation": f"{base}/docs",
        "defaultTypes": [{"id": t, "name": TYPES[t]} for t in DEFAULT_TYPES],
        "view": {"url": f"{base}/id/{{{{id}}}}"},
        "preview": {"url": f"{base}/reconcile/preview?id={{{{id}}}}", "width": 420, "height": 180},
        "suggest": {
            kind: {"service_url": base, "service_path": f"/reconcile/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {
                "service_url": base,
                "service_path": "/reconcile/propose_properties",
            },
            "property_settings": [],
        },
        "batchSize": 50,
    }


def _answer(
    reconciler: Reconciler, request: Request, queries: str | None, extend: str | None
) -> FastJSON:
    if queries is not None and extend is not None:
        raise BadRequest("give either 'queries' or 'extend', not both")
    if queries is not None:
        return FastJSON(reconciler.batch(_json(queries, "queries")))
    if extend is not None:
        return FastJSON(reconciler.extend(_json(extend, "extend")))
    return FastJSON(manifest(_base(request)))


@router.get("/reconcile", summary="Reconciliation: manifest, queries or data extension")
async def reconcile_get(
    request: Request,
    reconciler: ReconcilerDep,
    queries: Annotated[str | None, Query(description="A JSON batch of queries.")] = None,
    extend: Annotated[str | None, Query(description="A JSON data-extension request.")] = None,
) -> FastJSON:
    """Without parameters, the service manifest. With `queries`, a batch
    `{"q0": {"query": "Cholet", "type": "place", "limit": 3, "properties": [{"pid": "insee",
    "v": "49099"}]}}` answered `{"q0": {"result": [{"id", "name", "type", "score", "match"}]}}`
    (scores 0-100; `match` only when unambiguous). With `extend`, `{"ids": [...],
    "properties": [{"id": "region"}]}` answered with `meta` and `rows`."""
    return _answer(reconciler, request, queries, extend)


@router.post("/reconcile", summary="Reconciliation queries or data extension (form POST)")
async def reconcile_post(
    request: Request,
    reconciler: ReconcilerDep,
    queries: Annotated[str | None, Form()] = None,
    extend: Annotated[str | None, Form()] = None,
) -> FastJSON:
    """The form POST that OpenRefine sends: `queries=` or `extend=`, as for GET."""
    return _answer(reconciler, request, queries, extend)


@router.get("/reconcile/suggest/entity", summary="Suggest entities (autocomplete)")
async def suggest_entity(
    reconciler: ReconcilerDep,
    prefix: Annotated[str, Query(min_length=1, max_length=200)],
    type: Annotated[str | None, Query()] = None,
    cursor: Annotated[int, Query(ge=0, le=10_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> FastJSON:
    types = [type] if type else []
    return FastJSON({"result": reconciler.suggest_entities(prefix, types, limit, cursor)})


@router.get("/reconcile/suggest/type", summary="Suggest types")
async def suggest_type(
    prefix: Annotated[str, Query(max_length=200)] = "",
) -> FastJSON:
    return FastJSON({"result": Reconciler.suggest_types(prefix)})


@router.get("/reconcile/suggest/property", summary="Suggest properties")
async def suggest_property(
    prefix: Annotated[str, Query(max_length=200)] = "",
) -> FastJSON:
    return FastJSON({"result": Reconciler.suggest_properties(prefix)})


@router.get("/reconcile/propose_properties", summary="Properties proposed for data extension")
async def propose_properties(
    type: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> FastJSON:
    return FastJSON(Reconciler.propose_properties(type, limit))


@router.get(
    "/reconcile/preview",
    summary="A small HTML card of an entity",
    response_class=HTMLResponse,
    responses=errors(400, 404, 422, html=True),
)
async def preview(
    request: Request, reconciler: ReconcilerDep, id: Annotated[str, Query(max_length=300)]
) -> HTMLResponse:
    """What OpenRefine shows in its preview pop-up: name, type, codes and place."""
    hit = reconciler.index.entity(id)
    if hit is None:
        raise NotFound(f"no entity {id!r}")
    values = reconciler.properties(id)
    shown = [
        (PROPERTIES[p][0], ", ".join(label for _, label in values[p]))
        for p in PROPERTIES
        if p not in ("label", "type") and values.get(p)
    ]
    return templates.TemplateResponse(
        request,
        "reconcile_preview.html",
        {"hit": hit, "type_name": TYPES[hit.type], "shown": shown, "base": _base(request)},
    )
