"""The read model (tdi_graph.view): one id codec, one rows helper, one registry."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from tdi_graph import queries
from tdi_graph.errors import BadRequest
from tdi_graph.namespaces import GRAPH, ID
from tdi_graph.view import (
    Registry,
    clean_excerpt,
    curie,
    expand_id,
    graph_name,
    graph_of,
    local_id,
    pick_label,
    select,
    short_id,
)


@pytest.mark.parametrize(
    "iri",
    [
        ID + "bpifrance",
        "https://w3id.org/tdi-graph/ontology#Equity",
        "https://schema.org/Place",
        "http://example.org/x",
    ],
)
def test_short_id_and_expand_id_are_inverse(iri: str) -> None:
    assert expand_id(short_id(iri)) == iri


def test_codec_values() -> None:
    assert short_id(ID + "region-27") == "region-27"
    assert curie(ID + "region-27") == "id:region-27"
    assert expand_id("tdi:Equity") == "https://w3id.org/tdi-graph/ontology#Equity"
    assert local_id(ID + "x") == "x" and local_id("https://schema.org/x") is None
    assert graph_name(GRAPH + "curation") == "curation"
    assert graph_of(ID + "cp-1114-premiers-contrats") == GRAPH + "cp-1114-premiers-contrats"
    for bad in ("bad id", "nope:Equity", "", "a<b"):
        with pytest.raises(BadRequest):
            expand_id(bad)
    assert expand_id("urn:x:y", any_scheme=True) == "urn:x:y"


def test_one_label_rule() -> None:
    assert pick_label([("Region", "en"), ("Région", "fr"), ("Region-x", "")]) == "Région"
    assert pick_label([("Region", "en"), ("Région", "")]) == "Région"
    assert pick_label([("Region", "en"), ("Regione", "it")]) == "Region"
    assert pick_label([]) is None


def test_clean_excerpt() -> None:
    assert clean_excerpt("la 1<sup>ère</sup> Assemblée") == "la 1ère Assemblée"
    assert clean_excerpt("a &amp; b\n  c") == "a & b c"


def test_query_kind_is_the_query_form(tmp_path: Path) -> None:
    """A SELECT that mentions ``?task`` (which contains "ASK") is a SELECT."""
    head = "#+ summary: {0}\n#+ summary_fr: {0}\n"
    text = (
        head.format("tasks") + "PREFIX task: <urn:task:>\nSELECT ?task WHERE { ?task a task:T }\n"
    )
    path = tmp_path / "tasks.rq"
    path.write_text(text, encoding="utf-8")
    assert queries.read_query(path).kind == "select"
    path.write_text(
        "#+ summary: ask\n#+ summary_fr: ask\n# SELECT in a comment\nASK { ?s ?p ?o }\n",
        encoding="utf-8",
    )
    assert queries.read_query(path).kind == "ask"
    path.write_text(
        "#+ summary: c\n#+ summary_fr: c\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }\n",
        encoding="utf-8",
    )
    assert queries.read_query(path).kind == "construct"
    assert queries.get_query("territory-of-commune").kind == "select"


def test_select_rows(store: ox.Store) -> None:
    rows = select(store, "territory-of-commune", commune="commune-25547")
    assert rows and rows[0].iri("commune") == ID + "commune-25547"
    assert rows[0].text("communeLabel") == "Sochaux"
    assert rows[0].as_dict()["commune"] == ID + "commune-25547"


@pytest.fixture(scope="module")
def registry(store: ox.Store) -> Registry:
    return Registry.build(store)


def test_a_group_concat_cell_gives_its_iris_in_one_order() -> None:
    """GROUP_CONCAT's order is undefined: the same cell in either order gives the same list."""
    from tdi_graph.view.rows import Row

    index = {"x": 0}
    for cell in ("http://e/b http://e/a", "http://e/a http://e/b", " http://e/b http://e/a"):
        assert Row(index, (ox.Literal(cell),)).iris("x") == ["http://e/a", "http://e/b"]
    assert Row(index, (None,)).iris("x") == [] == Row(index, (ox.Literal(""),)).iris("x")


def test_registry_documents_one_spelling(registry: Registry) -> None:
    doc = registry.documents[ID + "cp-bdt-2019-03-20-nord-franche-comte"]
    assert doc["date"] == "2019-03-20" and doc["printed_date"] == "Sochaux, le 20 mars 2019"
    assert doc["publisher"] == "Banque des Territoires"
    n1076 = registry.documents[ID + "cp-1076-conventions-de-mobilisation"]
    assert n1076["printed_date"] == "Paris, le 7 mars 2018"
    assert [c["id"] for c in n1076["date_contradictions"]] == ["contradiction-date-cp-1076"]
    source = registry.source(doc["iri"], "x<sup>e</sup>")
    assert source == {
        "id": "cp-bdt-2019-03-20-nord-franche-comte",
        "title": doc["title"],
        "publisher": "Banque des Territoires",
        "date": "Sochaux, le 20 mars 2019",
        "issued": "2019-03-20",
        "excerpt": "xe",
    }


def test_registry_types(registry: Registry) -> None:
    assert registry.category(ID + "bpifrance") == "organisation"
    assert registry.node_type(ID + "bpifrance") == "organisation"
    assert registry.node_type(ID + "ti1-2707") == "territory"
    assert registry.category(ID + "ti1-2707") == "territory"
    assert registry.node_type(ID + "commune-25547") == "place"
    assert registry.node_type(ID + "engagement-bdt-100m-par-an") is None


def test_registry_mentions(registry: Registry) -> None:
    docs = [d["id"] for d in registry.mentioned_in(ID + "bpifrance")]
    assert sorted(docs) == [
        "article-bdt-assemblee-generale-2019",
        "cp-1076-conventions-de-mobilisation",
        "cp-1114-premiers-contrats",
        "cp-bdt-2019-03-20-nord-franche-comte",
    ]


# --- one definition of each answer: the library's dicts fit the models the API documents ------


def test_library_answers_fit_the_models(store: ox.Store, registry: Registry) -> None:
    from tdi_graph import facts
    from tdi_graph.entities import entity
    from tdi_graph.view import fact_models, models
    from tdi_graph.view.money import money

    for item in facts.signatures(store, registry):
        fact_models.Signature.model_validate(item)
    commitments = facts.commitments(store, registry)
    assert len(commitments) > 30
    for item in commitments:
        fact_models.Commitment.model_validate(item)
    for item in facts.events(store, registry):
        fact_models.Event.model_validate(item)
    for item in facts.territories(store, registry, region=ID + "region-27"):
        fact_models.Territory.model_validate(item)
    fact_models.Money.model_validate(money(store, registry))
    for name in ("bpifrance", "commune-49099", "cp-1076-conventions-de-mobilisation", "ti1-2707"):
        models.Entity.model_validate(entity(store, registry, ID + name))


def test_source_shape_is_the_contract_s(registry: Registry) -> None:
    from tdi_graph.view import models

    source = registry.source(ID + "cp-1114-premiers-contrats", "x")
    assert set(source) == set(models.Source.model_fields)
    assert {"id", "title", "publisher", "date", "excerpt"} <= set(source)  # CONTRACT.md


def test_registry_acts_are_the_involving_query_of_each_entity(
    store: ox.Store, registry: Registry
) -> None:
    """The index /api/signatures reads equals the named query run from each entity, for every
    role; an entity in no act has none."""
    assert registry.acts_involving(ID + "eric-lombard", "actor")  # he signed acts
    roles = {role for pairs in registry.acts.values() for _, role in pairs}
    assert roles == {"actor", "territory", "event"}
    for entity in registry.acts:
        rows = select(store, "api-signatures-involving", entity=entity)
        for role in ("actor", "territory", "event"):
            expected = {r.iri("act") for r in rows if r.text("role") == role}
            assert registry.acts_involving(entity, role) == expected, (entity, role)
    assert registry.acts_involving(ID + "no-such-entity", "actor") == set()
