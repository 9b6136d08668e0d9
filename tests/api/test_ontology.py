"""The ontology's IRI: its documentation page lists every term, its RDF by ``Accept``; the
versions of ``ontology/CHANGELOG.md`` and ``owl:versionInfo`` / ``owl:versionIRI`` agree; the
JSON-LD context is named by its IRI under the base, not the server's host."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tdi_graph import ontology_doc
from tdi_graph.resources import ontology_dir

ONTOLOGY = "https://w3id.org/tdi-graph/ontology"
OWL = "http://www.w3.org/2002/07/owl#"


@pytest.fixture(scope="module")
def page(client: TestClient) -> str:
    answer = client.get("/ontology", headers={"accept": "text/html"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def test_the_page_lists_every_term_with_french_and_english_labels(page: str) -> None:
    terms = ontology_doc.terms()
    counts = {k: sum(t.kind == k for t in terms) for k in ontology_doc.KINDS}
    assert counts["class"] == 50 and counts["object"] >= 57 and counts["datatype"] >= 30
    assert counts["shape"] >= 21 and counts["concept"] > 50
    rows = re.findall(
        r'<tr data-kind="(\w+)"><td><code title="([^"]+)">[^<]*</code></td>'
        r'<td lang="fr">([^<]*)</td><td lang="en">([^<]*)</td></tr>',
        page,
    )
    listed = {(kind, html.unescape(iri)): (fr, en) for kind, iri, fr, en in rows}
    assert len(listed) == len(terms)
    for term in terms:
        fr, en = listed[(term.kind, term.iri)]
        assert html.unescape(fr) == term.fr and html.unescape(en) == term.en
        assert term.fr and term.en, f"{term.curie} lacks a French or English label"
    fr, en = listed[("class", "https://w3id.org/tdi-graph/ontology#SourceDocument")]
    assert (fr, en) == ("document source", "source document")


def test_the_page_is_pylode_with_the_diagram_and_the_shapes(page: str) -> None:
    assert '<div class="section" id="diagram">' in page and "<svg" in page
    assert ">SignatureAct<" in page  # a class drawn in the diagram
    assert "<h2>Object Properties</h2>" in page  # pyLODE's own sections
    assert "tdis:EvidenceShape" in page
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="https?://', page)  # no CDN


@pytest.mark.parametrize(
    ("accept", "fmt", "media"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE, "text/turtle"),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML, "application/rdf+xml"),
        ("application/ld+json", ox.RdfFormat.JSON_LD, "application/ld+json"),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    ],
)
def test_the_ontology_iri_dereferences_by_accept(
    client: TestClient, accept: str, fmt: ox.RdfFormat, media: str
) -> None:
    answer = client.get("/ontology", headers={"accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media
    assert "Accept" in [v.strip() for v in answer.headers["vary"].split(",")]
    served = {(q.subject, q.predicate, q.object) for q in ox.parse(answer.content, format=fmt)}
    source = ox.parse((ontology_dir() / "tdi.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    assert served == {(q.subject, q.predicate, q.object) for q in source}
    assert (ox.NamedNode(ONTOLOGY), ox.NamedNode(OWL + "versionInfo"), ox.Literal("0.2.0")) in (
        served
    )


def test_browsers_get_the_page_and_unknown_formats_406(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/ontology", headers={"accept": browser}).text.startswith("<!DOCTYPE html>")
    assert client.get("/ontology", headers={"accept": "image/png"}).status_code == 406
    assert client.get("/ontology?format=turtle").headers["content-type"].startswith("text/turtle")


def _changelog_versions() -> list[str]:
    text = (ontology_dir() / "CHANGELOG.md").read_text(encoding="utf-8")
    return re.findall(r"^## (\d+\.\d+\.\d+) — \d{4}-\d{2}-\d{2}", text, flags=re.M)


def test_changelog_version_info_and_version_iri_agree(client: TestClient) -> None:
    versions = _changelog_versions()
    assert versions, "ontology/CHANGELOG.md names no release '## X.Y.Z — YYYY-MM-DD'"
    triples = ox.parse((ontology_dir() / "tdi.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    about = {q.predicate.value: q.object.value for q in triples if q.subject.value == ONTOLOGY}
    current = versions[0]  # the newest release comes first
    assert about[OWL + "versionInfo"] == current
    assert about[OWL + "versionIRI"] == f"{ONTOLOGY}/{current}"
    assert sorted(versions, key=lambda v: tuple(map(int, v.split(".")))) == versions[::-1]
    assert client.get(f"/ontology/{current}?format=turtle").status_code == 200
    assert client.get("/ontology/0.0.9").status_code == 404


def test_the_committed_diagram_is_current() -> None:
    committed = Path(__file__).resolve().parents[2] / "docs" / "model.svg"
    assert committed.read_text(encoding="utf-8") == ontology_doc.diagram_svg(), (
        "docs/model.svg is stale: python -m tdi_graph.ontology_doc --svg docs/model.svg"
    )


def test_a_saved_jsonld_document_names_the_context_under_the_base(
    live_server: str, tmp_path: Path
) -> None:
    """Over real HTTP (the server is 127.0.0.1): the saved file points at the base, and the
    base's path of the context is where the server serves it."""
    answer = httpx.get(f"{live_server}/id/eric-lombard", headers={"accept": "application/ld+json"})
    saved = tmp_path / "eric-lombard.jsonld"
    saved.write_bytes(answer.content)
    document = json.loads(saved.read_text())
    assert document["@context"] == "https://w3id.org/tdi-graph/context.jsonld"
    assert "127.0.0.1" not in saved.read_text()
    path = document["@context"].removeprefix("https://w3id.org/tdi-graph")
    context = httpx.get(live_server + path)
    assert context.status_code == 200 and context.json()["@context"]["id"].startswith(
        "https://w3id.org/tdi-graph/id/"
    )
