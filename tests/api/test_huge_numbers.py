"""Huge and odd integers on every integer parameter: a 4xx in the one error shape, never a
500 (schemathesis found ``offset`` >= 2^64 answering a plain-text 500 on five list routes);
the named queries get the same per-client cap as ``/sparql``."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tdi_graph_api import errors
from tdi_graph_api.routers.sparql import get_pool

HUGE = [str(2**64), str(2**64 + 1), str(10**9 + 1), "9" * 400, "-" + "9" * 30, "1e30", "0x10", "²"]


def integer_parameters(app: FastAPI) -> list[tuple[str, str]]:
    """(path, name) of every integer query parameter of a GET route without path parameters."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            integer = parameter.get("schema", {}).get("type") == "integer"
            if "{" not in path and parameter["in"] == "query" and integer:
                found.append((path, parameter["name"]))
    return found


def test_every_integer_parameter_is_found(app: FastAPI) -> None:
    found = integer_parameters(app)
    assert ("/api/territories", "offset") in found and ("/search", "page") in found
    assert len({p for p, n in found if n == "offset"}) == 5


def _error(answer, path: str) -> dict:  # type: ignore[no-untyped-def]
    assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text[:200])
    assert "Traceback" not in answer.text
    if path.startswith("/api/") or path.startswith("/reconcile"):
        error = answer.json()["error"]
        assert set(error) == {"code", "message"} and error["message"]
        return error
    return {}


@pytest.mark.parametrize("value", HUGE)
def test_huge_integers_are_a_4xx_in_the_error_shape(
    app: FastAPI, client: TestClient, value: str
) -> None:
    for path, name in integer_parameters(app):
        params = {name: value, "q": "lyon", "prefix": "ly"}
        error = _error(client.get(path, params=params), path)
        assert len(error.get("message", "")) < 200  # a 400-digit value is not echoed whole


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("name", ["limit", "offset"])
@pytest.mark.parametrize("path", ["/api/queries", "/api/queries/events-by-year"])
def test_named_query_paging_refuses_huge_integers(
    client: TestClient, path: str, name: str, value: str
) -> None:
    error = _error(client.get(path, params={name: value}), path)
    assert error["code"] == "bad_request" and name in error["message"]
    assert len(error["message"]) < 120  # a 400-digit value is not echoed whole


def test_the_largest_offset_is_an_empty_page(client: TestClient) -> None:
    answer = client.get("/api/territories", params={"offset": 10**9})
    assert answer.status_code == 200 and answer.json()["items"] == []
    answer = client.get("/api/queries/events-by-year", params={"offset": 10**9})
    assert answer.status_code == 200 and answer.json()["items"] == []


def test_named_queries_share_the_per_client_cap(app: FastAPI, client: TestClient) -> None:
    pool = get_pool(app)
    held = [pool.admit("testclient") for _ in range(app.state.services.settings.query_per_client)]
    for ticket in held:
        ticket.__enter__()
    try:
        answer = client.get("/api/queries/events-by-year")
    finally:
        for ticket in held:
            ticket.__exit__(None, None, None)
    assert answer.status_code == 429, answer.text
    assert answer.json()["error"]["code"] == "too_many_requests"
    assert answer.headers["retry-after"] == "1"
    assert client.get("/api/queries/events-by-year").status_code == 200


def test_an_unhandled_error_is_a_500_in_the_error_shape() -> None:
    def boom() -> None:
        raise RuntimeError("secret internal detail /etc/passwd")

    bare = FastAPI()
    errors.install(bare)
    bare.add_api_route("/boom", boom)
    answer = TestClient(bare, raise_server_exceptions=False).get("/boom")
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {"code": "internal_error", "message": "internal error (logged)"}
    }
    assert "secret" not in answer.text
