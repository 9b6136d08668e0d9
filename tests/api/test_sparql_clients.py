"""The clients researchers use, as they come (issue 9): SPARQLWrapper with its default settings
in every format it offers, rdflib's SPARQLStore, pandas on the CSV URL, curl; against a real
server on 127.0.0.1."""

from __future__ import annotations

import io
import shutil
import subprocess
import urllib.parse

import httpx
import pandas as pd
import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tdi_graph.conneg import W3C_JSON_LD, negotiate, requested
from tdi_graph.namespaces import ID

BPI = f"{ID}bpifrance"
SELECT = f"SELECT ?type WHERE {{ <{BPI}> a ?type }} ORDER BY ?type"
ASK = f"ASK {{ <{BPI}> a ?type }}"
CONSTRUCT = f"CONSTRUCT {{ <{BPI}> a ?type }} WHERE {{ <{BPI}> a ?type }}"
OPERATOR = "https://w3id.org/tdi-graph/ontology#PublicOperator"


def _wrapper(live_server: str, query: str, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(live_server + "/sparql")  # default settings: GET, parameters + Accept
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(live_server: str, fmt: str) -> None:
    result = _wrapper(live_server, SELECT, fmt).query()
    assert result.response.status == 200
    converted = result.convert()
    if fmt == JSON:
        types = {b["type"]["value"] for b in converted["results"]["bindings"]}
    elif fmt == XML:
        types = {n.firstChild.data for n in converted.getElementsByTagName("uri")}
    else:
        sep = "," if fmt == CSV else "\t"
        lines = converted.decode().splitlines()[1:]
        types = {line.split(sep)[0].strip("<>") for line in lines}
    assert OPERATOR in types


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(live_server: str, fmt: str) -> None:
    converted = _wrapper(live_server, ASK, fmt).query().convert()
    if fmt == JSON:
        assert converted["boolean"] is True
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", [XML, RDF, RDFXML, TURTLE, N3, JSONLD, JSON])
def test_sparqlwrapper_construct(live_server: str, fmt: str) -> None:
    result = _wrapper(live_server, CONSTRUCT, fmt).query()
    converted = result.convert()
    if isinstance(converted, rdflib.Graph):
        graph = converted
    elif isinstance(converted, bytes):
        graph = rdflib.Graph().parse(data=converted, format="turtle")
    else:  # JSON: the JSON-LD document as a dict
        import json

        graph = rdflib.Graph().parse(data=json.dumps(converted), format="json-ld")
    assert (rdflib.URIRef(BPI), rdflib.RDF.type, rdflib.URIRef(OPERATOR)) in graph


def test_sparqlwrapper_post(live_server: str) -> None:
    sparql = _wrapper(live_server, SELECT, JSON)
    sparql.setMethod("POST")
    types = {b["type"]["value"] for b in sparql.query().convert()["results"]["bindings"]}
    assert OPERATOR in types


def test_rdflib_sparqlstore(live_server: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(live_server + "/sparql"))
    types = {str(row[0]) for row in graph.query(SELECT)}
    assert OPERATOR in types
    assert graph.query(ASK).askAnswer is True
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None
    assert (rdflib.URIRef(BPI), rdflib.RDF.type, rdflib.URIRef(OPERATOR)) in constructed


def test_pandas_reads_the_csv_url(live_server: str) -> None:
    url = live_server + "/sparql?" + urllib.parse.urlencode({"query": SELECT, "format": "csv"})
    frame = pd.read_csv(url)
    assert list(frame.columns) == ["type"]
    assert OPERATOR in set(frame["type"])
    tsv = pd.read_csv(url.replace("format=csv", "format=tsv"), sep="\t")
    assert f"<{OPERATOR}>" in set(tsv["?type"])


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl")
def test_curl(live_server: str) -> None:
    def curl(*args: str) -> str:
        return subprocess.run(
            ["curl", "-sS", "--fail", *args], check=True, capture_output=True, text=True
        ).stdout

    csv = curl(
        "-H", "Accept: text/csv", "--data-urlencode", f"query={SELECT}", f"{live_server}/sparql"
    )
    assert OPERATOR in csv
    nt = curl(
        "-G",
        "--data-urlencode",
        f"query={CONSTRUCT}",
        "-H",
        "Accept: application/n-triples",
        f"{live_server}/sparql",
    )
    assert f"<{BPI}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{OPERATOR}>" in nt
    xml = curl("-H", "Accept: application/rdf+xml", f"{live_server}/id/bpifrance")
    assert "rdf:RDF" in xml


# --- what the clients send ----------------------------------------------------------------


def test_repeated_format_parameters_that_agree(client: TestClient) -> None:
    """SPARQLWrapper's GET for TSV: format, output and results, by name and by media type."""
    params = [
        ("query", SELECT),
        ("format", "tsv"),
        ("format", "text/tab-separated-values"),
        ("output", "tsv"),
        ("results", "tsv"),
    ]
    answer = client.get("/sparql", params=params)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/tab-separated-values")
    graph = [("query", CONSTRUCT), ("format", "xml"), ("format", "application/rdf+xml")]
    assert (
        client.get("/sparql", params=graph)
        .headers["content-type"]
        .startswith("application/rdf+xml")
    )
    disagree = client.get(
        "/sparql", params=[("query", SELECT), ("format", "csv"), ("output", "json")]
    )
    assert disagree.status_code == 400 and "disagree" in disagree.json()["error"]["message"]
    assert requested(["json-ld", "application/ld+json"]) == "json-ld"


def test_n3_is_turtle(client: TestClient) -> None:
    for params, headers in (({"format": "n3"}, {}), ({}, {"accept": "text/n3"})):
        answer = client.get("/sparql", params={"query": CONSTRUCT, **params}, headers=headers)
        assert answer.headers["content-type"].startswith("text/turtle")
    assert negotiate("graph", "text/rdf+n3").name == "turtle"


@pytest.mark.parametrize(
    ("accept", "rdf"),
    [
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/trig", ox.RdfFormat.TRIG),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_id_serves_every_rdf_format_of_sparql(
    client: TestClient, accept: str, rdf: ox.RdfFormat
) -> None:
    answer = client.get("/id/bpifrance", headers={"accept": accept})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == rdf.media_type.split(";")[0]
    assert f'type="{rdf.media_type.split(";")[0]}"' in answer.headers["link"]
    if rdf == ox.RdfFormat.JSON_LD:  # compact, with the published context (not fetched here)
        document = answer.json()
        assert "@context" in document and "id:bpifrance" in answer.text
        return
    triples = {
        (q.subject.value, q.predicate.value, q.object.value)
        for q in ox.parse(answer.content, format=rdf)
    }
    assert (BPI, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", OPERATOR) in triples
    assert f'type="{rdf.media_type.split(";")[0]}"' in answer.headers["link"]


def test_service_description_format_iris_are_w3c(client: TestClient) -> None:
    answer = client.get("/sparql", headers={"accept": "application/n-triples"})
    formats = {
        t.object.value
        for t in ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)
        if t.predicate.value.endswith("#resultFormat")
    }
    assert W3C_JSON_LD in formats and "http://www.w3.org/ns/formats/JSON-LD" in formats
    assert all(iri.startswith("http://www.w3.org/ns/formats/") for iri in formats)
    assert "http://www.w3.org/ns/formats/RDF_XML" in formats and len(formats) == 10


def test_cors_on_the_api_and_sparql_not_on_pages(client: TestClient) -> None:
    origin = {"origin": "https://observablehq.com"}
    for path in (
        "/api/search?q=bpi",
        "/api/entities/bpifrance",
        "/sparql?query=ASK%7B%7D",
        "/sparql?query=ASK%7B",
    ):
        assert client.get(path, headers=origin).headers["access-control-allow-origin"] == "*", path
    preflight = client.options(
        "/api/search", headers={**origin, "access-control-request-method": "GET"}
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in client.get("/search?q=x", headers=origin).headers


def test_httpx_default_get(live_server: str) -> None:
    """A plain GET with no Accept at all (R's httr, requests): JSON results, Turtle graphs."""
    answer = httpx.get(live_server + "/sparql", params={"query": SELECT}, headers={"accept": ""})
    assert answer.headers["content-type"].startswith("application/sparql-results+json")
    frame = pd.read_json(io.StringIO(answer.text))
    assert "results" in frame.columns
