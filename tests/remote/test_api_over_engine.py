"""The app built over Oxigraph's server (RemoteStore in place of the embedded store) answers the
JSON routes as the embedded app does: with ``TDI_SPARQL_URL`` set, the app's services read from
the engine (``Services.build`` opens ``open_query_store``)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tdi_graph.remote import RemoteStore
from tests.remote.conftest import Published

ROUTES = [
    "/api/signatures",
    "/api/signatures?agreement=contrat-ti-nord-franche-comte",
    "/api/commitments?actor=banque-des-territoires",
    "/api/events",
    "/api/territories?region=region-27",
    "/api/search?q=bpifrance",
    "/api/entities/bpifrance",
    "/api/entities/contrat-ti-nord-franche-comte",
]


def _unordered(value: Any) -> Any:
    """Lists of plain values sorted: api-entity has no ORDER BY, so e.g. the order of a
    resource's skos:altLabel values is the engine's."""
    if isinstance(value, dict):
        return {k: _unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_unordered(v) for v in value]
        return sorted(items, key=repr) if all(isinstance(v, str) for v in items) else items
    return value


def test_json_routes_answer_as_embedded(
    published: Published, client: TestClient, store_dir
) -> None:
    if published.name != "oxigraph":
        pytest.skip("Virtuoso's departures (test_engines.VIRTUOSO_DEPARTS) reach these routes")
    from tdi_graph_api.app import create_app

    app = create_app(store_dir=store_dir, settings=published.settings)
    with TestClient(app) as remote:
        assert isinstance(app.state.services.store, RemoteStore)
        for route in ROUTES:
            expected, found = client.get(route), remote.get(route)
            assert (expected.status_code, found.status_code) == (200, 200), route
            assert _unordered(found.json()) == _unordered(expected.json()), route
