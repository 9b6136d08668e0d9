"""The questions of the graph issue, each answered by a named query, with the exact rows."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest

from tdi_graph import queries, results

ID = "https://w3id.org/tdi-graph/id/"


def run(store: ox.Store, name: str, **params: str) -> list[dict[str, Any]]:
    _, rows = results.rows(queries.run(store, queries.get_query(name), params))
    return rows


def short(value: str | None) -> str | None:
    return value.removeprefix(ID) if value else value


def test_who_signed_the_nord_franche_comte_contract(store: ox.Store) -> None:
    rows = run(store, "signatories-of-agreement")
    got = {(short(r["person"]), short(r["organisation"])) for r in rows}
    assert got == {
        ("eric-lombard", "caisse-des-depots"),
        ("marie-guite-dufay", "region-bourgogne-franche-comte"),
        ("charles-demouge", "pole-metropolitain-nord-franche-comte"),
    }
    assert {r["date"] for r in rows} == {"2019-03-19"}
    assert {short(r["place"]) for r in rows} == {"site-psa-sochaux"}
    assert {short(r["event"]) for r in rows} == {"french-fab-tour-sochaux-2019"}
    assert len(rows) == 3


def test_signatories_of_a_convention_have_date_bounds(store: ox.Store) -> None:
    rows = run(store, "signatories-of-agreement", agreement="convention-mobilisation-pole-emploi")
    assert {(short(r["person"]), short(r["organisation"])) for r in rows} == {
        ("jacqueline-gourault", "ministere-cohesion-territoires"),
        ("agnes-pannier-runacher", "secretariat-etat-economie"),
        (None, "pole-emploi"),
    }
    assert {(r["date"], r["earliestDate"], r["latestDate"]) for r in rows} == {
        (None, "2019-03-05", "2019-03-06")
    }
    assert {short(r["place"]) for r in rows} == {"commune-69123"}


def test_conventions_signed_by_the_two_ministers(store: ox.Store) -> None:
    rows = run(store, "conventions-signed-by-ministers")
    got = {(short(r["minister"]), short(r["operator"])) for r in rows}
    operators = {"banque-des-territoires", "bpifrance", "business-france", "pole-emploi"}
    assert got == {
        (m, o) for m in ("jacqueline-gourault", "agnes-pannier-runacher") for o in operators
    }
    assert {short(r["event"]) for r in rows} == {"assemblee-generale-tdi-2019"}
    assert len(rows) == 8


def test_commitments_of_the_banque_des_territoires(store: ox.Store) -> None:
    rows = run(store, "commitments-of-actor")
    by_id = {short(r["commitment"]): r for r in rows}
    per_year = by_id["engagement-bdt-100m-par-an"]
    assert (
        per_year["amount"],
        per_year["recurrence"],
        per_year["periodEnd"],
        per_year["instrument"],
    ) == (
        100_000_000,
        "P1Y",
        "2022",
        "equity",
    )
    assert per_year["sources"].split() == [
        "cp-1076-conventions-de-mobilisation",
        "cp-bdt-2019-03-20-nord-franche-comte",
    ] or sorted(per_year["sources"].split()) == [
        "cp-1076-conventions-de-mobilisation",
        "cp-bdt-2019-03-20-nord-franche-comte",
    ]
    assert by_id["engagement-bdt-relance-industrie"]["amount"] == 1_000_000_000
    assert by_id["engagement-bdt-relance-industrie"]["qualifier"] == "more than"
    assert by_id["engagement-bdt-relance-prets"]["instrument"] == "loans on savings funds"
    assert by_id["engagement-bdt-enveloppes-engagees-100m"]["status"] == "engaged"
    assert by_id["engagement-bdt-cofinancement-etudes"]["rate"] == 0.5
    amounts = {k: r["amount"] for k, r in by_id.items() if r["amount"] is not None}
    assert amounts == {
        "engagement-bdt-relance-industrie": 1_000_000_000,
        "engagement-bdt-relance-fonds-propres": 800_000_000,
        "engagement-bdt-relance-immobilier": 700_000_000,
        "engagement-bdt-enveloppe-fonds-propres-500m": 500_000_000,
        "engagement-bdt-relance-immobilier-fonds-propres": 450_000_000,
        "engagement-bdt-relance-transition": 340_000_000,
        "engagement-bdt-relance-prets": 250_000_000,
        "engagement-bdt-relance-immobilier-prets": 250_000_000,
        "engagement-bdt-100m-par-an": 100_000_000,
        "engagement-bdt-enveloppes-engagees-100m": 100_000_000,
        "engagement-bdt-enveloppe-ingenierie-26m": 26_000_000,
        "investissement-bdt-sem-nord-franche-comte": 20_000_000,
        "engagement-bdt-relance-formation": 10_000_000,
    }


def test_commitment_parts_add_up(store: ox.Store) -> None:
    rows = run(store, "commitment-parts-check")
    got = {
        (short(r["commitment"]), r["breakdown"]): (r["total"], r["partsSum"], r["consistent"])
        for r in rows
    }
    assert got[("engagement-bdt-relance-industrie", "instruments")] == (
        1_000_000_000,
        1_050_000_000,
        True,
    )
    assert got[("engagement-bdt-relance-industrie", "parts")] == (
        1_000_000_000,
        1_050_000_000,
        True,
    )
    assert got[("engagement-bdt-relance-immobilier", "parts")] == (700_000_000, 700_000_000, True)
    # "dont 100M€ qui sont engagés" hangs on the pair of envelopes, which prints no total
    assert ("engagement-bdt-enveloppe-fonds-propres-500m", "of which") not in got
    assert got[("engagement-bdt-enveloppes-territoires-industrie", "of which")] == (
        None,
        100_000_000,
        None,
    )
    assert got[("engagement-bdt-enveloppes-territoires-industrie", "instruments")] == (
        None,
        526_000_000,
        None,
    )
    assert all(r["consistent"] in (True, None) for r in rows)


def test_subsidiaries_and_business_lines_of_the_caisse_des_depots(store: ox.Store) -> None:
    rows = run(store, "cdc-group-structure")
    assert {(short(r["organisation"]), r["relation"]) for r in rows} == {
        ("bpifrance", "subsidiary"),
        ("banque-des-territoires", "business line"),
    }


def test_timeline_of_events(store: ox.Store) -> None:
    rows = run(store, "events-timeline")
    order = []
    for r in rows:
        if short(r["event"]) not in order:
            order.append(short(r["event"]))
    assert order == [
        "conseil-national-industrie-2018-11-22",
        "assemblee-generale-tdi-2019",
        "french-fab-tour-sochaux-2019",
    ]
    march = run(store, "events-timeline", since="2019-03-01", until="2019-03-31")
    assert {short(r["event"]) for r in march} == {
        "assemblee-generale-tdi-2019",
        "french-fab-tour-sochaux-2019",
    }


def test_the_seven_first_contracts_with_their_regions(store: ox.Store) -> None:
    rows = run(store, "first-contracts")
    got = {
        (
            short(r["contract"]),
            short(r["territory"]),
            short(r["region"]),
            r["signed"],
            r["signedBy"],
        )
        for r in rows
    }
    before = "on or before"
    assert got == {
        ("contrat-ti-carros", "ti1-9303", "region-93", "2019-03-22", before),
        ("contrat-ti-sud-alsace", "ti1-4410", "region-44", "2019-03-22", before),
        ("contrat-ti-nord-franche-comte", "ti1-2707", "region-27", "2019-03-19", "on"),
        ("contrat-ti-auxois-morvan", "ti1-2701", "region-27", "2019-03-22", before),
        ("contrat-ti-grand-chatellerault", "ti1-7504", "region-75", "2019-03-22", before),
        ("contrat-ti-val-de-garonne", "ti1-7514", "region-75", "2019-03-22", before),
        ("contrat-ti-grand-orly", "ti1-1104", "region-11", "2019-03-22", before),
    }


def test_territory_epci_and_region_of_each_commune_in_the_sources(store: ox.Store) -> None:
    rows = run(store, "communes-in-sources")
    assert len(rows) == 12  # one row per commune and territory, no stray label matches
    got = {
        (r["communeLabel"], short(r["epci"]), short(r["territory"]), short(r["region"]))
        for r in rows
    }
    assert got == {
        ("Sochaux", "epci-200065647", "ti1-2707", "region-27"),
        ("Sochaux", "epci-200065647", "ti2-2708", "region-27"),
        ("Amiens", "epci-248000531", "ti1-3202", "region-32"),
        ("Amiens", "epci-248000531", "ti2-3202", "region-32"),
        ("Rousset", "epci-200054807", "ti1-9301", "region-93"),
        ("Rousset", "epci-200054807", "ti2-9301", "region-93"),
        ("Cholet", "epci-200071678", "ti1-5202", "region-52"),
        ("Cholet", "epci-200071678", "ti2-5204", "region-52"),
        ("Carros", "epci-200030195", "ti1-9303", "region-93"),
        ("Carros", "epci-200030195", "ti2-9305", "region-93"),
        ("Lyon", "epci-200046977", None, "region-84"),
        ("Paris", "epci-200054781", None, "region-11"),
    }


def test_facts_stated_by_each_document(store: ox.Store) -> None:
    rows = run(store, "facts-by-document", document="cp-bdt-2019-03-20-nord-franche-comte")
    subjects = {short(r["subject"]) for r in rows}
    assert {
        "signature-contrat-ti-nord-franche-comte",
        "engagement-bdt-100m-par-an",
        "figure-nord-franche-comte-emplois",
        "poste-eric-lombard-dg-caisse-des-depots",
    } <= subjects
    assert {short(r["document"]) for r in rows} == {"cp-bdt-2019-03-20-nord-franche-comte"}
    everything = run(store, "facts-by-document")
    assert len({short(r["document"]) for r in everything}) == 5


def test_statements_that_contradict_another_source(store: ox.Store) -> None:
    rows = run(store, "contradictions")
    assert {short(r["contradiction"]) for r in rows} == {
        "contradiction-date-cp-1076",
        "contradiction-nombre-territoires",
        "contradiction-nombre-conventions",
        "contradiction-100m-engages",
        "contradiction-100m-environ",
    }
    territories = [
        r for r in rows if short(r["contradiction"]) == "contradiction-nombre-territoires"
    ]
    assert {short(r["outsideClaim"]) for r in territories if r["outsideClaim"]} == {
        "claim-ti-count-1",
        "claim-ti-count-2",
    }
    assert {r["statedValue"] for r in territories if r["statedValue"]} == {"136"}


@pytest.mark.parametrize(
    "name",
    [
        "signatories-of-agreement",
        "conventions-signed-by-ministers",
        "commitments-of-actor",
        "commitment-parts-check",
        "cdc-group-structure",
        "events-timeline",
        "first-contracts",
        "communes-in-sources",
        "facts-by-document",
        "contradictions",
    ],
)
def test_graph_issue_queries_have_headers(name: str) -> None:
    query = queries.get_query(name)
    assert query.summary and query.description
    assert "graph-issue" in query.tags
