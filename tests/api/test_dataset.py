"""/.well-known/void: the VoID and DCAT description, whose counts are the store's own."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

VOID = "http://rdfs.org/ns/void#"
DATASET = "<https://w3id.org/tdi-graph/dataset>"


@pytest.fixture(scope="module")
def description(client: TestClient) -> ox.Store:
    answer = client.get("/.well-known/void")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    graph = ox.Store()
    graph.load(answer.content, format=ox.RdfFormat.TURTLE)
    return graph


def value(graph: ox.Store, query: str) -> int:
    rows = list(graph.query(f"PREFIX void: <{VOID}> " + query))
    assert len(rows) == 1, rows
    return int(rows[0][0].value)


def test_counts_equal_the_store(description: ox.Store, store: ox.Store) -> None:
    assert value(description, f"SELECT ?n WHERE {{ {DATASET} void:triples ?n }}") == len(store)
    entities = next(
        iter(
            store.query(
                "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } FILTER(isIRI(?s)) }"
            )
        )
    )[0]
    assert value(description, f"SELECT ?n WHERE {{ {DATASET} void:entities ?n }}") == int(
        entities.value
    )
    classes = len(list(store.query("SELECT DISTINCT ?c WHERE { GRAPH ?g { ?s a ?c } }")))
    assert value(description, f"SELECT ?n WHERE {{ {DATASET} void:classes ?n }}") == classes
    person = "<http://xmlns.com/foaf/0.1/Person>"
    persons = next(
        iter(
            store.query(
                f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a {person} }} }}"
            )
        )
    )[0]
    assert value(
        description,
        f"SELECT ?n WHERE {{ {DATASET} void:classPartition [ void:class "
        "<http://xmlns.com/foaf/0.1/Person> ; void:entities ?n ] }",
    ) == int(persons.value)


def test_one_subset_per_named_graph(description: ox.Store, store: ox.Store) -> None:
    sizes = {
        row[0].value: int(row[1].value)
        for row in store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
    }
    listed = {
        row[0].value: int(row[1].value)
        for row in description.query(
            f"PREFIX void: <{VOID}> SELECT ?g ?n WHERE {{ {DATASET} void:subset ?g . "
            "?g void:triples ?n FILTER NOT EXISTS { ?g a void:Linkset } }"
        )
    }
    assert listed == sizes


def test_wikidata_linkset_and_identifiers(description: ox.Store, store: ox.Store) -> None:
    links = len(
        list(
            store.query(
                "SELECT * WHERE { GRAPH ?g { ?s <http://www.w3.org/2004/02/skos/core#exactMatch> "
                "?o }"
                " FILTER(STRSTARTS(STR(?o), 'http://www.wikidata.org/')) }"
            )
        )
    )
    assert links == 18  # the regions (data/reference/SOURCES.md)
    assert (
        value(
            description,
            "SELECT ?n WHERE { ?l a void:Linkset ; void:objectsTarget <http://www.wikidata.org/> ; "
            "void:triples ?n }",
        )
        == links
    )
    refs = {
        row[0].value
        for row in description.query(
            f"PREFIX void: <{VOID}> SELECT ?r WHERE {{ ?part void:property ?p ; "
            "<http://purl.org/dc/terms/references> ?r }"
        )
    }
    assert refs == {"https://www.insee.fr/fr/information/2560452", "https://www.sirene.fr/"}


def test_sources_endpoint_and_licence(description: ox.Store) -> None:
    sources = {
        row[0].value.rsplit("/", 1)[-1]
        for row in description.query(
            f"SELECT ?s WHERE {{ {DATASET} <http://purl.org/dc/terms/source> ?s }}"
        )
    }
    assert sources == {
        "article-bdt-assemblee-generale-2019",
        "cp-1076-conventions-de-mobilisation",
        "cp-1114-premiers-contrats",
        "cp-bdt-2019-03-20-nord-franche-comte",
        "cp-bdt-2020-11-02-relance-industrie",
    }
    endpoint = list(
        description.query(
            f"PREFIX void: <{VOID}> SELECT ?e WHERE {{ {DATASET} void:sparqlEndpoint ?e }}"
        )
    )
    assert [r[0].value for r in endpoint] == ["http://testserver/sparql"]
    assert bool(
        description.query(
            f"ASK {{ {DATASET} <http://purl.org/dc/terms/license> "
            "<https://www.etalab.gouv.fr/licence-ouverte-open-licence> }"
        )
    )


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml;q=0.9, */*;q=0.1", ox.RdfFormat.RDF_XML),
    ],
)
def test_other_formats(
    client: TestClient, description: ox.Store, accept: str, fmt: ox.RdfFormat
) -> None:
    answer = client.get("/.well-known/void", headers={"Accept": accept})
    assert answer.headers["content-type"].startswith(fmt.media_type)
    graph = ox.Store()
    graph.load(answer.content, format=fmt)
    assert len(graph) == len(description)
