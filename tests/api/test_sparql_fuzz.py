"""The fuzz corpus of ``tests/fuzz/sparql`` on ``/sparql``: malformed, truncated, binary, huge
and nested queries, invalid UTF-8 and NUL bytes, by GET and by POST with every content type.
Never a 5xx; every refusal is a 4xx in the JSON error shape, without a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_from_bytes

import pytest
from fastapi.testclient import TestClient

from tdi_graph.settings import Settings

CORPUS = Path(__file__).parents[1] / "fuzz" / "sparql"
ENDPOINT = "/sparql"
#: A GET carries a query up to this size (a longer URL is refused before the app, 431).
GET_BYTES = 6000


@pytest.fixture(scope="module")
def client(store_dir: Path) -> Iterator[TestClient]:
    """The app with a time limit of 20 s, not the session's 3 s: the corpus holds no runaway
    query, and its 1 MB inputs take a second or more to read on a busy machine (the suite runs
    on several processes), which must not turn into a 503 time-out."""
    from tdi_graph_api.app import create_app

    settings = Settings(store=store_dir, query_timeout=20.0, query_workers=2)
    with TestClient(create_app(store_dir=store_dir, settings=settings)) as test_client:
        yield test_client


def generated() -> dict[str, bytes]:
    """The large cases, from their recipes in ``GENERATED.txt``."""
    cases = {}
    for line in (CORPUS / "GENERATED.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, count, unit, prefix, suffix = line.split("\t")
            cases[name] = (prefix + unit * int(count) + suffix).encode()
    return cases


#: Flat chains that crashed pyoxigraph's parser/optimizer (a stack overflow: the worker died) or
#: ran into the time limit (its join planner is cubic), now refused by the lexer before the
#: parser sees them: 400 ``query_too_complex`` (``bench/flat_chains.py`` measures where each
#: construct crashes).
FLAT_CHAINS = [
    "unions-20k",
    "triple-patterns-300",
    "optionals-1k",
    "path-steps-1k",
    "minus-3k",
    "plus-chain-10k",
    "collection-10k",
    "predicate-lists-300",
    "path-in-parens-1k",
    "filters-10k",
]

CASES = {p.name: p.read_bytes() for p in sorted(CORPUS.glob("*.rq"))} | generated()

#: (method, content type, how the query travels)
VARIANTS = [
    ("GET", None, "url"),
    ("POST", "application/sparql-query", "raw"),
    ("POST", "application/sparql-query; charset=utf-8", "raw"),
    ("POST", "application/sparql-query; charset=latin-1", "raw"),
    ("POST", "application/x-www-form-urlencoded", "form"),
    ("POST", "application/x-www-form-urlencoded", "raw"),
    ("POST", "multipart/form-data; boundary=x", "multipart"),
    ("POST", "text/plain", "raw"),
    ("POST", "application/json", "raw"),
    ("POST", "application/octet-stream", "raw"),
    ("POST", None, "raw"),
    ("POST", "application/sparql-update", "raw"),
]


def send(client: TestClient, method: str, content_type: str | None, how: str, query: bytes):  # type: ignore[no-untyped-def]
    headers = {"accept": "application/sparql-results+json"}
    if content_type:
        headers["content-type"] = content_type
    if how == "url":
        return client.get(f"{ENDPOINT}?query={quote_from_bytes(query)}", headers=headers)
    body = {
        "raw": query,
        "form": b"query=" + quote_from_bytes(query).encode(),
        "multipart": b'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n'
        + query
        + b"\r\n--x--\r\n",
    }[how]
    return client.request(method, ENDPOINT, content=body, headers=headers)


def assert_not_5xx(answer, name: str) -> None:  # type: ignore[no-untyped-def]
    assert answer.status_code < 500, (name, answer.status_code, answer.text[:300])
    assert "Traceback" not in answer.text and 'File "' not in answer.text
    if answer.status_code >= 400:
        error = answer.json()["error"]
        assert error["code"] and error["message"], name
        assert len(answer.content) < 4000, name  # a 1 MB query is not echoed back


def test_the_corpus_is_there() -> None:
    assert len(CASES) >= 60
    assert b"\x00" in CASES["nul-bytes.rq"] and len(CASES["a-dot-1mb"]) > 900_000


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_corpus_is_never_a_5xx(client: TestClient, name: str) -> None:
    query = CASES[name]
    for method, content_type, how in VARIANTS:
        if how == "url" and len(query) > GET_BYTES:
            continue
        assert_not_5xx(send(client, method, content_type, how, query), f"{name} {content_type}")


@pytest.mark.parametrize("name", ["ok-ask.rq", "ok-select.rq"])
def test_the_good_cases_answer(client: TestClient, name: str) -> None:
    """The corpus's control: well-formed queries answer 200 by GET and by POST."""
    for variant in (VARIANTS[0], VARIANTS[1], VARIANTS[2], VARIANTS[4]):
        assert send(client, *variant, CASES[name]).status_code == 200, variant


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("nested-braces-10k", 400),
        ("nested-parens-10k", 400),
        ("update-insert.rq", 400),
        ("service-plain.rq", 400),
        ("invalid-utf8.rq", 400),
        ("select-truncated.rq", 400),
        *((name, 400) for name in FLAT_CHAINS),
    ],
)
def test_named_refusals(client: TestClient, name: str, status: int) -> None:
    answer = send(client, "POST", "application/sparql-query", "raw", CASES[name])
    assert answer.status_code == status, answer.text[:300]


@pytest.mark.parametrize("name", FLAT_CHAINS)
def test_flat_chains_are_refused_before_the_parser(client: TestClient, name: str) -> None:
    """Each flat chain is a 400 naming the limit it passed and its value, by GET and POST."""
    for variant in (VARIANTS[0], VARIANTS[1], VARIANTS[4]):
        if variant[2] == "url" and len(CASES[name]) > GET_BYTES:
            continue
        answer = send(client, *variant, CASES[name])
        assert answer.status_code == 400, (variant, answer.text[:300])
        error = answer.json()["error"]
        assert error["code"] == "query_too_complex", error
        assert "more than 128 (TDI_MAX_QUERY_PATTERNS)" in error["message"] or (
            "more than 500 (TDI_MAX_QUERY_OPERATORS)" in error["message"]
        ), error["message"]
