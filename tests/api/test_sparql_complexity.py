"""Flat chains (issue 12): no nesting, but a long row of patterns or operators, which crashed
pyoxigraph's parser/optimizer (a stack overflow in the worker) or its cubic join planner ran
into the time limit. The lexer counts them in its one linear pass and :func:`check` refuses a
query past ``TDI_MAX_QUERY_PATTERNS`` or ``TDI_MAX_QUERY_OPERATORS`` with a 400
``query_too_complex`` before the parser sees it, on the embedded store and over a remote
engine alike. Where each construct crashes is measured by ``bench/flat_chains.py``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tdi_graph.errors import QueryTooComplex
from tdi_graph.queries import catalogue
from tdi_graph.remote import EnginePool, RemoteStore
from tdi_graph.sparql import MAX_OPERATORS, MAX_PATTERNS, QueryRequest, check
from tdi_graph.sparql_lexer import lex
from tests.api.test_sparql_safety import changed_settings
from tests.api.test_sparql_service import Canary, _url, canary  # noqa: F401 (a fixture)

ENDPOINT = "/sparql"
P = "<http://x/p>"

#: queries whose group holds exactly ``n`` patterns (as :class:`Reading` counts them)
PATTERNS: dict[str, Callable[[int], str]] = {
    "triple patterns": lambda n: "ASK { " + "?s ?p ?o . " * n + "}",
    "predicate lists": lambda n: "ASK { ?s " + "?p ?o ; " * n + "?p ?o }",
    "object lists": lambda n: "ASK { ?s ?p " + "?o , " * n + "?o }",
    "path steps": lambda n: f"ASK {{ ?s {f'{P}/' * n}{P} ?o }}",
    "path steps in parentheses": lambda n: f"ASK {{ ?s ({f'{P}|' * n}{P}) ?o }}",
    "groups": lambda n: "SELECT ?s { " + "{ ?s ?p ?o } " * n + "}",
    "OPTIONAL": lambda n: "SELECT ?s { " + "OPTIONAL { ?s ?p ?o } " * n + "}",
    "MINUS": lambda n: "SELECT ?s { " + "MINUS { ?s ?p ?o } " * n + "}",
    "collection": lambda n: "ASK { ?s ?p (" + "1 " * (n // 2 + 1) + ") }",
}
#: queries with exactly ``n`` operators in all, and few patterns in any group
OPERATORS: dict[str, Callable[[int], str]] = {
    "BIND": lambda n: "SELECT ?b0 { " + "".join(f"BIND(1 AS ?b{i}) " for i in range(n - 1)) + "}",
    "FILTER": lambda n: "ASK { " + "FILTER(true) " * (n - 1) + "}",
    "UNION": lambda n: "ASK { " + "{ } UNION " * ((n - 2) // 2) + "{ } }",
    "&&": lambda n: "ASK { FILTER(" + "true && " * (n - 2) + "true) }",
    "+": lambda n: "ASK { FILTER(" + "1 + " * (n - 2) + "1) }",
}


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_patterns_in_a_group_are_bounded(name: str) -> None:
    build = PATTERNS[name]
    assert lex(build(MAX_PATTERNS)).widest == MAX_PATTERNS
    assert check(build(MAX_PATTERNS)) in ("ASK", "SELECT")
    over = build(MAX_PATTERNS + 2)
    with pytest.raises(QueryTooComplex) as refused:
        check(over)
    assert refused.value.status == 400 and refused.value.code == "query_too_complex"
    assert refused.value.message.startswith(f"the query has {lex(over).widest:,} triple patterns")
    assert f"more than {MAX_PATTERNS} (TDI_MAX_QUERY_PATTERNS)" in refused.value.message


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_operators_in_all_are_bounded(name: str) -> None:
    build = OPERATORS[name]
    assert lex(build(MAX_OPERATORS)).operators == MAX_OPERATORS
    assert lex(build(MAX_OPERATORS)).widest <= 2
    assert check(build(MAX_OPERATORS)) in ("ASK", "SELECT")
    with pytest.raises(QueryTooComplex) as refused:
        check(build(MAX_OPERATORS + 2))
    message = refused.value.message
    assert message.startswith(f"the query has {MAX_OPERATORS + 2:,} patterns and operators")
    assert f"more than {MAX_OPERATORS} (TDI_MAX_QUERY_OPERATORS)" in message


def test_lists_of_values_are_not_counted() -> None:
    """VALUES rows, IN lists and projections of 10 000 held (measured up to 30 000)."""
    rows = "SELECT ?a { VALUES (?a ?b) { " + "(1 2) " * 10_000 + "} }"
    members = "ASK { FILTER(1 IN (" + "1, " * 10_000 + "1)) }"
    projection = "SELECT " + " ".join(f"?v{i}" for i in range(10_000)) + " WHERE {}"
    for query in (rows, members, projection):
        reading = lex(query)
        assert reading.widest <= 2 and reading.operators <= 3, reading.operators
        assert check(query) == "SELECT" or check(query) == "ASK"


def test_separators_hidden_in_tokens_are_counted() -> None:
    """``ex:o.`` and ``1.`` end a pattern; ``ex:a.b`` is one name; strings and comments hold
    none."""
    assert lex("ASK { " + "?s ?p ex:o. " * 50 + "}").widest == 50
    assert lex("ASK { " + "?s ?p 1. " * 50 + "}").widest == 50
    assert lex("ASK { " + "?s ?p ex:a.b " * 50 + "}").widest == 1
    assert lex('ASK { ?s ?p "' + ". ; , / " * 500 + '" # . . .\n}').widest == 1


def test_the_named_queries_are_far_below_the_limits() -> None:
    """Every named query passes, with a margin of 4 or more on each limit (they reach 17
    patterns in a group and 65 operators)."""
    queries = catalogue()
    assert len(queries) >= 70
    for name, named in queries.items():
        reading = lex(named.text)
        assert reading.widest * 4 <= MAX_PATTERNS, (name, reading.widest)
        assert reading.operators * 4 <= MAX_OPERATORS, (name, reading.operators)
        assert check(named.text) is not None


def _post(client: TestClient, query: str):  # type: ignore[no-untyped-def]
    headers = {"content-type": "application/sparql-query", "accept": "application/json"}
    return client.post(ENDPOINT, content=query.encode(), headers=headers)


@pytest.mark.parametrize("name", ["BIND", "FILTER", "UNION", "&&", "+"])
def test_a_worker_survives_the_longest_chain_allowed(client: TestClient, name: str) -> None:
    """At the operator limit, the weakest constructs (BIND crashed from 2 625 in a row) are
    answered by a worker, which does not die; one past it is a 400 before any evaluation."""
    pool = client.app.state.services.start_pool()  # type: ignore[attr-defined]
    try:
        deaths = pool.deaths
        answer = _post(client, OPERATORS[name](MAX_OPERATORS))
        assert answer.status_code == 200, answer.text[:300]
        assert pool.deaths == deaths
    finally:
        client.app.state.services.stop_pool()  # type: ignore[attr-defined]
    refused = _post(client, OPERATORS[name](MAX_OPERATORS + 2))
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "query_too_complex"


def test_the_limits_are_settings(app: FastAPI, client: TestClient) -> None:
    query = PATTERNS["triple patterns"](11)
    assert _post(client, query).status_code == 200
    for setting, found in (
        ("max_query_patterns", "has 11 triple patterns"),
        ("max_query_operators", "has 12 patterns and operators"),
    ):
        with changed_settings(app, **{setting: 10}):
            answer = _post(client, query)
            assert answer.status_code == 400
            message = answer.json()["error"]["message"]
            assert found in message
            assert f"more than 10 (TDI_{setting.upper()})" in message


def test_the_remote_path_checks_too(canary: Canary) -> None:  # noqa: F811
    """Over a remote engine (TDI_SPARQL_URL) a flat chain is refused the same way, and the
    engine is never called; an ordinary query does reach it."""
    store = RemoteStore(_url(canary), timeout=5, graphs=())
    pool = EnginePool(store, size=1, timeout=5)
    try:
        before = len(canary.hits)
        for query in (PATTERNS["triple patterns"](300), OPERATORS["UNION"](20_000)):
            with pytest.raises(QueryTooComplex):
                pool.run(QueryRequest(query, format="json"))
        assert len(canary.hits) == before
        answer = pool.run(QueryRequest("SELECT ?x WHERE { ?s ?p ?x }", format="json"))
        assert b"canary" in answer.body and len(canary.hits) == before + 1
    finally:
        pool.close()
        store.close()
