"""The reference CSV files converted into RDF by tdi_graph.reference, on the committed sample.

``REF_DIR`` is the sample of ``data/reference`` in ``tests/fixtures/reference`` (its README says
what it keeps); the counts of the full files are pinned in ``tests/test_full.py``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from tdi_graph import reference
from tdi_graph.errors import DataError
from tdi_graph.namespaces import PREFIXES, TDI, iri
from tdi_graph.reference import reference_graphs
from tests.fixtures import REFERENCE as REF_DIR

A = ox.NamedNode(PREFIXES["rdf"] + "type")
LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
PREF_LABEL = ox.NamedNode(PREFIXES["skos"] + "prefLabel")
EXACT_MATCH = ox.NamedNode(PREFIXES["skos"] + "exactMatch")
SOURCE = ox.NamedNode(PREFIXES["dct"] + "source")
CONTAINED_IN = ox.NamedNode(PREFIXES["schema"] + "containedInPlace")
XSD_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")
XSD_DATE = ox.NamedNode(PREFIXES["xsd"] + "date")
WIKIDATA = PREFIXES["wd"]

Graphs = dict[str, list[ox.Triple]]


def tdi(local: str) -> ox.NamedNode:
    return ox.NamedNode(TDI + local)


@pytest.fixture(scope="module")
def graphs() -> Graphs:
    return reference_graphs(REF_DIR)


@pytest.fixture(scope="module")
def places() -> reference.Places:
    """The COG nodes by code, for converting one programme file on its own."""
    return reference.cog_triples(REF_DIR)[1]


@pytest.fixture(scope="module")
def store(graphs: Graphs) -> ox.Store:
    """All reference triples in one in-memory store (default graph), for pattern lookups."""
    s = ox.Store()
    s.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for ts in graphs.values() for t in ts)
    return s


def objects(store: ox.Store, subject: str, predicate: ox.NamedNode) -> set[ox.Term]:
    return {q.object for q in store.quads_for_pattern(iri(subject), predicate, None)}


def subjects(triples: list[ox.Triple], cls: ox.NamedNode) -> set[ox.NamedNode]:
    return {t.subject for t in triples if t.predicate == A and t.object == cls}


def test_graph_names(graphs: Graphs) -> None:
    assert set(graphs) == {
        "reference/cog2026",
        "reference/ti-phase1",
        "reference/ti-phase2",
        "reference/ti-facts",
        "reference/wikidata",
        "reference/datasets",
    }
    assert all(graphs.values())


@pytest.mark.parametrize(
    ("graph", "cls", "count"),
    [
        ("reference/cog2026", "Region", 18),
        ("reference/cog2026", "Departement", 54),
        ("reference/cog2026", "Commune", 89),
        ("reference/cog2026", "EPCI", 188),
        ("reference/cog2026", "Intercommunality", 188),
        ("reference/ti-phase1", "ProgrammeTerritory", 34),
        ("reference/ti-phase2", "ProgrammeTerritory", 32),
    ],
)
def test_counts(graphs: Graphs, graph: str, cls: str, count: int) -> None:
    """One node per row of the sample (``wc -l tests/fixtures/reference/*.csv`` minus headers)."""
    assert len(subjects(graphs[graph], tdi(cls))) == count


def test_commune_kinds(graphs: Graphs) -> None:
    kinds: dict[str, int] = {}
    for t in graphs["reference/cog2026"]:
        if t.predicate == tdi("communeKind"):
            kinds[t.object.value] = kinds.get(t.object.value, 0) + 1
    assert kinds == {
        TDI + "CommuneActuelle": 86,
        TDI + "CommuneDeleguee": 1,
        TDI + "CommuneAssociee": 1,
        TDI + "ArrondissementMunicipal": 1,
    }


def test_sochaux_to_nord_franche_comte(store: ox.Store) -> None:
    assert objects(store, "commune-25547", LABEL) == {ox.Literal("Sochaux", language="fr")}
    assert objects(store, "commune-25547", tdi("intercommunality")) == {iri("epci-200065647")}
    assert iri("commune-25547") in objects(store, "epci-200065647", tdi("hasMember"))
    assert iri("epci-200065647") in objects(store, "ti1-2707", tdi("groupement"))
    assert objects(store, "ti1-2707", LABEL) == {ox.Literal("Nord Franche-Comté", language="fr")}
    assert objects(store, "ti1-2707", tdi("phase")) == {tdi("Phase1")}
    assert objects(store, "ti1-2707", tdi("region")) == {iri("region-27")}
    assert objects(store, "ti1-2707", tdi("territoryCode")) == {ox.Literal("ti-2707")}
    assert objects(store, "ti1-2707", SOURCE) == {iri("dataset-ti-phase1")}


def test_phases_are_not_joined_on_id(store: ox.Store) -> None:
    assert objects(store, "ti2-2707", LABEL) == {ox.Literal("Nevers Val de Loire", language="fr")}
    assert objects(store, "ti2-2707", tdi("phase")) == {tdi("Phase2")}
    assert iri("epci-200065647") not in objects(store, "ti2-2707", tdi("groupement"))


def test_carros_is_its_own_groupement(store: ox.Store) -> None:
    assert objects(store, "ti1-9303", tdi("groupement")) == {iri("commune-06033")}
    assert objects(store, "ti1-9303", tdi("communeCount")) == {
        ox.Literal("1", datatype=XSD_INTEGER)
    }
    assert objects(store, "commune-06033", tdi("intercommunality")) == {iri("epci-200030195")}


def test_amiens(store: ox.Store) -> None:
    assert objects(store, "commune-80021", tdi("intercommunality")) == {iri("epci-248000531")}
    assert iri("commune-80021") in objects(store, "epci-248000531", tdi("hasMember"))
    assert objects(store, "commune-80021", tdi("inseeCode")) == {ox.Literal("80021")}
    assert objects(store, "commune-80021", CONTAINED_IN) == {iri("departement-80")}
    assert objects(store, "departement-80", CONTAINED_IN) == {iri("region-32")}


def test_delegated_commune_sharing_its_code(store: ox.Store) -> None:
    """INSEE gives a commune nouvelle the code of its chef-lieu: both nodes must stay apart."""
    assert objects(store, "commune-01015", LABEL) == {ox.Literal("Arboys en Bugey", language="fr")}
    assert objects(store, "commune-01015-deleguee", LABEL) == {
        ox.Literal("Arbignieu", language="fr")
    }
    assert objects(store, "commune-01015-deleguee", tdi("communeKind")) == {tdi("CommuneDeleguee")}
    assert objects(store, "commune-01120-associee", tdi("communeKind")) == {tdi("CommuneAssociee")}
    assert not objects(store, "commune-01120", LABEL)  # no current commune has that code


def test_paris_arrondissement_and_ept(store: ox.Store) -> None:
    assert objects(store, "commune-75101", tdi("parentCommune")) == {iri("commune-75056")}
    assert len(objects(store, "commune-93066", tdi("intercommunality"))) == 2  # MGP and its EPT


def test_epci(store: ox.Store) -> None:
    node = "epci-200065647"
    assert objects(store, node, A) == {tdi("EPCI"), tdi("Intercommunality")}
    assert objects(store, node, tdi("epciKind")) == {tdi("CA")}
    assert objects(store, node, tdi("siren")) == {ox.Literal("200065647")}
    (count,) = objects(store, node, tdi("communeCount"))
    assert (count.datatype, count.value) == (XSD_INTEGER, "73")  # the sample keeps 2 members
    assert objects(store, node, tdi("hasMember")) == {iri("commune-25547"), iri("commune-25388")}
    assert objects(store, "epci-200046977", tdi("epciKind")) == {tdi("METRO")}  # MET69, Lyon


def test_a_complete_epci_counts_its_members(store: ox.Store) -> None:
    """The sample keeps every commune of Le Grand Chalon (the full data: tests/test_full.py)."""
    (count,) = objects(store, "epci-247100589", tdi("communeCount"))
    assert int(count.value) == len(objects(store, "epci-247100589", tdi("hasMember"))) == 51


def test_wikidata_only_regions(graphs: Graphs, store: ox.Store) -> None:
    (qid,) = objects(store, "region-27", EXACT_MATCH)
    assert qid == ox.NamedNode(WIKIDATA + "Q18578267")
    wikidata = graphs["reference/wikidata"]
    assert len(wikidata) == 18  # every region of the sample has a trusted QID
    assert all(t.predicate == EXACT_MATCH for t in wikidata)
    assert all(t.subject.value.startswith(str(iri("region-"))[1:-1]) for t in wikidata)
    departements = subjects(graphs["reference/cog2026"], tdi("Departement"))
    assert not any(
        q.subject in departements for q in store.quads_for_pattern(None, EXACT_MATCH, None)
    )


def test_external_claims(graphs: Graphs, store: ox.Store) -> None:
    claims = subjects(
        graphs["reference/ti-facts"], ox.NamedNode(PREFIXES["schema"] + "Observation")
    )
    assert len(claims) == 12
    schema = PREFIXES["schema"]
    node = "claim-ti-count-2"
    assert objects(store, node, LABEL) == {
        ox.Literal("124 territoires (2018-11-22, CGET dossier page)", language="fr")
    }
    assert objects(store, node, ox.NamedNode(schema + "value")) == {
        ox.Literal("124", datatype=XSD_INTEGER)
    }
    assert objects(store, node, ox.NamedNode(schema + "observationDate")) == {
        ox.Literal("2018-11-22", datatype=XSD_DATE)
    }
    assert objects(store, node, SOURCE) == {
        iri("dataset-ti-facts"),
        ox.NamedNode("https://www.cget.gouv.fr/dossiers/territoires-dindustrie"),
    }
    assert not objects(store, "claim-ti-count-5", ox.NamedNode(schema + "value"))


def test_datasets(graphs: Graphs) -> None:
    dcat_dataset = ox.NamedNode("http://www.w3.org/ns/dcat#Dataset")
    assert subjects(graphs["reference/datasets"], dcat_dataset) == {
        iri(f"dataset-{name}")
        for name in ("cog2026", "ti-phase1", "ti-phase2", "ti-facts", "wikidata-regions")
    }


def test_every_entity_has_label_and_source(graphs: Graphs) -> None:
    for name in ("reference/cog2026", "reference/ti-phase1", "reference/ti-phase2"):
        typed = {t.subject for t in graphs[name] if t.predicate == A}
        for predicate in (LABEL, PREF_LABEL, SOURCE):
            having = {t.subject for t in graphs[name] if t.predicate == predicate}
            assert typed == having, (name, predicate)
    labels = [t.object for ts in graphs.values() for t in ts if t.predicate == LABEL]
    assert all(label.language == "fr" for label in labels)
    assert all(label.value == label.value.strip() for label in labels)


# --- broken files --------------------------------------------------------------------------


@pytest.fixture
def ref_copy(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the reference sample (CSV files and datasets.ttl)."""
    for path in [*REF_DIR.glob("*.csv"), REF_DIR / "datasets.ttl"]:
        shutil.copyfile(path, tmp_path / path.name)
    yield tmp_path


def _rewrite(path: Path, line: int, edit: str) -> None:
    """Replace line ``line`` (1-based) of ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line - 1] = edit + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def test_missing_column(ref_copy: Path) -> None:
    path = ref_copy / "cog2026_epci.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    _rewrite(path, 1, header.replace("nb_communes", "nb_commune"))
    with pytest.raises(DataError) as exc:
        reference_graphs(ref_copy)
    assert "cog2026_epci.csv:1:" in exc.value.message
    assert "nb_communes" in exc.value.message


TERRITORIES = "ti_phase1_149_territoires.csv"


def _line_of(path: Path, prefix: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith(prefix))


def test_bad_row(ref_copy: Path) -> None:
    """End to end: a short row in a programme file stops the whole conversion."""
    line = _line_of(ref_copy / TERRITORIES, "ti-2707,")
    _rewrite(ref_copy / TERRITORIES, line, "ti-2707,Nord Franche-Comté,27")
    with pytest.raises(DataError) as exc:
        reference_graphs(ref_copy)
    assert exc.value.message.endswith(f"{TERRITORIES}:{line}: 3 fields, the header has 9")


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ("ti-2707,Nord Franche-Comté,27,x,27,25|70|90,5,200065647,many", "nb_communes_cog2026"),
        ("ti-2707,Nord Franche-Comté,99,x,27,25|70|90,5,200065647,197", "code_region_id '99'"),
        ("ti-2707,,27,x,27,25|70|90,5,200065647,197", "empty lib_ti"),
        ("ti-27070,Nord Franche-Comté,27,x,27,25|70|90,5,200065647,197", "ti-NNNN"),
        ("ti-2707,Nord Franche-Comté,27,x,27,25|70|99,5,200065647,197", "'99'"),
        ("ti-2707,Nord Franche-Comté,27,x,27,25|70|90,5,200065647,197", "differ from"),
    ],
)
def test_bad_territory_row(
    ref_copy: Path, places: reference.Places, edit: str, problem: str
) -> None:
    line = _line_of(ref_copy / TERRITORIES, "ti-2707,")
    _rewrite(ref_copy / TERRITORIES, line, edit)
    with pytest.raises(DataError) as exc:
        reference.territory_triples(ref_copy, 1, places)
    assert f"{TERRITORIES}:{line}: " in exc.value.message
    assert problem in exc.value.message


def test_unknown_groupement(ref_copy: Path, places: reference.Places) -> None:
    path = ref_copy / "ti_phase1_149_groupements.csv"
    line = _line_of(path, "ti-2707,")
    _rewrite(path, line, "ti-2707,Nord Franche-Comté,999999999,X,X,CA,,25")
    with pytest.raises(DataError, match=rf"groupements\.csv:{line}: .*'999999999'"):
        reference.territory_triples(ref_copy, 1, places)


def test_missing_file(ref_copy: Path) -> None:
    (ref_copy / "ti_programme_facts_external.csv").unlink()
    with pytest.raises(DataError, match="ti_programme_facts_external.csv"):
        reference_graphs(ref_copy)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ("2018-11-31,124,x,https://example.org/a,Label", "date is not YYYY-MM-DD"),
        ("22/11/2018,124,x,https://example.org/a,Label", "date is not YYYY-MM-DD"),
        ("2018-11-22,cent,x,https://example.org/a,Label", "count_territories is not an integer"),
        ("2018-11-22,124,x,www.example.org/a,Label", "source_url is not an http(s) IRI"),
        ("2018-11-22,124,x,https://example.org/a b,Label", "source_url is not an http(s) IRI"),
        ("2018-11-22,124,,https://example.org/a,Label", "empty claim_paraphrased"),
    ],
)
def test_bad_fact_row(ref_copy: Path, edit: str, problem: str) -> None:
    path = ref_copy / "ti_programme_facts_external.csv"
    _rewrite(path, 4, edit)
    with pytest.raises(DataError) as exc:
        reference.fact_triples(ref_copy)
    assert f"ti_programme_facts_external.csv:4: {problem}" in exc.value.message


def test_fact_day_range_keeps_its_first_day(store: ox.Store) -> None:
    """Row 3 is dated "2018-11-21/22" (the article says 21 Nov)."""
    date = ox.NamedNode(PREFIXES["schema"] + "observationDate")
    assert objects(store, "claim-ti-count-3", date) == {ox.Literal("2018-11-21", datatype=XSD_DATE)}
    (label,) = objects(store, "claim-ti-count-3", LABEL)
    assert label.value == "124 territoires (2018-11-21/22, Le Journal des Entreprises)"


# --- code lists and datasets from data, and the memo ------------------------------------------


def test_kinds_come_from_the_vocabulary() -> None:
    """The CSV codes are the ``skos:notation`` of the concepts of geography.ttl."""
    assert reference.epci_kinds() == {
        "CC": tdi("CC"),
        "CA": tdi("CA"),
        "CU": tdi("CU"),
        "METRO": tdi("METRO"),
        "MET69": tdi("METRO"),  # the Métropole de Lyon is filed as a métropole
        "EPT": tdi("EPT"),
    }
    assert reference.commune_kinds() == {
        "commune-actuelle": (tdi("CommuneActuelle"), ""),
        "arrondissement-municipal": (tdi("ArrondissementMunicipal"), ""),
        "commune-deleguee": (tdi("CommuneDeleguee"), "-deleguee"),
        "commune-associee": (tdi("CommuneAssociee"), "-associee"),
    }


def test_an_unknown_epci_type_lists_the_known_ones(ref_copy: Path) -> None:
    path = ref_copy / "cog2026_epci.csv"
    line = _line_of(path, "200065647,")
    _rewrite(
        path,
        line,
        path.read_text(encoding="utf-8").splitlines()[line - 1].replace(",CA,", ",SIVU,"),
    )
    with pytest.raises(DataError) as exc:
        reference_graphs(ref_copy)
    assert exc.value.message.endswith(
        f"cog2026_epci.csv:{line}: type 'SIVU' is not a known EPCI type "
        "(CA, CC, CU, EPT, MET69, METRO)"
    )


def test_the_datasets_are_described_in_turtle(ref_copy: Path) -> None:
    path = ref_copy / "datasets.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id:dataset-ti-facts a", "id:dataset-ti-fact a"), "utf-8")
    with pytest.raises(DataError) as exc:
        reference_graphs(ref_copy)
    assert exc.value.message == (
        f"{path}: no dcat:Dataset for https://w3id.org/tdi-graph/id/dataset-ti-facts"
    )


def test_a_second_conversion_of_the_same_files_is_remembered(ref_copy: Path) -> None:
    first = reference_graphs(ref_copy)
    assert reference_graphs(ref_copy)["reference/cog2026"] is first["reference/cog2026"]
    assert reference.inputs_digest(ref_copy) == reference.inputs_digest(REF_DIR)
    _rewrite(ref_copy / "cog2026_regions.csv", 2, "01,Guadeloupe (edited),97105,drom,3")
    edited = reference_graphs(ref_copy)["reference/cog2026"]
    assert edited is not first["reference/cog2026"] and edited != first["reference/cog2026"]
    assert ox.Literal("Guadeloupe (edited)", language="fr") in {t.object for t in edited}
