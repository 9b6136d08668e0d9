"""``create_app()``: the FastAPI application over a loaded store."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tdi_graph import __version__
from tdi_graph.settings import Settings, get_settings
from tdi_graph.store import open_store
from tdi_graph_api import errors
from tdi_graph_api.templating import STATIC_DIR
from tdi_graph_api.routers import (
    commitments,
    entities,
    events,
    home,
    network,
    pages,
    queries,
    search,
    signatures,
    sparql,
    territories,
)

ROUTERS = (sparql, queries, search, entities, signatures, commitments, events, territories, network, pages, home)


def create_app(store_dir: Path | None = None, settings: Settings | None = None) -> FastAPI:
    """The application, serving the store at ``store_dir`` (default: the settings' store)."""
    settings = settings or get_settings()
    store_dir = store_dir or settings.store
    app = FastAPI(
        title="tdi-graph",
        version=__version__,
        description="Knowledge graph of the *Territoires d'industrie* programme: SPARQL, search, "
        "entities, signatures, commitments, events, territories and the actor network.",
    )
    app.state.settings = settings
    app.state.store_dir = store_dir
    app.state.store = open_store(store_dir, in_memory=settings.store_in_memory)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    return app
