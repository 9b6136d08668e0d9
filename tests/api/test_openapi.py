"""The OpenAPI description the app serves is the committed ``docs/openapi.json``.

A route, parameter or response model that changes must change that file too: run
``make openapi`` (``python -m tdi_graph_api.openapi``) and commit the diff with the change.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from tdi_graph_api import openapi

from tdi_graph.resources import project_root

COMMITTED = (project_root() or Path.cwd()) / openapi.TARGET


def test_the_served_openapi_is_the_committed_one(client: TestClient) -> None:
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    served = openapi.render(answer.json())
    committed = COMMITTED.read_text(encoding="utf-8")
    assert served == committed, "the API changed: run `make openapi` and commit docs/openapi.json"


def test_the_snapshot_documents_the_public_routes() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert document["info"]["title"] == "tdi-graph"
    paths = set(document["paths"])
    assert {
        "/sparql",
        "/api/search",
        "/api/entities/{entity_id}",
        "/api/signatures",
        "/api/commitments",
        "/api/events",
        "/api/territories",
        "/api/queries/{name}",
    } <= paths
    territories = document["paths"]["/api/territories"]["get"]
    assert {p["name"] for p in territories["parameters"]} == {"region", "limit", "offset"}
