"""``GET /api/search``: find entities by name, acronym, printed variant or identifier."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tdi_graph_api.deps import SearchDep, SearchType, ServicesDep
from tdi_graph_api.schemas import FastJSON, Limit, Offset, SearchResults, errors

router = APIRouter(tags=["search"], responses=errors(422))


@router.get(
    "/api/search",
    summary="Search entities by name",
    response_model=SearchResults,
    response_class=FastJSON,
)
async def search(
    services: ServicesDep,
    index: SearchDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description=(
                "What a person types: a name, part of it (autocomplete), an acronym (CDC, "
                "BdT, TdI), a printed variant, or an identifier (N°1076, INSEE code, SIREN, "
                "ANCT code ti-2707). Accents, case, hyphens and small typos do not matter."
            ),
        ),
    ],
    type: Annotated[SearchType | None, Query(description="Only entities of this type.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FastJSON:
    """Entities whose labels, alternative labels or identifiers match `q`, best first, with a
    score in [0, 1]. `results` and `items` hold the same list."""

    def compute() -> dict[str, Any]:
        total, hits = index.search(q, [type] if type else None, limit=limit, offset=offset)
        found = [h.as_dict() for h in hits]
        return {"results": found, "items": found, "total": total, "limit": limit, "offset": offset}

    return FastJSON(services.answer(("search", q, type, limit, offset), compute))
