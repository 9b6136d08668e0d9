"""``create_app()``: the FastAPI application over a loaded store."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tdi_graph import __version__
from tdi_graph.entities import Registry
from tdi_graph.search import SearchIndex
from tdi_graph.settings import Settings, get_settings
from tdi_graph.store import open_store
from tdi_graph_api import errors, security
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
from tdi_graph_api.templating import STATIC_DIR

ROUTERS = (
    sparql,
    queries,
    search,
    entities,
    signatures,
    commitments,
    events,
    territories,
    network,
    pages,
    home,
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the SPARQL worker processes with the server (while it is idle); stop them after."""
    sparql.start_pool(app)
    try:
        yield
    finally:
        sparql.stop_pool(app)


def create_app(store_dir: Path | None = None, settings: Settings | None = None) -> FastAPI:
    """The application, serving the store at ``store_dir`` (default: the settings' store)."""
    settings = settings or get_settings()
    store_dir = store_dir or settings.store
    app = FastAPI(
        title="tdi-graph",
        version=__version__,
        description="Knowledge graph of the *Territoires d'industrie* programme: SPARQL, search, "
        "entities, signatures, commitments, events, territories and the actor network.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store_dir = store_dir
    app.state.store = open_store(store_dir, in_memory=settings.store_in_memory)
    app.state.registry = Registry.build(app.state.store)  # labels, types, sources of refs
    app.state.search_index = SearchIndex.build(app.state.store, app.state.registry)
    # The registry and the index are ~10^6 long-lived objects: freeze them out of the cyclic
    # GC so that its full collections (tens of ms) stop showing in the latency tail.
    gc.collect()
    gc.freeze()
    errors.install(app)
    security.install(app)  # security headers everywhere, CORS on /sparql and /api/*
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    return app
