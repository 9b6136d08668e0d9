"""One JSON error shape, ``{"error": {"code", "message"}}``, for every route, and the OpenAPI
documentation of the routes, their parameters, answers and errors."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tdi_graph_api import errors

from tests.api import assert_error

ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    422: "invalid_parameter",
}

#: (path, params, headers, status, code) for each route of the facade
CASES = [
    ("/api/search", {}, {}, 422, "invalid_parameter"),
    ("/api/search", {"q": "x", "type": "city"}, {}, 422, "invalid_parameter"),
    ("/api/search", {"q": "x", "limit": "many"}, {}, 422, "invalid_parameter"),
    ("/api/entities/no-such-entity", {}, {}, 404, "not_found"),
    ("/api/entities/not an id", {}, {}, 400, "bad_request"),
    ("/api/signatures", {"actor": "no-such-entity"}, {}, 404, "not_found"),
    ("/api/signatures", {"territory": "ti9-0000"}, {}, 404, "not_found"),
    ("/api/signatures", {"event": "no-such-event"}, {}, 404, "not_found"),
    ("/api/signatures", {"until": "2019-02-30"}, {}, 422, "invalid_parameter"),
    ("/api/signatures", {"since": "2020-01-01", "until": "2019-01-01"}, {}, 400, "bad_request"),
    ("/api/signatures", {"offset": -1}, {}, 422, "invalid_parameter"),
    ("/api/commitments", {"actor": "no-such-entity"}, {}, 404, "not_found"),
    ("/api/commitments", {"programme": "bad<iri>"}, {}, 400, "bad_request"),
    ("/api/commitments", {"limit": 0}, {}, 422, "invalid_parameter"),
    ("/api/events", {"since": "March 2019"}, {}, 422, "invalid_parameter"),
    ("/api/events", {"since": "2019-04-01", "until": "2019-03-01"}, {}, 400, "bad_request"),
    ("/api/territories", {"region": "region-00"}, {}, 404, "not_found"),
    ("/api/territories", {"limit": 5000}, {}, 422, "invalid_parameter"),
    ("/id/no-such-entity", {}, {}, 404, "not_found"),
    ("/id/no-such-entity", {}, {"accept": "text/turtle"}, 404, "not_found"),  # browsers: HTML
    ("/id/eric-lombard", {}, {"accept": "application/pdf"}, 406, "not_acceptable"),
    ("/id/eric-lombard", {"format": "pdf"}, {}, 406, "not_acceptable"),
    ("/search", {"type": "city"}, {}, 422, "invalid_parameter"),
    ("/search", {"q": "x", "page": 0}, {}, 422, "invalid_parameter"),
    ("/no/such/page", {}, {}, 404, "not_found"),
]


@pytest.mark.parametrize(("path", "params", "headers", "status", "code"), CASES)
def test_error_shape(
    client: TestClient, path: str, params: dict, headers: dict, status: int, code: str
) -> None:
    answer = client.get(path, params=params, headers=headers)
    assert_error(answer, status)
    assert answer.json()["error"]["code"] == code


def test_method_not_allowed(client: TestClient) -> None:
    answer = client.post("/api/search", params={"q": "x"})
    assert_error(answer, 405)
    assert answer.json()["error"]["code"] == "method_not_allowed"


def test_every_get_route_answers_bad_parameters_with_the_shape(
    app: FastAPI, client: TestClient
) -> None:
    """Garbage in every parameter of every documented GET route: any 4xx is the error shape."""
    spec = app.openapi()
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        url = re.sub(r"\{[^}]+\}", "no such thing", path)
        params = {
            p["name"]: "\x00garbage" for p in operation.get("parameters", []) if p["in"] == "query"
        }
        answer = client.get(url, params=params)
        if answer.status_code >= 400:
            assert_error(answer, answer.status_code)
            assert answer.status_code < 500, (path, answer.text)


MY_PATHS = [
    "/api/search",
    "/api/entities/{entity_id}",
    "/api/signatures",
    "/api/commitments",
    "/api/events",
    "/api/territories",
    "/id/{entity_id}",
    "/context.jsonld",
    "/search",
    "/queries",
    "/",
]


@pytest.mark.parametrize("path", MY_PATHS)
def test_openapi_documents_the_route(app: FastAPI, path: str) -> None:
    spec = app.openapi()
    operation = spec["paths"][path]["get"]
    assert operation["summary"] and operation.get("description")
    for parameter in operation.get("parameters", []):
        assert parameter.get("description"), (path, parameter["name"])
    for status, response in operation["responses"].items():
        if status.startswith("4"):
            schema = response["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith("/ErrorResponse"), (path, status)


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/api/search", "SearchResults"),
        ("/api/entities/{entity_id}", "Entity"),
        ("/api/signatures", "SignatureList"),
        ("/api/commitments", "CommitmentList"),
        ("/api/events", "EventList"),
        ("/api/territories", "TerritoryList"),
    ],
)
def test_openapi_response_models_have_examples(app: FastAPI, path: str, model: str) -> None:
    spec = app.openapi()
    ok = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith(f"/{model}")
    schemas = spec["components"]["schemas"]
    item = {
        "SearchResults": "SearchHit",
        "SignatureList": "Signature",
        "CommitmentList": "Commitment",
        "EventList": "Event",
        "TerritoryList": "Territory",
    }.get(model, model)
    assert schemas[item].get("examples"), item
    assert schemas["ErrorResponse"]["examples"][0]["error"]["code"] == "not_found"


def test_the_api_root_lists_its_operations(client: TestClient) -> None:
    answer = client.get("/api")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body["docs"] == "/docs" and body["openapi"] == "/openapi.json"
    listed = {(o["method"], o["path"]) for o in body["operations"]}
    assert {
        ("GET", "/api/search"),
        ("GET", "/api/money"),
        ("GET", "/api/entities/{entity_id}"),
    } <= listed
    documented = client.get("/openapi.json").json()["paths"]
    assert listed == {
        (m.upper(), p) for p, ms in documented.items() if p.startswith("/api/") for m in ms
    }


def test_docs_page(client: TestClient) -> None:
    answer = client.get("/docs")
    assert answer.status_code == 200 and "swagger" in answer.text.lower()


def test_an_unhandled_error_on_a_direct_route_is_a_500_in_the_error_shape() -> None:
    """The /sparql routes skip FastAPI's request handling (DirectRoute): a bug in one still
    reaches the app's handler, and a library error its own answer."""
    from fastapi import APIRouter, Request
    from tdi_graph_api.routers.sparql import DirectRoute

    from tdi_graph.errors import BadRequest

    async def boom(request: Request) -> None:
        raise RuntimeError("secret internal detail /etc/passwd")

    async def refused(request: Request) -> None:
        raise BadRequest("no such thing")

    router = APIRouter(route_class=DirectRoute)
    router.add_api_route("/boom", boom)
    router.add_api_route("/refused", refused)
    bare = FastAPI()
    errors.install(bare)
    bare.include_router(router)
    client = TestClient(bare, raise_server_exceptions=False)
    answer = client.get("/boom")
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {"code": "internal_error", "message": "internal error (logged)"}
    }
    assert "secret" not in answer.text
    answer = client.get("/refused")
    assert answer.status_code == 400 and answer.json()["error"]["message"] == "no such thing"
    assert client.post("/boom").status_code == 405
