"""``GET /api/money``: each euro counted once; the route, the entity page and the named queries
give the same figures, computed from ``queries/money.rq``.

The 500 M€ and 26 M€ envelopes the Banque des Territoires "a déjà consacré" are not
commitments to come, and N°1114's "plus d'un milliard d'euros de financements" names no
funder: the one-off total of the Banque des Territoires, and of the whole graph, is
1 000 000 000 EUR ("plus d'un milliard", 2020), beside 100 000 000 EUR a year.
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from tdi_graph_api.schemas import Money

from tdi_graph.namespaces import ID, PREFIXES
from tdi_graph.resources import queries_dir
from tdi_graph.view import Registry
from tdi_graph.view.money import money

BDT = "banque-des-territoires"


def get_money(client: TestClient, **params: str) -> dict[str, Any]:
    answer = client.get("/api/money", params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    Money.model_validate(body)
    return body


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["commitment"]["id"] for i in items]


def test_banque_des_territoires(client: TestClient) -> None:
    body = get_money(client, actor=BDT)
    assert body["actor"] == {"id": BDT, "type": "organisation", "label": "Banque des Territoires"}
    # 1 Md€ (recovery, "plus d'un milliard"); the envelopes of 500 and 26 M€ "déjà consacrés"
    # are listed as not counted (not commitments to come)
    assert body["one_off"] == {"value": 1_000_000_000, "currency": "EUR"}
    assert body["recurring"] == [
        {
            "value": 100_000_000,
            "currency": "EUR",
            "recurrence": "P1Y",
            "period": {"start": None, "end": "2022"},
            "commitments": [
                {
                    "id": "engagement-bdt-100m-par-an",
                    "type": "commitment",
                    "label": "100 M€ par an d'ici 2022 en fonds propres dans les projets des "
                    "Territoires d'industrie",
                }
            ],
        }
    ]
    assert ids(body["counted"]) == [
        "engagement-bdt-relance-industrie",
        "engagement-bdt-100m-par-an",
    ]
    relance = body["counted"][0]
    assert relance["amount"] == 1_000_000_000 and relance["qualifier"]["id"] == "tdi:MoreThan"
    assert relance["sources"][0]["id"] == "cp-bdt-2020-11-02-relance-industrie"
    reasons = {i["commitment"]["id"]: (i["bucket"], i["reason"]) for i in body["not_counted"]}
    # a past investment ("a investi plus de 20 M€") is not a commitment
    assert reasons["investissement-bdt-sem-nord-franche-comte"][0] == "status"
    assert "réalisé" in reasons["investissement-bdt-sem-nord-franche-comte"][1]
    # parts and shares are never summed beside their whole, subsets never added
    for part in (
        "engagement-bdt-relance-fonds-propres",
        "engagement-bdt-relance-prets",
        "engagement-bdt-relance-immobilier",
        "engagement-bdt-relance-immobilier-prets",
        "engagement-bdt-enveloppe-fonds-propres-500m",
        "engagement-bdt-enveloppe-ingenierie-26m",
    ):
        assert reasons[part][0] == "part", part
    assert reasons["engagement-bdt-enveloppes-engagees-100m"][0] == "subset"
    # already dedicated ("a déjà consacré"): listed, not a commitment to come
    assert reasons["engagement-bdt-enveloppes-territoires-industrie"][0] == "status"
    assert "déjà consacré" in reasons["engagement-bdt-enveloppes-territoires-industrie"][1]
    assert sum(c["amount"] for c in body["counted"] if c["bucket"] == "one_off") == 1_000_000_000


def test_overlaps_are_listed_from_the_data(client: TestClient) -> None:
    body = get_money(client, actor=BDT)
    recorded = {o["record"]["id"]: o for o in body["overlaps"] if o["kind"] == "recorded"}
    # the 2019 "100 M€ par an", stated by two releases (a curation record)
    assert [c["id"] for c in recorded["contradiction-100m-environ"]["commitments"]] == [
        "engagement-bdt-100m-par-an"
    ]
    assert "100 M€ par an" in recorded["contradiction-100m-environ"]["note"]
    assert "contradiction-100m-engages" in recorded
    wholes = {o["commitments"][0]["id"]: o for o in body["overlaps"] if o["kind"] == "parts"}
    # the 2020 "plus d'un milliard" and its parts and shares
    assert {c["id"] for c in wholes["engagement-bdt-relance-industrie"]["commitments"]} == {
        "engagement-bdt-relance-industrie",
        "engagement-bdt-relance-fonds-propres",
        "engagement-bdt-relance-prets",
        "engagement-bdt-relance-immobilier",
        "engagement-bdt-relance-transition",
        "engagement-bdt-relance-formation",
    }


def test_every_actor_and_the_whole_graph(client: TestClient) -> None:
    whole = get_money(client)
    assert whole["actor"] is None and whole["programme"] is None
    # N°1114's "plus d'un milliard d'euros de financements" names no funder: credited to no one
    assert whole["one_off"]["value"] == 1_000_000_000
    assert get_money(client, actor="etat")["one_off"]["value"] == 0
    assert get_money(client, actor="bpifrance")["one_off"]["value"] == 0
    programme = get_money(client, programme="territoires-d-industrie")
    assert programme["programme"]["id"] == "territoires-d-industrie"
    assert programme["one_off"]["value"] == 1_000_000_000


def test_errors(client: TestClient) -> None:
    assert client.get("/api/money", params={"actor": "nobody-at-all"}).status_code == 404
    assert client.get("/api/money", params={"actor": "bad id"}).status_code == 400


def test_the_page_shows_the_same_figures(client: TestClient) -> None:
    html = client.get(f"/id/{BDT}", headers={"accept": "text/html"}).text
    total = re.search(r'<strong class="amount-total">([^<]+)</strong>', html)
    assert total is not None and total[1] == "1 000 000 000 €"
    assert '<strong class="amount-recurring">100 000 000 € par an</strong>' in html
    assert "investissement-bdt-sem-nord-franche-comte" in html  # listed as not counted
    programme = client.get("/id/territoires-d-industrie", headers={"accept": "text/html"}).text
    assert '<strong class="amount-total">1 000 000 000 €</strong>' in programme


def query_rows(client: TestClient, name: str, **params: str) -> list[dict[str, Any]]:
    answer = client.get(f"/api/queries/{name}", params={"limit": 1000, **params})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def test_the_named_queries_give_the_same_figures(client: TestClient) -> None:
    rows = query_rows(client, "money", actor=BDT)
    body = get_money(client, actor=BDT)
    assert sum(r["amount"] for r in rows if r["bucket"] == "one_off") == body["one_off"]["value"]
    assert sum(r["amount"] for r in rows if r["bucket"] == "recurring") == sum(
        r["value"] for r in body["recurring"]
    )
    by_bucket = {r["commitment"].removeprefix(ID): r["bucket"] for r in rows}
    assert by_bucket == {
        **{c["commitment"]["id"]: c["bucket"] for c in body["counted"]},
        **{c["commitment"]["id"]: c["bucket"] for c in body["not_counted"]},
    }
    operators = query_rows(client, "money-by-operator-and-instrument")
    for operator in {r["operator"] for r in operators}:
        mine = [r for r in operators if r["operator"] == operator]
        answer = get_money(client, actor=operator.removeprefix(ID))
        assert (
            sum(r["total"] for r in mine if r["recurrence"] is None) == (answer["one_off"]["value"])
        )
        assert sum(r["total"] for r in mine if r["recurrence"]) == sum(
            r["value"] for r in answer["recurring"]
        )


def test_one_money_core_in_both_queries() -> None:
    def core(name: str) -> list[str]:
        text = (queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
        start = text.index("# --- money core")
        end = text.index("# --- end of the money core ---")
        return [line.strip() for line in text[start:end].splitlines()]

    assert core("money") == core("money-by-operator-and-instrument")


# --- the rules, on a small graph: they hold whatever the statuses and parts of the data ------

TDI, SCHEMA = PREFIXES["tdi"], PREFIXES["schema"]


def small_graph() -> ox.Store:
    store = ox.Store()

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        store.add(ox.Quad(ox.NamedNode(ID + s), ox.NamedNode(p), o))

    def commitment(name: str, amount: int | None, status: str, by: str | None = "x") -> None:
        add(name, PREFIXES["rdf"] + "type", ox.NamedNode(TDI + "Commitment"))
        add(name, PREFIXES["rdfs"] + "label", ox.Literal(name))
        add(name, TDI + "status", ox.NamedNode(TDI + status))
        if amount is not None:
            add(
                name,
                SCHEMA + "amount",
                ox.Literal(str(amount), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")),
            )
        if by:
            add(name, TDI + "committedBy", ox.NamedNode(ID + by))

    commitment("whole", None, "Pledged")  # worth its shares: 30 + 70
    commitment("share-a", 30, "Pledged")
    commitment("share-b", 70, "Pledged")
    add("whole", TDI + "instrumentShare", ox.NamedNode(ID + "share-a"))
    add("whole", TDI + "instrumentShare", ox.NamedNode(ID + "share-b"))
    commitment("engaged", 20, "Engaged")
    add("share-b", TDI + "ofWhich", ox.NamedNode(ID + "engaged"))
    commitment("yearly", 5, "Pledged")
    add(
        "yearly",
        TDI + "recurrence",
        ox.Literal("P1Y", datatype=ox.NamedNode(PREFIXES["xsd"] + "duration")),
    )
    commitment("past", 1000, "AlreadyDedicated")  # any status but the three to come
    commitment("spent", 1000, "Realised")
    commitment("nobody", 1000, "Pledged", by=None)
    commitment("principle", 7, "InPrinciple")
    return store


def test_the_rules_on_a_small_graph() -> None:
    store = small_graph()
    answer = money(store, Registry.build(store))
    assert answer["one_off"]["value"] == 100 + 7
    assert [r["value"] for r in answer["recurring"]] == [5]
    buckets = {i["commitment"]["id"]: i["bucket"] for i in answer["not_counted"]}
    assert buckets == {
        "share-a": "part",
        "share-b": "part",
        "engaged": "subset",
        "past": "status",
        "spent": "status",
        "nobody": "no_funder",
    }
    only_x = money(store, Registry.build(store), actor=ID + "x")
    assert "nobody" not in {i["commitment"]["id"] for i in only_x["not_counted"]}
    assert only_x["one_off"]["value"] == 107


@pytest.mark.parametrize("kind", ["recorded", "parts"])
def test_overlap_kinds_are_documented(kind: str) -> None:
    assert (
        kind
        in Money.model_fields["overlaps"]
        .annotation.__args__[0]
        .model_fields[  # type: ignore[union-attr]
            "kind"
        ]
        .description
    )
