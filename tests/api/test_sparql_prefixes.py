"""The project's prefixes are declared for every query (no PREFIX line needed), an unknown
prefix is a 400 that names it, and the service description lists the declared prefixes."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi.testclient import TestClient

from tdi_graph.namespaces import PREFIXES

JSON = {"accept": "application/sparql-results+json"}
SHACL = "http://www.w3.org/ns/shacl#"


def test_a_query_without_prefix_lines_runs(client: TestClient) -> None:
    query = "SELECT ?name WHERE { ?p a foaf:Person ; rdfs:label ?name } ORDER BY ?name"
    answer = client.post("/sparql", data={"query": query}, headers=JSON)
    assert answer.status_code == 200, answer.text
    rows = answer.json()["results"]["bindings"]
    assert len(rows) == 7
    assert all(row["name"]["type"] == "literal" for row in rows)


def test_a_query_s_own_prefix_wins(client: TestClient) -> None:
    query = "PREFIX foaf: <http://example.org/none#> ASK { ?p a foaf:Person }"
    answer = client.get("/sparql", params={"query": query}, headers=JSON)
    assert answer.status_code == 200
    assert answer.json()["boolean"] is False


def test_an_unknown_prefix_is_named(client: TestClient) -> None:
    query = "SELECT ?x WHERE {\n  ?x a foaf:Person ;\n     foo:bar ?y }"
    answer = client.get("/sparql", params={"query": query}, headers=JSON)
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"error"} and body["error"]["code"] == "query_syntax_error"
    message = body["error"]["message"]
    assert "préfixe inconnu `foo:`" in message and "ligne 3, colonne 6" in message
    assert "\\u{" not in message and "'0' ..= '9'" not in message


def test_the_service_description_declares_the_prefixes(client: TestClient) -> None:
    answer = client.get("/sparql", headers={"accept": "application/n-triples"})
    triples = list(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))
    declared = {}
    for t in triples:
        if t.predicate.value == SHACL + "prefix":
            namespace = next(
                u.object.value
                for u in triples
                if u.subject == t.subject and u.predicate.value == SHACL + "namespace"
            )
            declared[t.object.value] = namespace
    assert declared == PREFIXES
