"""``GET /api/search``: find entities by name, acronym, printed variant or identifier."""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from tdi_graph.search import SEARCH_TYPES, SearchIndex
from tdi_graph_api.routers.entities import GraphDep, graph_of
from tdi_graph_api.schemas import FastJSON, Limit, Offset, SearchResults, errors

router = APIRouter(tags=["search"], responses=errors(422))
_lock = threading.Lock()

SearchType = Literal[SEARCH_TYPES]  # type: ignore[valid-type]  # the contract's list


async def get_search_index(request: Request) -> SearchIndex:
    """The app's search index (built at start; built here on first use otherwise)."""
    state = request.app.state
    index = getattr(state, "search_index", None)
    if index is None:
        with _lock:
            index = getattr(state, "search_index", None)
            if index is None:
                index = SearchIndex.build(state.store, graph_of(state).registry)
                state.search_index = index
    return index


SearchDep = Annotated[SearchIndex, Depends(get_search_index)]


@router.get(
    "/api/search",
    summary="Search entities by name",
    response_model=SearchResults,
    response_class=FastJSON,
)
async def search(
    graph: GraphDep,
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

    return FastJSON(graph.answer(("search", q, type, limit, offset), compute))
