"""An app over a remote engine (TDI_SPARQL_URL) answers a clear 503 when the engine is down and
504 when it never answers, on the API and on /sparql, within the time limit: never a hang.

The app starts over the published Oxigraph server (its registry and search index are built from
the engine at start-up), then its store is pointed at a port nothing listens on, or at a socket
that accepts connections and never answers."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tdi_graph.remote import RemoteStore
from tests.remote.conftest import Published
from tests.remote.engines import free_port

TIMEOUT = 1.0
ROUTES = ["/api/signatures", "/api/events", "/sparql?query=ASK%20%7B%7D", "/api/queries/api-events"]


@pytest.fixture
def silent() -> Iterator[str]:
    """A query URL on a socket that accepts and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/query"


@pytest.mark.parametrize("engine", ["down", "silent"])
def test_a_down_or_silent_engine_is_a_clear_503_or_504(
    published: Published, store_dir, silent: str, engine: str
) -> None:
    if published.name != "oxigraph":
        pytest.skip("one engine is enough to show the failure paths")
    from tdi_graph_api.app import create_app

    settings = published.settings.model_copy(update={"api_cache_size": 0, "query_timeout": TIMEOUT})
    app = create_app(store_dir=store_dir, settings=settings)
    with TestClient(app) as client:
        services = app.state.services
        assert client.get("/api/signatures").status_code == 200  # the engine is up
        url = f"http://127.0.0.1:{free_port()}/query" if engine == "down" else silent
        before = services.store
        services.store = RemoteStore(url, timeout=TIMEOUT, graphs=before.graphs)
        services.stop_pool()  # the next /sparql builds its pool over the new store
        services._pool = None
        expected = 503 if engine == "down" else 504
        for route in ROUTES:
            start = time.monotonic()
            answer = client.get(route, headers={"Accept": "application/json"})
            took = time.monotonic() - start
            assert answer.status_code == expected, (route, answer.text)
            assert took < TIMEOUT * 3 + 1, (route, took)
            body = answer.json()
            assert "SPARQL engine" in str(body), (route, body)
            assert "Traceback" not in answer.text
        before.close()
