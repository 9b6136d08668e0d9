"""Transport manners: HEAD wherever GET is served, HTML errors for browsers (JSON for
clients), gzip for large answers only, the favicon, /docs without a CDN, the access log."""

from __future__ import annotations

import gzip
import logging

import pytest
from fastapi.testclient import TestClient
from tdi_graph_api.server import config

from tdi_graph.settings import Settings

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ID = "banque-des-territoires"


@pytest.mark.parametrize(
    "path",
    [f"/id/{ID}", f"/api/entities/{ID}", "/api/search?q=Cholet", "/", "/queries", "/docs"],
)
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    plain = {"Accept-Encoding": "identity"}
    got = client.get(path, headers=plain)
    head = client.head(path, headers=plain)
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert int(head.headers["content-length"]) == len(got.content) > 0


def test_head_of_an_unknown_entity_is_a_404(client: TestClient) -> None:
    assert client.head("/id/no-such-entity").status_code == 404


def test_a_browser_gets_an_html_error_page(client: TestClient) -> None:
    response = client.get("/id/no-such-entity", headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page introuvable" in response.text and "no-such-entity" in response.text
    assert '<a href="/">Accueil</a>' in response.text


def test_clients_keep_the_json_error_shape(client: TestClient) -> None:
    for path, headers in [
        ("/id/no-such-entity", {"Accept": "text/turtle"}),
        ("/api/entities/no-such-entity", BROWSER),  # the JSON API stays JSON, even to browsers
        ("/no/such/page", {}),
    ]:
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found", path


def test_html_error_page_escapes_the_message(client: TestClient) -> None:
    response = client.get("/api-nope/<script>x</script>", headers=BROWSER)
    assert response.status_code == 404
    assert "<script>x</script>" not in response.text


def test_large_answers_are_gzipped_small_ones_not(client: TestClient) -> None:
    big = client.get(f"/api/entities/{ID}", headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip"
    assert big.json()["id"] == ID  # httpx decoded it
    with client.stream("GET", f"/api/entities/{ID}", headers={"Accept-Encoding": "gzip"}) as r:
        compressed = b"".join(r.iter_raw())
    assert gzip.decompress(compressed) == big.content
    assert len(compressed) < len(big.content) / 2
    small = client.get("/favicon.svg", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    plain = client.get(f"/api/entities/{ID}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


def test_streamed_sparql_answers_are_gzipped_whole(client: TestClient) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3000"
    headers = {"Accept": "text/csv", "Accept-Encoding": "gzip"}
    response = client.get("/sparql", params={"query": query}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.text.splitlines()) == 3001  # header + every row, none lost


def test_favicon(client: TestClient) -> None:
    for path in ("/favicon.svg", "/favicon.ico"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert response.text.lstrip().startswith("<svg")
    assert 'rel="icon" href="/favicon.svg"' in client.get("/").text


def test_docs_load_swagger_ui_from_this_server(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "cdn.jsdelivr.net" not in response.text
    assert '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js">' in response.text
    assert "script-src 'self';" in response.headers["content-security-policy"]
    assert "http" not in response.headers["content-security-policy"]
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_access_log_setting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    access = logging.getLogger("uvicorn.access")
    on = config(None, Settings(store=tmp_path), "127.0.0.1", 0)
    assert on.access_log is True and access.isEnabledFor(logging.INFO)
    off = config(None, Settings(store=tmp_path, access_log=False), "127.0.0.1", 0)
    assert off.access_log is False
    assert not logging.getLogger("uvicorn.error").isEnabledFor(logging.INFO)
