"""``create_app()``: the FastAPI application over a loaded store."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tdi_graph import __version__
from tdi_graph.settings import Settings, get_settings
from tdi_graph_api import errors, security
from tdi_graph_api.deps import Services
from tdi_graph_api.routers import (
    commitments,
    dataset,
    downloads,
    entities,
    events,
    home,
    map,
    money,
    network,
    pages,
    queries,
    reconcile,
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
    money,
    reconcile,
    downloads,
    dataset,
    network,
    map,
    pages,
    home,
)


_services_lock = threading.Lock()


def _attach(app: FastAPI, settings: Settings, store_dir: Path) -> Services:
    """The app's services, built on the first lifespan that starts (a test client and a live
    server may share one app); one more user of them."""
    with _services_lock:
        services: Services | None = getattr(app.state, "services", None)
        if services is None:
            services = Services.build(settings, store_dir)
            app.state.services = services
            # The registry and the index are ~10^6 long-lived objects: freeze them out of the
            # cyclic GC so that its full collections (tens of ms) stop showing in the tail.
            gc.collect()
            gc.freeze()
        return services


def _x_build(app: FastAPI, store_dir: Path, settings: Settings) -> None:
    """An ``X-Build`` header on every answer: the id of the build this process serves, so that
    a client behind a load balancer can tell which build answered (none over a remote engine).
    Minimal (plain ASGI, streams untouched): the ETag/304 middleware of the speed work
    supersedes it."""
    from tdi_graph.store import build_id

    found: list[bytes | None] = []

    class XBuild:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                return await self.inner(scope, receive, send)
            if not found:
                build = None if settings.sparql_url else build_id(store_dir)
                found.append(build.encode() if build else None)

            async def send_with_build(message: Any) -> None:
                if message["type"] == "http.response.start" and found[0]:
                    message["headers"] = [*message.get("headers", []), (b"x-build", found[0])]
                await send(message)

            await self.inner(scope, receive, send_with_build)

    app.add_middleware(XBuild)


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
        "entities, signatures, commitments, events, territories and the actor network.",
        lifespan=lifespan,
    )
    errors.install(app)
    _x_build(app, store_dir, settings)
    security.install(app)  # security headers everywhere, CORS on /sparql and /api/*
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    return app
