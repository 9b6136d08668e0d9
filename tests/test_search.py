"""The search index (tdi_graph.search) on the session store: what it finds, how fast."""

from __future__ import annotations

import statistics
import time

import pyoxigraph as ox
import pytest

from tdi_graph.entities import Registry
from tdi_graph.normalise import normalise
from tdi_graph.search import SearchIndex


@pytest.fixture(scope="module")
def registry(store: ox.Store) -> Registry:
    return Registry.build(store)


@pytest.fixture(scope="module")
def index(store: ox.Store, registry: Registry) -> SearchIndex:
    return SearchIndex.build(store, registry)


def ids(index: SearchIndex, text: str, kind: str | None = None, limit: int = 10) -> list[str]:
    return [h.id for h in index.search(text, [kind] if kind else None, limit=limit)[1]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pôle-Emploi", "pole emploi"),
        ("CHÂTELLERAULT", "chatellerault"),
        ("l'Œuvre  d’art", "l oeuvre d art"),
        ("N°1076", "n 1076"),
    ],
)
def test_normalise_ignores_accents_case_hyphens(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.perf
def test_the_index_covers_the_communes(index: SearchIndex) -> None:
    assert len(index) > 89 + 188 + 66  # every commune, EPCI and territory (the sample), and more
    assert index.build_seconds < 20


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("pole emploi", "pole-emploi"),
        ("Pôle Emploi", "pole-emploi"),
        ("pannier runacher", "agnes-pannier-runacher"),
        ("Pannier-Runacher", "agnes-pannier-runacher"),
        ("panier runacher", "agnes-pannier-runacher"),  # a typo
        ("pannier runa", "agnes-pannier-runacher"),  # autocomplete
        ("lomb", "eric-lombard"),  # the actor before the communes named Lombard
        ("eric lombard", "eric-lombard"),
        ("marie guite dufay", "marie-guite-dufay"),
        ("CDC", "caisse-des-depots"),
        ("BdT", "banque-des-territoires"),
        ("TdI", "territoires-d-industrie"),
        ("caisse des dep", "caisse-des-depots"),
        ("Grand Châtellerauld", "contrat-ti-grand-chatellerault"),  # the printed typo
        ("Chatellerault", "commune-86066"),
        ("N°1076", "cp-1076-conventions-de-mobilisation"),
        ("1076", "cp-1076-conventions-de-mobilisation"),
        ("25547", "commune-25547"),  # INSEE code
        ("212505473", "commune-25547"),  # SIREN
        ("region-27", "region-27"),  # the id itself
    ],
)
def test_finds_what_a_person_types(index: SearchIndex, text: str, first: str) -> None:
    assert ids(index, text)[0] == first


def test_chatellerault_finds_the_commune_the_territories_and_the_contract(
    index: SearchIndex,
) -> None:
    found = ids(index, "Chatellerault")
    assert {"commune-86066", "ti1-7504", "contrat-ti-grand-chatellerault"} <= set(found)
    assert set(ids(index, "chatelerault")) >= {"commune-86066", "ti1-7504"}  # one l missing


def test_anct_codes_find_both_phases(index: SearchIndex) -> None:
    assert set(ids(index, "ti-2707")) == {"ti1-2707", "ti2-2707"}


def test_type_filter(index: SearchIndex) -> None:
    assert ids(index, "Nord Franche-Comté", "territory")[:2] == ["ti1-2707", "ti2-2708"]
    assert ids(index, "Nord Franche-Comté", "agreement") == ["contrat-ti-nord-franche-comte"]
    assert all(h.type == "place" for h in index.search("Sochaux", ["place"])[1])


def test_scores_are_ranked_and_bounded(index: SearchIndex) -> None:
    total, hits = index.search("Banque des Territoires", limit=20)
    scores = [h.score for h in hits]
    assert hits[0].id == "banque-des-territoires" and hits[0].score == 1.0
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    assert total >= len(hits)


def test_paging_is_consistent(index: SearchIndex) -> None:
    total, first = index.search("saint", limit=10)
    _, second = index.search("saint", limit=10, offset=10)
    assert total > 20 and not {h.id for h in first} & {h.id for h in second}


def test_nonsense_finds_nothing(index: SearchIndex) -> None:
    assert index.search("xqzwv")[0] == 0
    assert index.search("  ")[0] == 0


def test_browse_lists_a_type(index: SearchIndex) -> None:
    total, hits = index.browse("person", limit=100)
    assert total == len(hits) >= 7 and "eric-lombard" in {h.id for h in hits}


@pytest.mark.perf
def test_query_latency(index: SearchIndex) -> None:
    """Typical queries answer in well under a millisecond; the worst ("saint") stays bounded."""
    queries = [
        "pole emploi",
        "Chatellerault",
        "pannier runacher",
        "panier runacher",
        "lomb",
        "N°1076",
        "25547",
        "Nord Franche-Comté",
        "caisse des dep",
        "Lyon",
    ]
    timings = []
    for text in queries * 5:
        started = time.perf_counter()
        index.search(text, limit=20)
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.005
    started = time.perf_counter()
    index.search("saint", limit=20)
    assert time.perf_counter() - started < 0.25
