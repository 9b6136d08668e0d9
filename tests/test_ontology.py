"""The ontology file: header, and every term labelled in French and English with a definition."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tdi_graph.namespaces import PREFIXES, TDI
from tdi_graph.resources import ontology_dir

OWL, RDF, RDFS, SKOS = (PREFIXES[p] for p in ("owl", "rdf", "rdfs", "skos"))
ONTOLOGY = "https://w3id.org/tdi-graph/ontology"


@pytest.fixture(scope="module")
def triples() -> list[ox.Triple]:
    return list(ox.parse(path=str(ontology_dir() / "tdi.ttl")))


def values(triples: list[ox.Triple], subject: str, predicate: str) -> list[ox.Term]:
    return [
        t.object for t in triples if t.subject.value == subject and t.predicate.value == predicate
    ]


def test_header_declares_version_licence_and_date(triples) -> None:
    assert values(triples, ONTOLOGY, RDF + "type")[0].value == OWL + "Ontology"
    assert values(triples, ONTOLOGY, OWL + "versionInfo")[0].value == "0.2.0"
    assert values(triples, ONTOLOGY, PREFIXES["dct"] + "license")
    assert values(triples, ONTOLOGY, PREFIXES["dct"] + "modified")


def terms(triples: list[ox.Triple]) -> list[str]:
    kinds = {OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty"}
    return sorted(
        {
            t.subject.value
            for t in triples
            if t.predicate.value == RDF + "type" and t.object.value in kinds
        }
    )


def test_every_term_is_ours_and_there_are_many(triples) -> None:
    found = terms(triples)
    assert len(found) > 100
    assert all(t.startswith(TDI) for t in found)


def test_every_term_has_french_and_english_labels_and_is_defined_by_the_ontology(triples) -> None:
    for term in terms(triples):
        langs = {
            lbl.language
            for lbl in values(triples, term, RDFS + "label")
            if isinstance(lbl, ox.Literal)
        }
        assert {"fr", "en"} <= langs, term
        assert [v.value for v in values(triples, term, RDFS + "isDefinedBy")] == [ONTOLOGY], term


def test_every_minted_class_extends_a_standard_one(triples) -> None:
    classes = [
        t.subject.value
        for t in triples
        if t.predicate.value == RDF + "type" and t.object.value == OWL + "Class"
    ]
    for cls in classes:
        parents = values(triples, cls, RDFS + "subClassOf")
        assert parents, f"{cls} has no parent"


def test_key_reuse_of_standard_vocabularies(triples) -> None:
    def parents(term: str) -> set[str]:
        return {v.value for v in values(triples, TDI + term, RDFS + "subClassOf")}

    assert PREFIXES["prov"] + "Activity" in parents("SignatureAct")
    assert PREFIXES["prov"] + "Association" in parents("Signatory")
    assert PREFIXES["org"] + "OrganizationalUnit" in parents("BusinessLine")
    assert PREFIXES["schema"] + "Event" in parents("Event")
    sub = {v.value for v in values(triples, TDI + "subsidiaryOf", RDFS + "subPropertyOf")}
    assert sub == {PREFIXES["org"] + "subOrganizationOf"}


DATA_GRAPHS = 'FILTER(!REGEX(STR(?g), "/graph/(ontology|shapes|vocabulary)"))'


def test_every_class_and_property_the_data_uses_has_french_and_english_labels(store) -> None:
    from tdi_graph.view.terms import Terms

    terms = Terms.build(store)
    used = {
        r[0].value
        for q in ("?s ?t ?o", "?s a ?t")
        for r in store.query(f"SELECT DISTINCT ?t WHERE {{ GRAPH ?g {{ {q} }} {DATA_GRAPHS} }}")
    }
    assert len(used) > 150
    missing = sorted(t for t in used if not {"fr", "en"} <= set(terms.labels.get(t, {})))
    assert missing == []
    assert terms.label("skos:altLabel", "fr") == "autre nom"
    assert terms.label("foaf:Person", "en") == "person"
    assert terms.type_label("organisation", "fr") == "organisation"
    assert terms.type_label("event", "fr") == "événement"


def test_every_property_pointing_to_a_resource_reads_backwards_in_both_languages(store) -> None:
    from tdi_graph.view.terms import Terms

    terms = Terms.build(store)
    query = (
        f"SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?s ?p ?o FILTER(isIRI(?o)) }} {DATA_GRAPHS} }}"
    )
    predicates = {r[0].value for r in store.query(query)}
    missing = sorted(p for p in predicates if not {"fr", "en"} <= set(terms.inverse.get(p, {})))
    assert missing == []
    # from the network relation a predicate expresses, and from the property's own phrase
    assert terms.inverse_label(TDI + "party", "fr") == "partie à"
    assert terms.inverse_label(PREFIXES["schema"] + "observationAbout", "fr") == "fait l'objet de"
