"""Security headers on every response, and no reflection of the Host header (issue 12)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from .test_sparql_safety import changed_settings

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PATHS = [
    ("/", BROWSER),
    ("/sparql", BROWSER),
    ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
    ("/sparql?query=ASK%7B", "application/sparql-results+json"),  # a 400
    ("/api/search?q=bpi", "application/json"),
    ("/api/entities/nope", "application/json"),  # a 404
    ("/id/bpifrance", BROWSER),
    ("/id/bpifrance", "text/turtle"),
    ("/search?q=cholet", BROWSER),
    ("/network", BROWSER),
    ("/static/site.css", "text/css"),
    ("/openapi.json", "application/json"),
]


@pytest.mark.parametrize(("path", "accept"), PATHS)
def test_security_headers_everywhere(client: TestClient, path: str, accept: str) -> None:
    answer = client.get(path, headers={"accept": accept})
    assert answer.status_code in (200, 400, 404), (path, answer.status_code)
    headers = answer.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'"  # no inline script, no eval
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"


def test_pages_have_no_inline_script(client: TestClient) -> None:
    """What lets the CSP forbid inline script: every <script> is a file or JSON data."""
    import re

    for path in ("/", "/sparql", "/id/bpifrance", "/search?q=x", "/network", "/map", "/queries"):
        html = client.get(path, headers={"accept": BROWSER}).text
        for tag, body in re.findall(r"(<script[^>]*>)(.*?)</script>", html, re.S):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
            assert "src=" not in tag or not body.strip()
        assert not re.search(r"\son[a-z]+\s*=", html), path  # no onclick= handlers


def test_docs_page_keeps_the_strict_policy(client: TestClient) -> None:
    """Swagger UI is vendored: /docs needs no outside origin and no inline script."""
    csp = client.get("/docs").headers["content-security-policy"]
    assert "https:" not in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self';" in csp


def test_the_host_header_is_not_reflected(app: FastAPI, client: TestClient) -> None:
    evil = "evil.example:666"
    for accept in ("text/turtle", "application/n-triples", "application/ld+json"):
        answer = client.get("/sparql", headers={"host": evil, "accept": accept})
        assert answer.status_code == 200
        assert "evil" not in answer.text
    ui = client.get("/sparql", headers={"host": evil, "accept": BROWSER})
    assert "evil" not in ui.text
    relative = client.get(
        "/sparql",
        params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}", "format": "nt"},
        headers={"host": evil},
    )
    assert "evil" not in relative.text
    with changed_settings(app, public_url="https://tdi.example.org/"):
        answer = client.get("/sparql", headers={"accept": "application/n-triples"})
    triples = list(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))
    assert ox.NamedNode("https://tdi.example.org/sparql") in {t.subject for t in triples}
