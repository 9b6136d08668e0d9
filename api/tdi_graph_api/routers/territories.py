"""``GET /api/territories``: the programme's territories and their contract."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tdi_graph import facts
from tdi_graph_api.deps import ServicesDep
from tdi_graph_api.schemas import FastJSON, Limit, Offset, TerritoryList, errors, page

router = APIRouter(tags=["facts"])


@router.get(
    "/api/territories",
    summary="Programme territories",
    response_model=TerritoryList,
    response_class=FastJSON,
    responses=errors(400, 404, 422),
)
async def list_territories(
    services: ServicesDep,
    region: Annotated[
        str | None,
        Query(
            description="A region: id (`region-27`) or INSEE code (`27`).", examples=["region-27"]
        ),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FastJSON:
    """The territories of the programme (phase 1 `ti1-…` and phase 2 `ti2-…`) with region,
    ANCT code, phase, number of communes, groupements, and their Territoire d'industrie contract:
    `contract_status` (signed, unsigned, none), `contract_signed` (the date, or null when only
    bounds are known: see `contract_signed_earliest` / `_latest`) and the sources."""
    if region and region.isdigit():
        region = f"region-{region}"
    iri = services.resolve(region)
    return FastJSON(
        services.answer(
            ("territories", iri, limit, offset),
            lambda: page(
                facts.territories(services.store, services.registry, region=iri), limit, offset
            ),
        )
    )
