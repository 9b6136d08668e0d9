"""Dereferenceable IRIs: GET /id/{id} answers HTML, Turtle, JSON-LD or N-Triples by Accept."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

ID = "https://w3id.org/tdi-graph/id/"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
TDI = "https://w3id.org/tdi-graph/ontology#"


def graph(answer, fmt: ox.RdfFormat) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """The triples of an answer, blank nodes renamed away (to compare formats)."""

    def term(t: ox.Term) -> str:
        return "_" if isinstance(t, ox.BlankNode) else str(t)

    return {
        (term(t.subject), term(t.predicate), term(t.object))
        for t in ox.parse(answer.content, format=fmt)
    }


def rdf(client: TestClient, entity_id: str, accept: str):  # type: ignore[no-untyped-def]
    answer = client.get(f"/id/{entity_id}", headers={"accept": accept})
    assert answer.status_code == 200, answer.text
    return answer


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("text/html", "text/html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("*/*", "text/html"),
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("text/*", "text/html"),
        ("application/*", "application/ld+json"),
    ],
)
def test_content_negotiation(client: TestClient, accept: str, media: str) -> None:
    answer = client.get("/id/eric-lombard", headers={"accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media)
    assert "Accept" in answer.headers["vary"]
    assert 'type="text/turtle"' in answer.headers["link"]


def test_turtle_describes_the_entity_and_its_evidence(client: TestClient) -> None:
    answer = rdf(client, "eric-lombard", "text/turtle")
    assert answer.text.startswith("@prefix")
    triples = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(answer.content, format=ox.RdfFormat.TURTLE)
    ]
    me = ox.NamedNode(ID + "eric-lombard")
    assert ox.Triple(me, RDFS_LABEL, ox.Literal("Éric Lombard")) in triples
    excerpts = {t.object.value for t in triples if t.predicate.value == TDI + "excerpt"}
    assert "Eric Lombard, directeur général de la Caisse des Dépôts" in excerpts
    agents = {
        t.subject.value
        for t in triples
        if t.predicate.value == "http://www.w3.org/ns/prov#agent" and t.object == me
    }
    assert agents == {ID + "signataire-nfc-lombard"}  # statements pointing to the entity too


def test_the_three_rdf_formats_say_the_same(client: TestClient) -> None:
    ttl = graph(rdf(client, "engagement-bdt-100m-par-an", "text/turtle"), ox.RdfFormat.TURTLE)
    nt = graph(
        rdf(client, "engagement-bdt-100m-par-an", "application/n-triples"), ox.RdfFormat.N_TRIPLES
    )
    document = rdf(client, "engagement-bdt-100m-par-an", "application/ld+json").json()
    assert document["@context"] == "https://w3id.org/tdi-graph/context.jsonld"
    context = client.get(document["@context"].removeprefix("https://w3id.org/tdi-graph"))
    assert context.status_code == 200
    assert context.headers["content-type"].startswith("application/ld+json")
    document["@context"] = context.json()["@context"]  # the published context, inlined
    inline = ox.parse(json.dumps(document).encode(), format=ox.RdfFormat.JSON_LD)
    jsonld = {
        tuple(
            "_" if isinstance(x, ox.BlankNode) else str(x)
            for x in (t.subject, t.predicate, t.object)
        )
        for t in inline
    }
    assert ttl == nt == jsonld and len(ttl) > 20
    amount = (
        f"<{ID}engagement-bdt-100m-par-an>",
        "<https://schema.org/amount>",
        '"100000000"^^<http://www.w3.org/2001/XMLSchema#integer>',
    )
    assert amount in ttl
    year = (
        "_",
        "<http://www.w3.org/2006/time#inXSDgYear>",
        '"2022"^^<http://www.w3.org/2001/XMLSchema#gYear>',
    )
    assert year in ttl  # the period, two blank nodes down


def test_jsonld_is_compact_with_the_published_context(client: TestClient) -> None:
    document = rdf(client, "eric-lombard", "application/ld+json").json()
    assert document["@context"] == "https://w3id.org/tdi-graph/context.jsonld"  # not the host
    node = next(n for n in document["@graph"] if n["@id"] == "id:eric-lombard")
    assert node["@type"] == ["foaf:Person"]
    assert node["rdfs:label"] == [{"@value": "Éric Lombard"}]
    context = client.get("/context.jsonld").json()["@context"]
    assert context["id"] == ID and context["tdi"] == TDI


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    answer = client.get("/id/region-27?format=turtle", headers={"accept": "text/html"})
    assert answer.headers["content-type"].startswith("text/turtle")
    assert "@prefix wd: <http://www.wikidata.org/entity/>" in answer.text
    assert "skos:exactMatch wd:Q" in answer.text


def test_the_html_page(client: TestClient) -> None:
    answer = client.get("/id/eric-lombard", headers={"accept": "text/html"})
    html = answer.text
    assert "<h1>Éric Lombard" in html
    assert 'href="/id/signature-contrat-ti-nord-franche-comte"' in html
    assert "Eric Lombard, directeur général de la Caisse des Dépôts" in html  # an excerpt
    assert "Sochaux, le 20 mars 2019" in html  # the date as printed
    assert 'name="q"' in html  # the search box of every page


def test_excerpts_read_as_the_text_reads(client: TestClient) -> None:
    """Pages and JSON show an excerpt as the text reads, whatever markup the stored verbatim
    form keeps (``1<sup>ère</sup>`` today; see test_view.test_clean_excerpt)."""
    html = client.get("/id/assemblee-generale-tdi-2019", headers={"accept": "text/html"}).text
    assert "la 1ère Assemblée générale des Territoires d&#39;industrie" in html
    assert "sup&gt;" not in html and "<sup>" not in html
    answer = client.get("/api/entities/assemblee-generale-tdi-2019").json()
    excerpts = [s["excerpt"] for s in answer["sources"]]
    assert any(e.startswith("A l'occasion de la 1ère Assemblée générale") for e in excerpts)
    assert not any("<" in e for e in excerpts)


@pytest.mark.parametrize(
    "entity_id",
    [
        "tdi:Equity",
        "commune-25547",
        "ti1-2707",
        "territoires-d-industrie",
        "contrat-ti-nord-franche-comte",
        "french-fab-tour-sochaux-2019",
        "departement-25",
    ],
)
def test_every_kind_of_entity_has_a_page(client: TestClient, entity_id: str) -> None:
    for accept in ("text/html", "text/turtle", "application/ld+json", "application/n-triples"):
        assert client.get(f"/id/{entity_id}", headers={"accept": accept}).status_code == 200
