"""The SPARQL endpoint (minimal: GET ?query= answered in SPARQL JSON)."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Query
from fastapi.responses import Response

from tdi_graph.errors import QuerySyntaxError
from tdi_graph_api.deps import StoreDep

router = APIRouter()


@router.get("/sparql", summary="SPARQL 1.1 query")
def sparql_get(store: StoreDep, query: str = Query(..., description="SPARQL query")) -> Response:
    try:
        result = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    body = result.serialize(format=ox.QueryResultsFormat.JSON)
    return Response(body, media_type="application/sparql-results+json")
