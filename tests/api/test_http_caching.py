"""HTTP caching of the immutable build: X-Build everywhere, ETag, 304, Cache-Control; and the
TDI_ANSWER_CACHE setting that turns the answer memos off."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tdi_graph.settings import Settings
from tdi_graph.store import build_id

SPARQL = "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"


def test_every_answer_names_its_build(client: TestClient, store_dir: Path) -> None:
    build = build_id(store_dir)
    assert build
    for path in ("/api/search?q=sochaux", SPARQL, "/api/entities/nobody-at-all", "/"):
        assert client.get(path).headers["x-build"] == build, path
    posted = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert posted.status_code == 200
    assert posted.headers["x-build"] == build
    assert "etag" not in posted.headers  # a POST answer is not cached


def test_etag_and_304_on_if_none_match(client: TestClient, store_dir: Path) -> None:
    first = client.get("/api/search?q=sochaux")
    tag = first.headers["etag"]
    assert tag.startswith(f'"{build_id(store_dir)}-') and tag.endswith('"')
    assert first.headers["cache-control"] == "public, max-age=60"
    again = client.get("/api/search?q=sochaux", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    assert again.headers["x-content-type-options"] == "nosniff"  # security headers too
    weak = client.get("/api/search?q=sochaux", headers={"If-None-Match": f'"x", W/{tag}'})
    assert weak.status_code == 304
    stale = client.get("/api/search?q=sochaux", headers={"If-None-Match": '"old-build-0"'})
    assert stale.status_code == 200 and stale.json() == first.json()


def test_each_representation_has_its_own_tag(client: TestClient) -> None:
    as_json = client.get(SPARQL, headers={"Accept": "application/sparql-results+json"})
    as_xml = client.get(SPARQL, headers={"Accept": "application/sparql-results+xml"})
    assert as_json.status_code == as_xml.status_code == 200
    assert as_json.headers["etag"] != as_xml.headers["etag"]
    cross = client.get(
        SPARQL,
        headers={
            "Accept": "application/sparql-results+xml",
            "If-None-Match": as_json.headers["etag"],
        },
    )
    assert cross.status_code == 200 and cross.text.startswith("<?xml")


def test_errors_are_not_tagged(client: TestClient) -> None:
    missing = client.get("/api/entities/nobody-at-all")
    assert missing.status_code == 404
    assert "etag" not in missing.headers and "cache-control" not in missing.headers


def test_answer_cache_off_keeps_nothing(client: TestClient, settings: Settings) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    assert Settings(answer_cache=False, api_cache_size=50).answers_kept() == 0
    assert settings.answers_kept() == settings.api_cache_size > 0
    saved = services.settings
    services.settings = settings.model_copy(update={"answer_cache": False})
    try:
        calls = []
        for _ in range(2):
            services.answer(("test-no-memo",), lambda: calls.append(1) or {"n": len(calls)})
        assert len(calls) == 2 and ("test-no-memo",) not in services.answers
    finally:
        services.settings = saved
    services.answer(("test-memo",), lambda: calls.append(1) or {})
    assert ("test-memo",) in services.answers
