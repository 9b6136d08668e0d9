"""SERVICE is impossible by construction (issue 12): the lexer refuses it before the parser sees
the query, and the workers cannot open a network socket at all, so a SERVICE the lexer missed
still calls nobody. Checked against a real HTTP canary on 127.0.0.1 that records every hit."""

from __future__ import annotations

import contextlib
import http.server
import json
import random
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tdi_graph.errors import QueryRefused, QuerySyntaxError, QueryTooDeep
from tdi_graph.sandbox import network_filter_supported
from tdi_graph.sparql import QueryRequest, check
from tdi_graph.sparql_lexer import lex
from tdi_graph.workers import Limits, WorkerPool

ENDPOINT = "/sparql"
EMPTY = {
    "head": {"vars": ["x"]},
    "results": {"bindings": [{"x": {"type": "literal", "value": "canary"}}]},
}


class Canary(http.server.ThreadingHTTPServer):
    """A SPARQL endpoint on loopback that answers one row and counts who called it."""

    hits: list[str]


class _Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        body = json.dumps(EMPTY).encode()
        self.send_response(200)
        self.send_header("content-type", "application/sparql-results+json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    server = Canary(("127.0.0.1", 0), _Handler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _url(canary: Canary) -> str:
    return f"http://127.0.0.1:{canary.server_address[1]}/sparql"


def hidden(canary: Canary) -> str:
    """The query of issue 12: an escaped quote in a prefixed name fooled the keyword scanner."""
    return (
        "PREFIX ex: <http://example.org/>\n"
        f"SELECT * WHERE {{ {{ BIND(ex:a\\' AS ?h) }} UNION {{ SERVICE <{_url(canary)}> "
        "{ ?x ?y ?z } } }"
    )


def assert_service_refused(answer: object) -> None:
    assert answer.status_code == 400, answer.text  # type: ignore[attr-defined]
    error = answer.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "query_refused" and "SERVICE" in error["message"]


def test_the_canary_answers_when_called(canary: Canary, store: ox.Store) -> None:
    """The control: a worker allowed the network does call the canary (so 0 hits means 0)."""
    before = len(canary.hits)
    query = f"SELECT ?x WHERE {{ SERVICE <{_url(canary)}> {{ ?x ?y ?z }} }}"
    with WorkerPool(store, size=1, timeout=5.0, limits=Limits(sandbox=False)) as pool:
        answer = pool.run(QueryRequest(query, format="csv", allow_service=True))
    assert b"canary" in b"".join(answer.chunks())
    assert len(canary.hits) == before + 1


def test_hidden_service_is_refused_by_get_and_post(client: TestClient, canary: Canary) -> None:
    before = len(canary.hits)
    query = hidden(canary)
    assert_service_refused(client.get(ENDPOINT, params={"query": query}))
    assert_service_refused(client.post(ENDPOINT, data={"query": query}))
    assert_service_refused(
        client.post(ENDPOINT, content=query, headers={"content-type": "application/sparql-query"})
    )
    assert canary.hits[before:] == []


def test_hidden_service_over_real_http(live_server: str, canary: Canary) -> None:
    import httpx

    before = len(canary.hits)
    query = hidden(canary)
    assert_service_refused(httpx.get(live_server + ENDPOINT, params={"query": query}, timeout=30))
    assert_service_refused(httpx.post(live_server + ENDPOINT, data={"query": query}, timeout=30))
    assert canary.hits[before:] == []


@pytest.mark.skipif(not network_filter_supported(), reason="no seccomp filter for this machine")
@pytest.mark.parametrize("silent", ["", "SILENT"])
def test_a_worker_cannot_call_out_even_past_the_check(
    canary: Canary, store: ox.Store, silent: str
) -> None:
    """The second wall: the request says SERVICE is allowed (the lexer lets it through), but the
    worker has no network: nothing reaches the canary, and the answer is a clean refusal."""
    before = len(canary.hits)
    query = f"SELECT ?x WHERE {{ SERVICE {silent} <{_url(canary)}> {{ ?x ?y ?z }} }}"
    with WorkerPool(store, size=1, timeout=5.0) as pool:
        if silent:  # SILENT swallows the failure: an empty answer, still no call
            answer = pool.run(QueryRequest(query, format="csv", allow_service=True))
            assert b"".join(answer.chunks()).strip() == b"x"
        else:
            with pytest.raises(QueryRefused, match="SERVICE"):
                pool.run(QueryRequest(query, format="csv", allow_service=True))
        # DNS is gone too: a host name cannot even be looked up
        with pytest.raises(QueryRefused, match="SERVICE"):
            pool.run(
                QueryRequest(
                    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
                    allow_service=True,
                )
            )
    assert canary.hits[before:] == []


@pytest.mark.parametrize(
    "endpoint", ["file:///etc/passwd", "ftp://127.0.0.1/x", "http://127.0.0.1:1/sparql"]
)
def test_other_schemes_and_closed_ports_are_refusals_not_500(
    client: TestClient, endpoint: str
) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
    answer = client.get(ENDPOINT, params={"query": query})
    assert_service_refused(answer)
    assert "passwd" not in answer.json()["error"]["message"]


def test_service_variants_are_refused(client: TestClient, canary: Canary) -> None:
    url = _url(canary)
    before = len(canary.hits)
    variants = [
        f"SELECT*WHERE{{SERVICE<{url}>{{?s?p?o}}}}",
        f"SELECT * WHERE {{ service#comment\n<{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p 'a\\'' . SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f'SELECT * WHERE {{ ?s ?p """a"b""" . SERVICE <{url}> {{ ?s ?p ?o }} }}',
        f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ex:p%41 ex:a\\.b. SERVICE <{url}> {{}} }}",
        f"SELECT * WHERE {{ ?s ?p true.SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ]
    for query in variants:
        assert_service_refused(client.get(ENDPOINT, params={"query": query}))
    assert canary.hits[before:] == []


# --- the lexer against pyoxigraph's own parser ----------------------------------------------

_PIECES = [
    "BIND(ex:a\\' AS ?h)",
    'BIND(ex:a\\" AS ?h)',
    'BIND("a\\"b" AS ?h)',
    "BIND('a\\'b' AS ?h)",
    "BIND('''a''b''' AS ?h)",
    'BIND("""a""b""" AS ?h)',
    "BIND(ex:a%22 AS ?h)",
    "BIND(<http://e/a'b> AS ?h)",
    "FILTER(?a < ?b)",
    "FILTER(?a<?b&&?b>?a)",
    "?s ex:p ex:o.",
    "?s ex:p ex:o\\.x.",
    "?s ?p 1.",
    "?s ?p 1.5e3.",
    '?s ?p "x"@fr.',
    '?s ?p "x"^^ex:t.',
    "?s ?p _:b.x.",
    "# a comment ' \"\n",
    "?s ?p [ ex:q ?o ].",
    "?s ?p ( 1 2 ).",
    "?s ex:a\\' ?o.",
    "?s ex:\\#x ?o.",
]


def _oxigraph_calls_service(store: ox.Store, query: str) -> bool | None:
    """Whether evaluating ``query`` calls its SERVICE (to port 9, which pyoxigraph refuses
    before any connection); None if pyoxigraph's parser refuses the query."""
    try:
        list(store.query(query))  # type: ignore[arg-type]
    except SyntaxError:
        return None
    except OSError as exc:
        return "port 9" in str(exc)
    return False


def test_the_lexer_reads_service_as_the_parser_does() -> None:
    """Differential: pieces that can fool a naive scanner, around a SERVICE, in random order."""
    store = ox.Store()
    rng = random.Random(12)
    checked = 0
    for _ in range(400):
        pieces = rng.sample(_PIECES, 3)
        service = "SERVICE <http://127.0.0.1:9/> { ?x ?y ?z }"
        hide = rng.choice(["{ %s } UNION { %s }", "%s %s", "{ %s } OPTIONAL { %s }"])
        body = hide % (" ".join(pieces), service)
        query = f"PREFIX ex: <http://e/> SELECT * WHERE {{ {body} }}"
        if _oxigraph_calls_service(store, query) is None:
            continue  # the parser refuses it: nothing would run, whatever the lexer says
        checked += 1  # the parser accepts a query with a SERVICE: the lexer must see it
        assert "SERVICE" in lex(query).words, query
    assert checked > 200


@pytest.mark.perf
def test_the_lexer_is_linear() -> None:
    """Inputs that made the old scanner quadratic are one pass now: 256 KB of each in well under
    a second (the old scan took 2.6 s for 20 KB, so minutes for these; 1 MB, the body limit, is
    tests/api/test_sparql_limits.py's)."""
    import time

    pieces = ("a.", '"a.', "ex:a.", "'''", "<a", "?a", "\\'", "# \n")
    # and what the complexity counts walk: separators, collections, groups, operators
    pieces += ("?s ?p ?o . ", "?p ?o ; ", "(1 ", "{ } UNION ", "1 + ", "<p>/", "VALUES ?x { 1 ")
    for piece in pieces:
        text = "SELECT * {" + piece * (256_000 // len(piece))
        started = time.perf_counter()
        with contextlib.suppress(QuerySyntaxError, QueryTooDeep):
            lex(text)
        assert time.perf_counter() - started < 3.0, piece


def test_depth_is_bounded_before_the_parser() -> None:
    """10 KB of nested braces crashed the parser (a segfault in a worker): now a 400 first."""
    assert check("SELECT * WHERE " + "{" * 64 + "}" * 64) == "SELECT"
    for opening, closing in (("{", "}"), ("(", ")"), ("[ ?p ", "]")):
        with pytest.raises(QueryTooDeep):
            check("SELECT * WHERE { ?s ?p " + opening * 10_000 + closing * 10_000 + "}")


def test_deep_nesting_is_a_400_over_http(client: TestClient) -> None:
    query = "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000
    for answer in (
        client.get(ENDPOINT, params={"query": query}),
        client.post(ENDPOINT, content=query, headers={"content-type": "application/sparql-query"}),
    ):
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "query_too_deep"
    assert client.get(ENDPOINT, params={"query": "ASK {}"}).json()["boolean"] is True
