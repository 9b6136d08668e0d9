"""The SPARQL 1.1 Protocol's query operation, row by row: methods, parameters, media types,
datasets, each error status; the service description and the UI; real clients over HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tdi_graph.conneg import negotiate, parse_accept
from tdi_graph.namespaces import ID
from tdi_graph.sparql import query_form, with_values
from tdi_graph.sparql_output import INLINE_MAX
from tests.api import assert_error

ENDPOINT = "/sparql"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
SELECT_ONE = f"SELECT ?p ?o WHERE {{ <{ID}bpifrance> ?p ?o }} ORDER BY ?p ?o"
NO_BLANK = f"SELECT ?p ?o WHERE {{ <{ID}bpifrance> ?p ?o FILTER(!isBlank(?o)) }}"
NFC = "https://w3id.org/tdi-graph/graph/cp-bdt-2019-03-20-nord-franche-comte"
C1114 = "https://w3id.org/tdi-graph/graph/cp-1114-premiers-contrats"
SIGNATURE = f"{ID}signature-contrat-ti-nord-franche-comte"
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


def media(answer: httpx.Response) -> str:
    return answer.headers["content-type"].split(";")[0].strip()


def json_rows(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    assert media(answer) == "application/sparql-results+json"
    return list(answer.json()["results"]["bindings"])


def values(rows: list[dict[str, Any]], name: str) -> list[str]:
    return [row[name]["value"] for row in rows if name in row]


def triples(items: Any) -> list[tuple[str | None, ...]]:
    """Triples (or quads) as sorted N-Triples tuples, blank nodes anonymised."""
    return sorted((term(t.subject), term(t.predicate), term(t.object)) for t in items)


def term(value: Any) -> str | None:
    """A term as N-Triples; blank nodes (their ids differ between two stores) as ``_:``."""
    if value is None:
        return None
    return "_:" if isinstance(value, ox.BlankNode) else str(value)


def store_rows(store: ox.Store, query: str, **kwargs: Any) -> list[tuple[str | None, ...]]:
    result = store.query(query, use_default_graph_as_union=True, **kwargs)
    names = [v.value for v in result.variables]
    return [tuple(term(s[n]) for n in names) for s in result]


def parsed_rows(body: bytes, fmt: ox.QueryResultsFormat) -> list[tuple[str | None, ...]]:
    result = ox.parse_query_results(body, format=fmt)
    names = [v.value for v in result.variables]
    return [tuple(term(s[n]) for n in names) for s in result]


# --- the three ways to send a query -----------------------------------------------------------


def test_get_query(client: TestClient, store: ox.Store) -> None:
    answer = client.get(ENDPOINT, params={"query": SELECT_ONE}, headers={"origin": "https://a.b"})
    assert answer.status_code == 200
    assert parsed_rows(answer.content, ox.QueryResultsFormat.JSON) == store_rows(store, SELECT_ONE)
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "accept" in answer.headers["vary"].lower()


def test_post_form(client: TestClient, store: ox.Store) -> None:
    answer = client.post(ENDPOINT, data={"query": SELECT_ONE})
    assert parsed_rows(answer.content, ox.QueryResultsFormat.JSON) == store_rows(store, SELECT_ONE)


def test_post_form_with_charset(client: TestClient) -> None:
    answer = client.post(
        ENDPOINT,
        content="query=ASK%20%7B%7D",
        headers={"content-type": f"{FORM}; charset=UTF-8"},
    )
    assert answer.status_code == 200 and answer.json()["boolean"] is True


def test_post_direct(client: TestClient, store: ox.Store) -> None:
    answer = client.post(ENDPOINT, content=SELECT_ONE, headers={"content-type": DIRECT})
    assert parsed_rows(answer.content, ox.QueryResultsFormat.JSON) == store_rows(store, SELECT_ONE)
    answer = client.post(
        ENDPOINT, content=b"ASK {}", headers={"content-type": f"{DIRECT}; charset=utf-8"}
    )
    assert answer.status_code == 200 and answer.json() == {"head": {}, "boolean": True}


def test_post_direct_non_ascii(client: TestClient) -> None:
    query = f'ASK {{ <{ID}eric-lombard> ?p "Éric Lombard" }}'
    answer = client.post(ENDPOINT, content=query.encode(), headers={"content-type": DIRECT})
    assert answer.json()["boolean"] is True


def test_ask_false(client: TestClient) -> None:
    answer = client.get(ENDPOINT, params={"query": f"ASK {{ <{ID}nobody> ?p ?o }}"})
    assert answer.json() == {"head": {}, "boolean": False}


# --- content negotiation ------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", list(RESULT_TYPES))
def test_select_formats(client: TestClient, store: ox.Store, media_type: str) -> None:
    answer = client.get(ENDPOINT, params={"query": SELECT_ONE}, headers={"accept": media_type})
    assert answer.status_code == 200 and media(answer) == media_type
    expected = store_rows(store, SELECT_ONE)
    if media_type == "text/csv":  # CSV loses the term kinds: compare the lexical forms
        lines = answer.text.splitlines()
        assert lines[0] == "p,o" and len(lines) == len(expected) + 1
        return
    assert parsed_rows(answer.content, RESULT_TYPES[media_type]) == expected


@pytest.mark.parametrize("media_type", list(RESULT_TYPES))
def test_ask_formats(client: TestClient, media_type: str) -> None:
    answer = client.get(ENDPOINT, params={"query": "ASK {}"}, headers={"accept": media_type})
    assert answer.status_code == 200 and media(answer) == media_type
    if media_type in ("application/sparql-results+json", "application/sparql-results+xml"):
        assert bool(ox.parse_query_results(answer.content, format=RESULT_TYPES[media_type]))
    else:
        assert answer.text.strip() == "true"


@pytest.mark.parametrize("media_type", list(GRAPH_TYPES))
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_graph_formats(client: TestClient, store: ox.Store, media_type: str, form: str) -> None:
    query = (
        f"CONSTRUCT WHERE {{ <{SIGNATURE}> ?p ?o }}"
        if form == "CONSTRUCT"
        else f"DESCRIBE <{SIGNATURE}>"
    )
    answer = client.get(ENDPOINT, params={"query": query}, headers={"accept": media_type})
    assert answer.status_code == 200, answer.text
    assert media(answer) == media_type
    got = triples(ox.parse(answer.content, format=GRAPH_TYPES[media_type]))
    expected = triples(store.query(query, use_default_graph_as_union=True))
    assert got == expected and len(got) > 5


def test_default_formats(client: TestClient) -> None:
    assert (
        media(client.get(ENDPOINT, params={"query": "ASK {}"})) == "application/sparql-results+json"
    )
    construct = client.get(ENDPOINT, params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"})
    assert media(construct) == "text/turtle"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        (
            "application/sparql-results+json;q=0.1, text/tab-separated-values",
            "text/tab-separated-values",
        ),
        ("text/*", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/xml", "application/sparql-results+xml"),
        ("image/png, text/csv;q=0.8, */*;q=0.1", "text/csv"),
        ("text/xml", "application/sparql-results+xml"),
        ("application/sparql-results+xml;q=0, */*", "application/sparql-results+json"),
    ],
)
def test_accept_q_values(client: TestClient, accept: str, expected: str) -> None:
    answer = client.get(ENDPOINT, params={"query": SELECT_ONE}, headers={"accept": accept})
    assert answer.status_code == 200 and media(answer) == expected


def test_format_override(client: TestClient) -> None:
    for name, expected in [
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("xml", "application/sparql-results+xml"),
        ("json", "application/sparql-results+json"),
    ]:
        answer = client.get(
            ENDPOINT,
            params={"query": SELECT_ONE, "format": name},
            headers={"accept": "application/sparql-results+json"},
        )
        assert media(answer) == expected
    query = f"DESCRIBE <{SIGNATURE}>"
    for name, expected in [
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("xml", "application/rdf+xml"),
        ("json", "application/ld+json"),
        ("trig", "application/trig"),
        ("nquads", "application/n-quads"),
    ]:
        assert media(client.get(ENDPOINT, params={"query": query, "format": name})) == expected
    form = client.post(ENDPOINT, data={"query": SELECT_ONE, "format": "tsv"})
    assert media(form) == "text/tab-separated-values"


def test_not_acceptable(client: TestClient) -> None:
    message = assert_error(
        client.get(ENDPOINT, params={"query": SELECT_ONE}, headers={"accept": "text/turtle"}),
        406,
        "not_acceptable",
    )
    assert "application/sparql-results+json" in message
    construct = {"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}
    assert_error(client.get(ENDPOINT, params=construct, headers={"accept": "text/csv"}), 406)
    assert_error(client.get(ENDPOINT, params=construct, headers={"accept": "image/png"}), 406)
    assert_error(client.get(ENDPOINT, params={**construct, "format": "csv"}), 406)
    assert_error(client.get(ENDPOINT, params={"query": "ASK {}", "format": "ttl"}), 406)
    assert_error(client.get(ENDPOINT, params={"query": "ASK {}", "format": "pdf"}), 406)


def test_negotiation_helpers() -> None:
    assert parse_accept(None) == [("*/*", 1.0)]
    assert parse_accept("text/csv;q=abc") == [("text/csv", 0.0)]
    assert negotiate("graph", "application/json").name == "jsonld"
    assert query_form("PREFIX a: <x:> # SELECT\n CONSTRUCT { } WHERE { }") == "CONSTRUCT"
    assert query_form("INSERT DATA { <a> <b> <c> }") == "UPDATE"


def test_large_answer_is_streamed(client: TestClient) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o VALUES ?n { 1 2 3 4 5 6 7 8 9 10 } } LIMIT 30000"
    answer = client.get(ENDPOINT, params={"query": query}, headers={"accept-encoding": "identity"})
    assert answer.status_code == 200
    assert int(answer.headers["content-length"]) == len(answer.content) > INLINE_MAX
    assert len(answer.json()["results"]["bindings"]) == 30000
    csv = client.get(ENDPOINT, params={"query": query, "format": "csv"})
    assert len(csv.text.splitlines()) == 30001


# --- datasets: default-graph-uri and named-graph-uri ------------------------------------------


def test_default_graph_is_union(client: TestClient) -> None:
    rows = json_rows(
        client.get(ENDPOINT, params={"query": f"SELECT ?p WHERE {{ <{SIGNATURE}> ?p ?o }}"})
    )
    assert len(rows) > 5


def test_default_graph_uri(client: TestClient) -> None:
    query = f"SELECT DISTINCT ?g WHERE {{ <{SIGNATURE}> ?p ?o }}"
    ask = f"ASK {{ <{SIGNATURE}> <{ID[:-3]}ontology#date> ?d }}"
    assert json_rows(client.get(ENDPOINT, params={"query": query, "default-graph-uri": NFC}))
    assert client.get(ENDPOINT, params={"query": ask, "default-graph-uri": NFC}).json()["boolean"]
    assert not client.get(ENDPOINT, params={"query": ask, "default-graph-uri": C1114}).json()[
        "boolean"
    ]
    both = client.get(
        ENDPOINT, params=[("query", ask), ("default-graph-uri", C1114), ("default-graph-uri", NFC)]
    )
    assert both.json()["boolean"]
    direct = client.post(
        ENDPOINT, params={"default-graph-uri": C1114}, content=ask, headers={"content-type": DIRECT}
    )
    assert not direct.json()["boolean"]
    form = client.post(ENDPOINT, data={"query": ask, "default-graph-uri": NFC})
    assert form.json()["boolean"]


def test_named_graph_uri(client: TestClient) -> None:
    query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{SIGNATURE}> ?p ?o }} }} ORDER BY ?g"
    every = values(json_rows(client.get(ENDPOINT, params={"query": query})), "g")
    assert every == sorted([NFC, C1114])
    one = client.get(ENDPOINT, params={"query": query, "named-graph-uri": NFC})
    assert values(json_rows(one), "g") == [NFC]
    # only named graphs given: the default graph is empty
    plain = client.get(
        ENDPOINT, params={"query": f"ASK {{ <{SIGNATURE}> ?p ?o }}", "named-graph-uri": NFC}
    )
    assert plain.json()["boolean"] is False


def test_full_dataset(client: TestClient) -> None:
    query = f"SELECT ?g WHERE {{ <{SIGNATURE}> ?q ?x GRAPH ?g {{ <{SIGNATURE}> ?p ?o }} }}"
    params = [("query", query), ("default-graph-uri", C1114), ("named-graph-uri", NFC)]
    assert set(values(json_rows(client.get(ENDPOINT, params=params)), "g")) == {NFC}


def test_protocol_dataset_overrides_from(client: TestClient) -> None:
    ask = f"ASK FROM <{C1114}> {{ <{SIGNATURE}> <https://w3id.org/tdi-graph/ontology#date> ?d }}"
    assert not client.get(ENDPOINT, params={"query": ask}).json()["boolean"]
    assert client.get(ENDPOINT, params={"query": ask, "default-graph-uri": NFC}).json()["boolean"]


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    answer = client.get(
        ENDPOINT, params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}", "format": "nt"}
    )
    assert answer.text.startswith("<https://w3id.org/tdi-graph/s> <https://w3id.org/tdi-graph/p>")


def test_bad_graph_iri(client: TestClient) -> None:
    assert_error(
        client.get(ENDPOINT, params={"query": "ASK {}", "default-graph-uri": "not an iri"}), 400
    )
    assert_error(
        client.get(ENDPOINT, params={"query": "ASK {}", "named-graph-uri": "relative"}), 400
    )


# --- errors ----------------------------------------------------------------------------------


def test_syntax_error(client: TestClient) -> None:
    message = assert_error(
        client.get(ENDPOINT, params={"query": "ASK {"}), 400, "query_syntax_error"
    )
    assert "1:6" in message
    message = assert_error(client.post(ENDPOINT, data={"query": "SELECT * WHERE { ?s ?p }"}), 400)
    assert "error at 1:" in message and len(message) < 400
    assert_error(
        client.get(ENDPOINT, params={"query": "SELECT * WHERE { <relative iri> ?p ?o }"}), 400
    )


def test_empty_query(client: TestClient) -> None:
    assert_error(client.get(ENDPOINT, params={"query": ""}), 400, "bad_request")
    assert_error(client.post(ENDPOINT, content=b"  ", headers={"content-type": DIRECT}), 400)


def test_missing_query(client: TestClient) -> None:
    assert_error(client.post(ENDPOINT, data={"default-graph-uri": NFC}), 400, "bad_request")
    assert_error(client.post(ENDPOINT, content=b"", headers={"content-type": FORM}), 400)


def test_repeated_parameters(client: TestClient) -> None:
    two = [("query", "ASK {}"), ("query", "SELECT * {}")]
    assert "2 times" in assert_error(client.get(ENDPOINT, params=two), 400, "bad_request")
    assert_error(
        client.post(
            ENDPOINT,
            content="query=ASK%20%7B%7D&query=ASK%20%7B%7D",
            headers={"content-type": FORM},
        ),
        400,
    )
    assert_error(client.post(ENDPOINT, params={"query": "ASK {}"}, data={"query": "ASK {}"}), 400)
    assert_error(
        client.post(
            ENDPOINT, params={"query": "ASK {}"}, content="ASK {}", headers={"content-type": DIRECT}
        ),
        400,
    )
    assert_error(
        client.get(ENDPOINT, params=[("query", "ASK {}"), ("format", "json"), ("format", "xml")]),
        400,
    )


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/json",
        "application/sparql-results+json",
        "multipart/form-data; boundary=x",
    ],
)
def test_wrong_media_type(client: TestClient, content_type: str) -> None:
    answer = client.post(ENDPOINT, content=b"ASK {}", headers={"content-type": content_type})
    assert_error(answer, 415, "unsupported_media_type")


def test_missing_media_type(client: TestClient) -> None:
    request = client.build_request("POST", ENDPOINT, content=b"query=ASK%20%7B%7D")
    request.headers.pop("content-type", None)
    assert_error(client.send(request), 415)
    request = client.build_request("POST", ENDPOINT, content=b"ASK {}")
    request.headers.pop("content-type", None)
    assert_error(client.send(request), 415)


def test_not_utf8(client: TestClient) -> None:
    utf16 = "ASK {}".encode("utf-16")
    assert_error(
        client.post(ENDPOINT, content=utf16, headers={"content-type": f"{DIRECT}; charset=UTF-16"}),
        415,
    )
    assert_error(
        client.post(
            ENDPOINT, content=b"query=x", headers={"content-type": f"{FORM}; charset=latin-1"}
        ),
        415,
    )
    latin1 = 'ASK { ?s ?p "\xe9" }'.encode("latin-1")
    assert_error(client.post(ENDPOINT, content=latin1, headers={"content-type": DIRECT}), 400)
    assert_error(client.post(ENDPOINT, content=b"query=%E9", headers={"content-type": FORM}), 400)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods(client: TestClient, method: str) -> None:
    answer = client.request(method, ENDPOINT, params={"query": "ASK {}"})
    assert_error(answer, 405, "method_not_allowed")
    assert answer.headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_request_too_large(client: TestClient) -> None:
    body = "ASK {} #" + "x" * 1_100_000
    assert_error(client.post(ENDPOINT, content=body, headers={"content-type": DIRECT}), 413)


# --- CORS, service description, UI ----------------------------------------------------------


def test_head(client: TestClient, live_server: str) -> None:
    answer = httpx.head(live_server + ENDPOINT, params={"query": "ASK {}"})
    assert answer.status_code == 200 and answer.content == b""
    assert media(answer) == "application/sparql-results+json"
    assert client.head(ENDPOINT).status_code == 200


def test_cors_preflight(client: TestClient) -> None:
    answer = client.options(
        ENDPOINT,
        headers={
            "origin": "https://example.org",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert answer.status_code == 200  # Starlette's CORSMiddleware answers the preflight
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert "content-type" in answer.headers["access-control-allow-headers"].lower()
    post = client.post(
        ENDPOINT, data={"query": "ASK {}"}, headers={"origin": "https://example.org"}
    )
    assert post.headers["access-control-allow-origin"] == "*"


SD = "http://www.w3.org/ns/sparql-service-description#"


def test_service_description(client: TestClient, store: ox.Store) -> None:
    answer = client.get(ENDPOINT)
    assert answer.status_code == 200 and media(answer) == "text/turtle"
    triples = list(ox.parse(answer.content, format=ox.RdfFormat.TURTLE))
    service = ox.NamedNode("https://w3id.org/tdi-graph/sparql")  # the settings', not Host

    def objects(subject: ox.NamedNode | ox.BlankNode, local: str) -> list[Any]:
        return [
            t.object
            for t in triples
            if t.subject == subject and t.predicate == ox.NamedNode(SD + local)
        ]

    assert objects(service, "endpoint") == [service]
    assert ox.NamedNode(SD + "SPARQL11Query") in objects(service, "supportedLanguage")
    assert ox.NamedNode(SD + "UnionDefaultGraph") in objects(service, "feature")
    assert ox.NamedNode(SD + "BasicFederatedQuery") not in objects(service, "feature")
    formats = {t.value for t in objects(service, "resultFormat")}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats and len(formats) == 10
    names = {t.object.value for t in triples if t.predicate == ox.NamedNode(SD + "name")}
    assert NFC in names and C1114 in names
    stored = {row["g"].value for row in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }")}
    assert names == stored


@pytest.mark.parametrize(
    "media_type", ["application/ld+json", "application/n-triples", "application/rdf+xml"]
)
def test_service_description_formats(client: TestClient, media_type: str) -> None:
    answer = client.get(ENDPOINT, headers={"accept": media_type})
    assert media(answer) == media_type
    assert any(
        t.predicate.value == SD + "endpoint"
        for t in ox.parse(answer.content, format=GRAPH_TYPES[media_type])
    )


def test_service_description_not_acceptable(client: TestClient) -> None:
    assert_error(client.get(ENDPOINT, headers={"accept": "text/csv"}), 406)


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_ui_for_browsers(client: TestClient) -> None:
    answer = client.get(ENDPOINT, headers={"accept": BROWSER})
    assert answer.status_code == 200 and media(answer) == "text/html"
    html = answer.text
    assert "/static/vendor/yasgui/yasgui.min.js" in html and "/static/sparql.js" in html
    assert "https://" not in html.split('<script type="application/json"', 1)[0].replace(
        "https://w3id.org", ""
    )  # nothing fetched from elsewhere
    config = json.loads(html.split('id="sparql-config">', 1)[1].split("</script>", 1)[0])
    assert config["endpoint"] == "/sparql"
    assert "PREFIX tdi: <https://w3id.org/tdi-graph/ontology#>" in config["query"]
    names = {e["name"] for e in config["examples"]}
    assert {
        "signatories-of-agreement",
        "territory-of-commune",
        "money-by-operator-and-instrument",
    } <= names
    commune = next(e for e in config["examples"] if e["name"] == "territory-of-commune")
    assert f"VALUES (?commune) {{ (<{ID}commune-25547>) }}" in commune["query"]


def test_ui_with_a_query(client: TestClient) -> None:
    answer = client.get(ENDPOINT, params={"query": "ASK {}"}, headers={"accept": BROWSER})
    assert media(answer) == "text/html"
    config = json.loads(answer.text.split('id="sparql-config">', 1)[1].split("</script>", 1)[0])
    assert config["query"] == "ASK {}"


def test_with_values_keeps_an_existing_values_clause() -> None:
    query = "SELECT ?x WHERE { VALUES ?x { 1 } } VALUES ?y { 2 }"
    assert with_values(query, {"x": ox.Literal("3")}) == query


# --- real clients over HTTP ----------------------------------------------------------------


def test_sparqlwrapper(live_server: str, store: ox.Store) -> None:
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(live_server + ENDPOINT)
    client.setQuery(NO_BLANK)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]  # type: ignore[index]
    expected = {
        (s["p"].value, s["o"].value) for s in store.query(NO_BLANK, use_default_graph_as_union=True)
    }
    assert {(b["p"]["value"], b["o"]["value"]) for b in bindings} == expected
    assert len(bindings) == len(store_rows(store, NO_BLANK)) > 5

    client.setMethod(POST)
    client.setQuery(f"ASK {{ <{ID}bpifrance> ?p ?o }}")
    assert client.query().convert()["boolean"] is True  # type: ignore[index]

    client.setQuery(f"CONSTRUCT WHERE {{ <{SIGNATURE}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    turtle = client.query().convert()
    query = f"CONSTRUCT WHERE {{ <{SIGNATURE}> ?p ?o }}"
    assert triples(ox.parse(turtle, format=ox.RdfFormat.TURTLE)) == triples(
        store.query(query, use_default_graph_as_union=True)
    )


def test_rdflib_sparqlstore(live_server: str, store: ox.Store) -> None:
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(SPARQLStore(live_server + ENDPOINT, returnFormat="xml"))
    rows = {(str(p), str(o)) for p, o in graph.query(NO_BLANK)}
    expected = {
        (s["p"].value, s["o"].value) for s in store.query(NO_BLANK, use_default_graph_as_union=True)
    }
    assert rows == expected
    assert graph.query(f"ASK {{ <{ID}bpifrance> ?p ?o }}").askAnswer is True
    subject = URIRef(SIGNATURE)
    query = f"SELECT ?p ?o WHERE {{ <{SIGNATURE}> ?p ?o }}"
    got = [(p.n3(), o.n3()) for _, p, o in graph.triples((subject, None, None))]
    expected_rows = store_rows(store, query)
    assert len(got) == len(expected_rows) > 5
    assert {g for g in got if not g[1].startswith("_:")} == {
        r for r in expected_rows if r[1] != "_:"
    }
