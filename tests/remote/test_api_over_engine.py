"""The app built over Oxigraph's server (RemoteStore in place of the embedded store) answers the
JSON routes as the embedded app does: with ``TDI_SPARQL_URL`` set, the app's services read from
the engine (``Services.build`` opens ``open_query_store``)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tdi_graph.remote import RemoteStore
from tests.fixtures.answers import unordered
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
    "/api/money",
    "/api/network",
    "/api/territories.geojson",
    "/api/communes.geojson",
    "/api/queries/api-signatures",
]
#: pages and /sparql: the same status and the same body (HTML, SPARQL JSON)
PAGES = [
    "/",
    "/search?q=bpifrance",
    "/id/bpifrance",
    "/network",
    "/map",
    "/queries",
    "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Fc%20FILTER(isIRI(%3Fs))%20%7D%20ORDER%20BY%20%3Fs%20LIMIT%2020",
    # a large answer (streamed from a file)
    "/sparql?query=SELECT%20%3Fs%20%3Fp%20%3Fo%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20FILTER(isIRI(%3Fs)%20%26%26%20!isBlank(%3Fo))%20%7D%20ORDER%20BY%20%3Fs%20%3Fp%20%3Fo%20LIMIT%2020000",
]


def _elements(network: dict[str, Any]) -> dict[str, Any]:
    """What the network says regardless of row order: each node's id, label, type and degree,
    each edge's id, relation, date and documents. Not compared: an edge's representative
    excerpt and the order of its sources (the first row the engine gives: the network's
    queries have no ORDER BY), and the last digits of betweenness (a sum in that order)."""
    elements = network["elements"]
    nodes = {
        n["data"]["id"]: tuple(n["data"].get(k) for k in ("label", "type", "degree"))
        for n in elements["nodes"]
    }
    edges = {
        e["data"]["id"]: (
            e["data"].get("relation"),
            e["data"].get("date"),
            sorted(e["data"].get("documents", [])),
        )
        for e in elements["edges"]
    }
    return {"nodes": nodes, "edges": edges}


def _fragments(html: bytes) -> list[bytes]:
    """A page as the sorted list of its tags and texts."""
    return sorted(html.split(b"<"))


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
            if route == "/api/network":  # no order in the contract: nodes and edges as sets
                a, b = _elements(found.json()), _elements(expected.json())
                assert a == b
                continue
            if route.startswith("/api/queries/"):  # order: test_engines (ties left to the engine)
                a, b = found.json(), expected.json()
                a["items"], b["items"] = (sorted(x["items"], key=repr) for x in (a, b))
                assert a == b, route
                continue
            assert unordered(found.json()) == unordered(expected.json()), route
        for route in PAGES:
            expected, found = client.get(route), remote.get(route)
            assert (expected.status_code, found.status_code) == (200, 200), route
            # the same elements; their order may differ where a query has no ORDER BY (the
            # order of a resource's labels on /id/...)
            assert _fragments(found.content) == _fragments(expected.content), route
        refused = remote.get("/sparql", params={"query": "SELECT * { SERVICE <http://x/> {} }"})
        assert refused.status_code == 400 and "SERVICE" in refused.text
        update = remote.post("/sparql", data={"update": "CLEAR ALL"})
        assert update.status_code in (400, 403, 405), update.status_code
