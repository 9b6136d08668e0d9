"""``GET /api/queries`` and ``GET /api/queries/{name}``: the list, validated parameters, rows
as JSON, a few exact answers, and the UI's examples giving the same rows through ``/sparql``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tdi_graph import queries
from tdi_graph.namespaces import ID
from tests.api import assert_error

TDI = "https://w3id.org/tdi-graph/ontology#"
NAMES = list(queries.catalogue())  # in file order


def rows(client: TestClient, name: str, **params: Any) -> list[dict[str, Any]]:
    answer = client.get(f"/api/queries/{name}", params={"limit": 1000, **params})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def test_list(client: TestClient) -> None:
    body = client.get("/api/queries").json()
    assert set(body) >= {"items", "total", "limit", "offset"}
    assert body["total"] == len(NAMES) and body["limit"] == 50 and body["offset"] == 0
    assert [q["name"] for q in body["items"]] == NAMES[:50]
    body = client.get("/api/queries", params={"limit": 1000}).json()
    commune = next(q for q in body["items"] if q["name"] == "territory-of-commune")
    assert commune["kind"] == "select" and commune["url"] == "/api/queries/territory-of-commune"
    assert commune["params"] == [
        {
            "name": "commune",
            "type": "iri",
            "description": "the commune (id such as commune-25547, name such as Sochaux, or "
            "INSEE code)",
            "default": "commune-25547",
            "required": True,
            "class": "tdi:Commune",
        }
    ]
    assert {"summary", "description", "tags"} <= set(commune)


def test_list_paging_and_tags(client: TestClient) -> None:
    page = client.get("/api/queries", params={"limit": 5, "offset": 3}).json()
    assert [q["name"] for q in page["items"]] == NAMES[3:8] and page["total"] == len(NAMES)
    tagged = client.get("/api/queries", params={"tag": "provenance"}).json()
    assert tagged["items"] and all("provenance" in q["tags"] for q in tagged["items"])
    assert_error(client.get("/api/queries", params={"colour": "red"}), 400, "bad_request")
    assert_error(client.get("/api/queries", params={"limit": 1001}), 400, "bad_request")
    assert_error(client.get("/api/queries", params={"offset": -1}), 400, "bad_request")
    assert_error(client.get("/api/queries", params={"limit": "ten"}), 400, "bad_request")


@pytest.mark.parametrize("name", NAMES)
def test_every_named_query_runs(client: TestClient, name: str) -> None:
    named = queries.get_query(name)
    answer = client.get(f"/api/queries/{name}", params=named.example())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["name"] == name and isinstance(body["items"], list)
    assert isinstance(body["total"], int) and body["limit"] == 50 and body["offset"] == 0
    assert len(body["items"]) == min(body["total"], 50)
    if named.kind == "select":
        assert body["variables"] and all(set(r) == set(body["variables"]) for r in body["items"])
    for param in named.params:
        if param.default is not None:
            assert body["params"][param.name].endswith(str(param.default))


def test_unknown_query(client: TestClient) -> None:
    assert_error(client.get("/api/queries/no-such-query"), 404, "not_found")


def test_bad_parameters(client: TestClient) -> None:
    url = "/api/queries/territory-of-commune"
    assert "colour" in assert_error(client.get(url, params={"colour": "red"}), 400, "bad_request")
    assert_error(client.get(url, params={"commune": "not an id"}), 400, "bad_request")
    assert_error(client.get(url, params={"commune": "http://example.org/x>"}), 400, "bad_request")
    assert_error(client.get(url, params={"commune": ""}), 400, "bad_request")  # required
    assert_error(
        client.get(url, params=[("commune", "commune-25547"), ("commune", "commune-90010")]),
        400,
        "bad_request",
    )
    assert_error(
        client.get("/api/queries/events-by-year", params={"year": "2019a"}), 400, "bad_request"
    )
    assert_error(client.get(url, params={"limit": 0}), 400, "bad_request")


def test_paging_rows(client: TestClient) -> None:
    every = client.get("/api/queries/typos-and-variants", params={"limit": 1000}).json()
    page = client.get("/api/queries/typos-and-variants", params={"limit": 3, "offset": 2}).json()
    assert page["total"] == every["total"] > 5
    assert page["items"] == every["items"][2:5]


# --- exact answers ----------------------------------------------------------------------------


def test_territory_of_commune(client: TestClient) -> None:
    found = {
        (r["territory"], r["phase"])
        for r in rows(client, "territory-of-commune", commune="commune-25547")
    }
    assert found == {(ID + "ti1-2707", TDI + "Phase1"), (ID + "ti2-2708", TDI + "Phase2")}
    belfort = rows(client, "territory-of-commune", commune="commune-90010")
    assert {r["territoryLabel"] for r in belfort} == {"Nord Franche-Comté"}
    full_iri = rows(client, "territory-of-commune", commune=ID + "commune-25547")
    assert {r["territory"] for r in full_iri} == {ID + "ti1-2707", ID + "ti2-2708"}


def test_money_by_operator_and_instrument(client: TestClient) -> None:
    money = {
        (
            r["operator"].removeprefix(ID),
            (r["instrument"] or "").removeprefix(TDI),
            r["recurrence"],
        ): r["total"]
        for r in rows(client, "money-by-operator-and-instrument")
    }
    # the commitments /api/money counts: 1 Md€ (recovery), no instrument of its own (its split
    # by instrument is in its parts); 100 M€ a year in equity. The 526 M€ "déjà consacrés"
    # are not commitments to come.
    assert money[("banque-des-territoires", "", None)] == 1_000_000_000
    assert money[("banque-des-territoires", "Equity", "P1Y")] == 100_000_000
    # N°1114's "plus d'un milliard d'euros de financements" names no funder: the State gets nothing
    assert not [key for key in money if key[0] == "etat"]
    assert rows(client, "money-by-operator-and-instrument", operator="etat") == []
    assert len(money) == 2


def test_territories_per_region(client: TestClient) -> None:
    found = rows(client, "territories-per-region", region="region-27")
    phase1 = next(r for r in found if r["phase"] == TDI + "Phase1")
    assert phase1["territories"] == 10 and phase1["withSignedContract"] == 2
    assert phase1["firstSignature"] == "2019-03-19"
    assert set(phase1["signedTerritories"].split(", ")) == {"Nord Franche-Comté", "Auxois Morvan"}
    assert len(found) == 2  # both phases
    everywhere = rows(client, "territories-per-region")
    assert sum(r["territories"] for r in everywhere if r["phase"] == TDI + "Phase1") == 34
    assert sum(r["withSignedContract"] for r in everywhere) == 7


def test_co_signatories(client: TestClient) -> None:
    pairs = {
        (r["organisation"].removeprefix(ID), r["partner"].removeprefix(ID)): r["agreements"]
        for r in rows(client, "co-signatory-network", organisation="caisse-des-depots")
    }
    assert pairs == {
        ("caisse-des-depots", "region-bourgogne-franche-comte"): 1,
        ("caisse-des-depots", "pole-metropolitain-nord-franche-comte"): 1,
    }


def test_persons_and_posts(client: TestClient) -> None:
    (post,) = rows(client, "persons-and-posts", person="eric-lombard")
    assert (
        post["organisation"] == ID + "caisse-des-depots" and post["role"] == TDI + "DirectorGeneral"
    )
    assert post["firstAttested"] == "2019-03-20"


def test_events_by_year(client: TestClient) -> None:
    found = {(r["year"], r["kind"]): r["count"] for r in rows(client, "events-by-year", year=2018)}
    assert found == {(2018, "event"): 1}


def test_entity_sources(client: TestClient) -> None:
    found = rows(client, "entity-sources", entity="bpifrance")
    assert {r["how"] for r in found} >= {"about", "mentioned"}
    assert all(r["entity"] == ID + "bpifrance" for r in found)
    commune = rows(client, "entity-sources", entity="commune-25547")
    assert any(r["how"] == "reference" and r["source"] == ID + "dataset-cog2026" for r in commune)


def test_single_source_facts(client: TestClient) -> None:
    only_1114 = rows(client, "single-source-facts", document="cp-1114-premiers-contrats")
    subjects = {r["subject"] for r in only_1114}
    assert ID + "signature-contrat-ti-carros" in subjects
    assert ID + "signature-contrat-ti-nord-franche-comte" not in subjects  # also stated on 20 March


# --- the UI's examples are the same queries ------------------------------------------------------


def _examples(client: TestClient) -> list[dict[str, Any]]:
    page = client.get("/sparql", headers={"accept": "text/html"}).text
    config = json.loads(page.split('id="sparql-config">', 1)[1].split("</script>", 1)[0])
    return list(config["examples"])


def test_examples_give_the_same_rows_as_the_api(client: TestClient) -> None:
    examples = _examples(client)
    assert {e["name"] for e in examples} == set(NAMES)
    for example in examples:
        if queries.get_query(example["name"]).kind != "select":
            continue
        params = {"limit": 1, **queries.get_query(example["name"]).example()}
        api = client.get(f"/api/queries/{example['name']}", params=params).json()
        if api["total"] > 10_000:  # the big tables behind the API: past the row cap of /sparql
            continue
        sparql = client.post("/sparql", data={"query": example["query"]})
        assert sparql.status_code == 200, (example["name"], sparql.text)
        assert len(sparql.json()["results"]["bindings"]) == api["total"], example["name"]


@pytest.mark.parametrize(
    "name", [n for n in NAMES if any(p.required for p in queries.get_query(n).params)]
)
def test_a_required_parameter_left_out_is_a_400_naming_it(client: TestClient, name: str) -> None:
    """Never answered with the header's example value in its place."""
    required = [p for p in queries.get_query(name).params if p.required]
    message = assert_error(client.get(f"/api/queries/{name}"), 400, "bad_request")
    assert repr(required[0].name) in message and "needs parameter" in message
