"""Smoke tests on the real reference data (37,590 communes): the one module that loads it.

Every other test runs on the sample of ``tests/fixtures/reference``; the figures that only the
full ``data/reference`` has (counts per class, the whole programme, the search index's size)
are pinned here, on one full load with validation (SHACL, links) as ``tdi-graph load`` runs it.
Run only these with ``pytest -m full``; leave them out with ``-m "not full"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tdi_graph import queries, results
from tdi_graph.load import LoadReport, load
from tdi_graph.settings import Settings
from tdi_graph.store import graph_sizes, open_store

pytestmark = pytest.mark.full

ID = "https://w3id.org/tdi-graph/id/"
TDI = "https://w3id.org/tdi-graph/ontology#"
GRAPH = "https://w3id.org/tdi-graph/graph/"


@pytest.fixture(scope="module")
def full_load(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LoadReport]:
    """``tdi-graph load`` on the project's real data, validation included."""
    directory = tmp_path_factory.mktemp("full-store")
    return directory, load(directory, validate=True)


@pytest.fixture(scope="module")
def full(full_load: tuple[Path, LoadReport]) -> ox.Store:
    return open_store(full_load[0], in_memory=True)


@pytest.fixture(scope="module")
def full_client(full_load: tuple[Path, LoadReport], full: ox.Store) -> Iterator[TestClient]:
    """The app on the full store (the one already in memory: not read in a second time)."""
    from tdi_graph_api.app import create_app
    from tdi_graph_api.deps import Services

    settings = Settings(store=full_load[0], query_timeout=10.0, query_workers=1)
    app = create_app(store_dir=full_load[0], settings=settings)
    app.state.services = Services.build(settings, full_load[0], store=full)
    with TestClient(app) as client:
        yield client


def run(store: ox.Store, name: str, **params: str) -> list[dict[str, Any]]:
    answer = queries.run(store, queries.get_query(name), params)
    assert isinstance(answer, ox.QuerySolutions)
    return results.rows(answer)[1]


def count(store: ox.Store, graph: str, pattern: str) -> int:
    query = f"""PREFIX tdi: <{TDI}> SELECT (COUNT(DISTINCT ?s) AS ?n)
                WHERE {{ GRAPH <{GRAPH}{graph}> {{ {pattern} }} }}"""
    (row,) = store.query(query)  # type: ignore[misc]
    return int(row["n"].value)


def test_the_full_load_validates_and_fills_every_graph(full_load: tuple[Path, LoadReport]) -> None:
    _, report = full_load
    assert "validate (waiting for SHACL, other checks)" in report.seconds
    assert report.graphs["reference/cog2026"] > 400_000
    assert report.total > 455_000
    assert {"reference/ti-phase1", "reference/ti-phase2", "reference/ti-facts"} <= set(
        report.graphs
    )


def test_graph_sizes_match_the_report(full: ox.Store, full_load: tuple[Path, LoadReport]) -> None:
    sizes = graph_sizes(full)
    assert sizes[GRAPH + "reference/cog2026"] == full_load[1].graphs["reference/cog2026"]
    assert len(full) == full_load[1].total


@pytest.mark.parametrize(
    ("graph", "cls", "expected"),
    [
        ("reference/cog2026", "Region", 26),
        ("reference/cog2026", "Departement", 109),
        ("reference/cog2026", "Commune", 37_590),
        ("reference/cog2026", "EPCI", 1_266),
        ("reference/cog2026", "Intercommunality", 1_266),
        ("reference/ti-phase1", "ProgrammeTerritory", 149),
        ("reference/ti-phase2", "ProgrammeTerritory", 183),
    ],
)
def test_counts(full: ox.Store, graph: str, cls: str, expected: int) -> None:
    assert count(full, graph, f"?s a tdi:{cls}") == expected


def test_commune_kinds(full: ox.Store) -> None:
    kinds = {
        kind: count(full, "reference/cog2026", f"?s tdi:communeKind tdi:{kind}")
        for kind in ("CommuneActuelle", "CommuneDeleguee", "CommuneAssociee")
    }
    kinds["ArrondissementMunicipal"] = count(
        full, "reference/cog2026", "?s tdi:communeKind tdi:ArrondissementMunicipal"
    )
    assert kinds == {
        "CommuneActuelle": 34_969,
        "CommuneDeleguee": 2_105,
        "CommuneAssociee": 471,
        "ArrondissementMunicipal": 45,
    }


def test_sochaux_is_in_nord_franche_comte_in_both_phases(full: ox.Store) -> None:
    found = {
        (r["territory"], r["phase"])
        for r in run(
            full, "territory-of-commune", **queries.get_query("territory-of-commune").example()
        )
    }
    assert found == {(ID + "ti1-2707", TDI + "Phase1"), (ID + "ti2-2708", TDI + "Phase2")}


def test_an_epci_counts_all_its_members(full: ox.Store) -> None:
    """Pays de Montbéliard Agglomération: its declared commune count is its member rows."""
    epci = f"<{ID}epci-200065647>"
    members = count(full, "reference/cog2026", f"{epci} tdi:hasMember ?s")
    (row,) = full.query(
        f"PREFIX tdi: <{TDI}> SELECT ?n WHERE {{ GRAPH ?g {{ {epci} tdi:communeCount ?n }} }}"
    )  # type: ignore[misc]
    assert int(row["n"].value) == members == 73


def test_only_the_trusted_region_qids(full: ox.Store) -> None:
    skos = "http://www.w3.org/2004/02/skos/core#"
    assert count(full, "reference/wikidata", f"?s <{skos}exactMatch> ?o") == 18


def test_territories_per_region_add_up_to_the_programme(full: ox.Store) -> None:
    everywhere = run(full, "territories-per-region")
    assert sum(r["territories"] for r in everywhere if r["phase"] == TDI + "Phase1") == 149
    assert sum(r["territories"] for r in everywhere if r["phase"] == TDI + "Phase2") == 183
    assert sum(r["withSignedContract"] for r in everywhere) == 7


def test_the_api_lists_every_territory(full_client: TestClient) -> None:
    body = full_client.get("/api/territories", params={"limit": 1000}).json()
    assert body["total"] == 332 == len(body["items"])  # 149 + 183
    signed = {t["id"] for t in body["items"] if t["contract_status"] == "signed"}
    assert len(signed) == 7 and "ti1-2707" in signed


def test_the_search_index_covers_the_communes(full_client: TestClient) -> None:
    body = full_client.get("/api/search", params={"q": "saint", "limit": 5}).json()
    assert body["total"] == 1_000  # thousands of communes named Saint-…, capped
    far = full_client.get("/api/search", params={"q": "Zuytpeene"}).json()["results"]
    assert far[0]["id"] == "commune-59669"  # a commune far from the sample's
    (hit,) = full_client.get("/api/search", params={"q": "Sochaux", "type": "place"}).json()[
        "results"
    ][:1]
    assert (hit["id"], hit["type"], hit["label"]) == ("commune-25547", "place", "Sochaux")


#: The researcher queries of queries/ (tests/test_queries_catalogue.py checks they find
#: something); each must answer within a second on the full data, here with room for a busy host.
RESEARCH_SECONDS = 2.0


@pytest.mark.perf
def test_researcher_queries_stay_fast_on_the_full_data(full: ox.Store) -> None:
    import time

    slow = {}
    for name, named in sorted(queries.catalogue().items()):
        if name.startswith(("api-", "network-", "dump-")):  # internal: API, network, dumps
            continue
        started = time.perf_counter()
        result = queries.run(full, named, named.example())
        found = int(bool(result)) if isinstance(result, ox.QueryBoolean) else len(list(result))
        seconds = time.perf_counter() - started
        assert found > 0, name
        if seconds > RESEARCH_SECONDS:
            slow[name] = round(seconds, 2)
    assert slow == {}
