"""``GET /api/entities/{id}`` answered by the fast path (no query string) equals, headers and
body, what the FastAPI route answers (a query string, ignored by the route, takes that path);
errors, ``HEAD`` and ``304`` still come from the layers they always came from."""

from __future__ import annotations

import orjson
import pytest
from fastapi.testclient import TestClient
from tdi_graph_api import fastpath

from tdi_graph.view import short_id


@pytest.fixture(scope="module")
def ids(client: TestClient) -> list[str]:
    registry = client.app.state.services.registry  # type: ignore[attr-defined]
    iris = sorted(registry.categories)
    return [short_id(i) for i in iris[:: max(1, len(iris) // 60)]]


def test_the_fast_path_answers_as_the_route(
    client: TestClient, ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    # no answer kept: each path computes its own (as with TDI_ANSWER_CACHE=false)
    monkeypatch.setattr(services, "answer", lambda key, compute: orjson.dumps(compute()))
    taken: list[str] = []
    real = fastpath.entity
    monkeypatch.setattr(fastpath, "entity", lambda s, r, iri: taken.append(iri) or real(s, r, iri))
    for entity_id in ids:
        fast = client.get(f"/api/entities/{entity_id}")
        routed = client.get(f"/api/entities/{entity_id}?via=route")
        assert fast.status_code == routed.status_code == 200, entity_id
        assert fast.content == routed.content, entity_id
        assert list(fast.headers.items()) == list(routed.headers.items()), entity_id
    assert len(taken) == len(ids) >= 50  # the fast path answered each id once, the route after


@pytest.mark.parametrize(
    ("entity_id", "status"), [("no-such-entity", 404), ("bad%20id", 400), ("tdi:", 400)]
)
def test_errors_are_the_routes(client: TestClient, entity_id: str, status: int) -> None:
    fast = client.get(f"/api/entities/{entity_id}")
    routed = client.get(f"/api/entities/{entity_id}?via=route")
    assert fast.status_code == routed.status_code == status
    assert fast.json() == routed.json() and fast.json()["error"]["message"]


def test_head_conditional_and_other_layers(client: TestClient) -> None:
    first = client.get("/api/entities/eric-lombard")
    assert first.headers["x-build"] and first.headers["etag"]
    assert first.headers["x-content-type-options"] == "nosniff"
    assert first.json()["label"] == "Éric Lombard"
    head = client.head("/api/entities/eric-lombard")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == first.headers["content-length"]
    again = client.get(
        "/api/entities/eric-lombard", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    gzipped = client.get("/api/entities/eric-lombard", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers.get("content-encoding") == "gzip" and gzipped.json() == first.json()
