"""The home page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from tdi_graph_api.deps import StoreDep

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(store: StoreDep) -> str:
    n = len(store)
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>tdi-graph</title>"
        f"<h1>tdi-graph</h1><p>{n:,} quads.</p><p><a href=/sparql>SPARQL</a> · <a href=/docs>API</a></p>"
    )
