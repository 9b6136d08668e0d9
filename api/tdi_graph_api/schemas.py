"""Pydantic models of the JSON answers (for the OpenAPI documentation, with examples), the
shared query parameters, the error responses of every route, and the orjson response.

The answer models are defined once in the library (:mod:`tdi_graph.view.models`,
:mod:`tdi_graph.view.fact_models`) and re-exported here: routes send the library's dicts with
:class:`FastJSON`, the models document them, and the tests check the answers against them.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from tdi_graph.view.fact_models import (
    Amount,
    AmountTotal,
    Commitment,
    CommitmentList,
    Event,
    EventList,
    Money,
    MoneyCounted,
    MoneyNotCounted,
    Overlap,
    Period,
    Recurring,
    Signatory,
    Signature,
    SignatureList,
    Territory,
    TerritoryList,
)
from tdi_graph.view.models import (
    REF_EXAMPLE,
    SOURCE_EXAMPLE,
    CommunePlace,
    CommuneTerritory,
    DocumentInfo,
    Entity,
    Mention,
    Page,
    Ref,
    Relation,
    Role,
    SearchHit,
    SearchResults,
    Source,
)


class FastJSON(JSONResponse):
    """JSON serialised by orjson, or already serialised (bytes); no validation pass: the
    models document the answers, and the tests check the answers against them."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)


#: The largest ``offset`` of a list: far past any list, and a 422 (not a 500) beyond it.
MAX_OFFSET = 10**9
Limit = Annotated[int, Query(ge=1, le=1000, description="Most items to return (1-1000).")]
Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="Items to skip, for paging (0-1000000000).")
]


def page(items: list[Any], limit: int, offset: int, **extra: Any) -> dict[str, Any]:
    """A list answer: ``{"items", "total", "limit", "offset"}`` and any ``extra`` fields."""
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
        **extra,
    }


def _example(**values: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [values]})


# --- errors ----------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code, e.g. `not_found`.")
    message: str = Field(description="What went wrong, for people.")


class ErrorResponse(BaseModel):
    """The one error shape of every route."""

    model_config = _example(error={"code": "not_found", "message": "no entity 'nobody'"})
    error: ErrorDetail


ERROR_DESCRIPTIONS = {
    400: "Malformed parameter (an id with spaces, a date range that ends before it starts).",
    404: "Unknown entity (in the path or in a filter).",
    406: "No format the client accepts.",
    422: "Invalid parameter (type, range, date).",
}
_ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}


def errors(*statuses: int, html: bool = False) -> dict[int | str, dict[str, Any]]:
    """The documented error responses of a route (JSON, even for the HTML pages)."""
    if html:
        return {
            s: {
                "description": ERROR_DESCRIPTIONS[s],
                "content": {"application/json": {"schema": _ERROR_REF}},
            }
            for s in statuses
        }
    return {s: {"model": ErrorResponse, "description": ERROR_DESCRIPTIONS[s]} for s in statuses}


__all__ = [
    "Amount",
    "AmountTotal",
    "Commitment",
    "CommitmentList",
    "CommunePlace",
    "CommuneTerritory",
    "DocumentInfo",
    "Entity",
    "ErrorDetail",
    "ErrorResponse",
    "Event",
    "EventList",
    "FastJSON",
    "Limit",
    "Mention",
    "Money",
    "MoneyCounted",
    "MoneyNotCounted",
    "Offset",
    "Overlap",
    "Page",
    "Period",
    "REF_EXAMPLE",
    "Recurring",
    "Ref",
    "Relation",
    "Role",
    "SOURCE_EXAMPLE",
    "SearchHit",
    "SearchResults",
    "Signatory",
    "Signature",
    "SignatureList",
    "Source",
    "Territory",
    "TerritoryList",
    "errors",
    "page",
]
