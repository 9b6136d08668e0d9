"""``create_app()``: the FastAPI application over a loaded store."""

from __future__ import annotations

import gc
import inspect
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tdi_graph import __version__
from tdi_graph.settings import Settings, get_settings
from tdi_graph_api import errors, i18n, polite, security
from tdi_graph_api.caching import BuildCaching
from tdi_graph_api.deps import Services
from tdi_graph_api.routers import (
    commitments,
    dataset,
    downloads,
    entities,
    events,
    guide,
    home,
    map,
    money,
    network,
    ontology,
    pages,
    queries,
    query_pages,
    reconcile,
    search,
    signatures,
    site,
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
    money,
    reconcile,
    downloads,
    dataset,
    network,
    map,
    ontology,
    guide,
    pages,
    query_pages,
    home,
    site,
)


_services_lock = threading.Lock()


def _telemetry_off() -> dict[str, Any]:
    """FastAPI's own OpenTelemetry hooks off (the FastAPI versions that have them): nothing is
    exported here, and when they are on, every request asks OpenTelemetry's global providers
    whether they are configured (reading the environment each time)."""
    if "telemetry" not in inspect.signature(FastAPI.__init__).parameters:
        return {}
    return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}


def _attach(app: FastAPI, settings: Settings, store_dir: Path) -> Services:
    """The app's services, built on the first lifespan that starts (a test client and a live
    server may share one app); one more user of them."""
    with _services_lock:
        services: Services | None = getattr(app.state, "services", None)
        if services is None:
            services = Services.build(settings, store_dir)
            attach(app, services)
        return services


def attach(app: FastAPI, services: Services) -> None:
    """Give ``app`` its services, built already (``tdi-graph serve`` builds them before the
    port is bound)."""
    app.state.services = services
    # The registry and the index are ~10^6 long-lived objects: freeze them out of the cyclic
    # GC so that its full collections (tens of ms) stop showing in the tail. No collection
    # first: they were made with the collector paused, and one pass over them costs 0.1-0.3 s
    # of start-up to find next to nothing.
    gc.freeze()


def create_app(store_dir: Path | None = None, settings: Settings | None = None) -> FastAPI:
    """The application, serving the store at ``store_dir`` (default: the settings' store).

    Its lifespan builds the :class:`~tdi_graph_api.deps.Services` once (store, registry,
    search index) and starts the SPARQL worker processes while the server is idle.
    """
    settings = settings or get_settings()
    store_dir = store_dir or settings.store

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = _attach(app, settings, store_dir)
        services.start_pool()
        try:
            yield
        finally:
            services.stop_pool()

    app = FastAPI(
        title="tdi-graph",
        version=__version__,
        description="Knowledge graph of the *Territoires d'industrie* programme: SPARQL, search, "
        "entities, signatures, commitments, events, territories and the actor network. Every list "
        "route of `/api` and every named query also answers CSV with `?format=csv` (nested "
        "objects as dotted columns, lists joined with ` | `).",
        lifespan=lifespan,
        docs_url=None,  # /docs is routers.site: Swagger UI vendored, not from a CDN
        redoc_url=None,
        **_telemetry_off(),
    )
    errors.install(app)
    app.add_middleware(BuildCaching)  # X-Build, ETag, 304 (inside the security headers)
    app.add_middleware(i18n.Language)  # request.state.lang: ?lang=, cookie, Accept-Language
    security.install(app)  # security headers everywhere, CORS on /sparql and /api/*
    polite.install(app)  # gzip for large answers, HEAD wherever GET is served
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    return app
